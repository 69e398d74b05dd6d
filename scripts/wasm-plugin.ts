/**
 * Vite/Vitest: a `.wasm` import yields its bytes (as esbuild's `binary` loader does for dist/),
 * instead of Vite's wasm-ES-module handling, which fails on our env-less core.
 */
import { readFileSync } from 'node:fs';
import type { Plugin } from 'vite';

export function wasmBytes(): Plugin {
  return {
    name: 'bdl-wasm-bytes',
    enforce: 'pre',
    load(id) {
      const file = id.split('?')[0];
      if (!file.endsWith('.wasm')) return null;
      const b64 = readFileSync(file).toString('base64');
      return `const s = atob(${JSON.stringify(b64)}); const b = new Uint8Array(s.length); for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i); export default b;`;
    },
  };
}

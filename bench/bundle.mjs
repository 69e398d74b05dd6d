// Bundles one of the benchmark's TypeScript modules (bench/<name>.ts, with the wasm bytes embedded) into a
// fresh temporary folder, for the *-run.mjs scripts to import in Node or serve to a page.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

/** Bundles bench/<name>.ts; returns the bundle's path. */
export async function bundleBench(name) {
  const file = join(mkdtempSync(join(tmpdir(), `bdl-bench-${name}-`)), `${name}.js`);
  await esbuild.build({
    entryPoints: [new URL(`${name}.ts`, import.meta.url).pathname],
    outfile: file,
    bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', mainFields: ['module', 'main'],
    loader: { '.wasm': 'binary' }, external: ['node:*'], logLevel: 'warning',
  });
  return file;
}

/** Bundles bench/<name>.ts and imports it. */
export async function importBench(name) {
  return import(pathToFileURL(await bundleBench(name)).href);
}

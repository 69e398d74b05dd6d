/**
 * Node entry of the benchmark (bundled by bench/run.mjs): runs the suite with the binary named by
 * `--flavor` and prints the runtime's JSON object as the last line of stdout.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { WasmFlavor } from '../src/wasm/index.js';
import { benchImport } from './import.js';
import { benchLaplace } from './laplace.js';
import { runSuite } from './suite.js';

function cpuModel(): string {
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) return m[1].trim();
  } catch {
    // not Linux: fall through
  }
  return 'unknown';
}

const flavor = (process.argv[process.argv.indexOf('--flavor') + 1] ?? 'simd') as WasmFlavor;
const require = createRequire(import.meta.url);
const tfjsDir = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + '/';
const result = await runSuite({ runtime: 'node', flavor, cpu: cpuModel(), tfjsWasmDir: tfjsDir, log: (l) => console.error(l) });
// Method-level figures, once per Node run (the plain binary's process).
const extra = flavor === 'simd' ? { laplace: await benchLaplace(), import: await benchImport() } : {};
if (extra.laplace) console.error(`node/${flavor}: last-layer KFAC Laplace on 784-256-256-10: ${JSON.stringify(extra.laplace)}`);
if (extra.import) console.error(`node/${flavor}: import and post-hoc last-layer Laplace on 784-256-256-10: ${JSON.stringify(extra.import)}`);
console.log(JSON.stringify({ ...result, ...extra }));

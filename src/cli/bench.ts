/**
 * `bdl bench`: the portable benchmarks (bench/run.mjs: Node plain and relaxed SIMD, a Chromium page,
 * the pool, Laplace and sampling), run from the package's source checkout, where the benchmark
 * harness and its dev dependencies (TF.js, playwright-core, esbuild) live.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BdlError } from '../errors.js';

const HELP = `bdl bench — the portable benchmarks, side by side with TF.js-wasm (and Stan's published figures)

  --json FILE         also write the results as JSON
  --only LIST         some of node,node-relaxed,chromium
  --no-sampling       skip the multi-minute sampling benchmark
  --help              this text
`;

export async function benchCommand(argv: string[], signal: AbortSignal): Promise<void> {
  if (argv.includes('--help')) {
    process.stdout.write(HELP);
    return;
  }
  const script = fileURLToPath(new URL('../bench/run.mjs', import.meta.url));
  if (!existsSync(script)) {
    throw new BdlError('E_ARG', `bench: the benchmark harness (bench/run.mjs) is not beside this installation. Run it from a source checkout: git clone, npm ci, then npx bdl bench.`, 'bench');
  }
  const child = spawn(process.execPath, [script, ...argv], { stdio: 'inherit' });
  const onAbort = () => child.kill('SIGINT');
  signal.addEventListener('abort', onAbort, { once: true });
  const code: number = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  signal.removeEventListener('abort', onAbort);
  if (signal.aborted) throw new BdlError('E_ABORTED', 'bench: cancelled.');
  if (code !== 0) throw new BdlError('E_WORKER', `bench: the benchmark exited with code ${code} (its output is above).`);
}

// Builds the package: both wasm binaries, then one ESM bundle per entry (wasm bytes embedded),
// then the type declarations. Usage: node scripts/build.mjs [--wasm-only]
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as esbuild from 'esbuild';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });
const bin = (name) => `node_modules/.bin/${name}`;

mkdirSync('build', { recursive: true });
for (const target of ['simd', 'relaxed']) {
  run(bin('asc'), ['assembly/index.ts', '--config', 'asconfig.json', '--target', target]);
}
if (process.argv.includes('--wasm-only')) process.exit(0);

const entries = { index: 'src/index.ts', worker: 'workers/worker.ts', cli: 'src/cli/main.ts', queue: 'src/queue/index.ts' };
const existing = Object.fromEntries(
  Object.entries(entries).filter(([, file]) => {
    try { return execFileSync('test', ['-f', file]) !== undefined; } catch { return false; }
  }),
);
// Chunk names are content hashes: without a clean start, every build would leave the last one's
// chunks behind in dist/ (and in the published package).
rmSync('dist', { recursive: true, force: true });
await esbuild.build({
  entryPoints: existing,
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  splitting: true,
  // Chunks sit beside the entries, so `new URL('./worker.js', import.meta.url)` resolves from any of them.
  chunkNames: 'chunk-[hash]',
  mainFields: ['module', 'main'],
  loader: { '.wasm': 'binary' },
  // BullMQ and its Redis client stay outside the bundles: only dist/queue.js (and the CLI's --redis) load them.
  external: ['node:*', 'bullmq', 'ioredis'],
  sourcemap: true,
  logLevel: 'warning',
});
// The report page's script: a browser bundle (Observable Plot inlined) that `bdl compare` pastes into report.html.
await esbuild.build({
  entryPoints: ['src/report/page.ts'],
  outfile: 'dist/report-page.js',
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
run(bin('tsc'), ['-p', 'tsconfig.build.json']);
writeFileSync('dist/index.d.ts', "export * from './types/src/index.js';\n");
writeFileSync('dist/queue.d.ts', "export * from './types/src/queue/index.js';\n");
// load.d.ts types the kernels from the core's own declarations: ship them beside it.
mkdirSync('dist/types/build', { recursive: true });
copyFileSync('build/bdl.simd.d.ts', 'dist/types/build/bdl.simd.d.ts');

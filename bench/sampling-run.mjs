// Runs the sampling benchmark alone in Node: `node bench/sampling-run.mjs [--chains 4 --warmup 1000 --draws 1000]`
// (after `npm run build`, whose dist/worker.js the pool spawns). Prints {"sampling": {...}}.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = new URL('..', import.meta.url);
const args = process.argv.slice(2);
const opt = (name) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : undefined);
const out = mkdtempSync(join(tmpdir(), 'bdl-bench-sampling-'));
await esbuild.build({
  entryPoints: [new URL('sampling.ts', import.meta.url).pathname],
  outfile: join(out, 'sampling.js'),
  bundle: true, format: 'esm', platform: 'neutral', target: 'es2022', mainFields: ['module', 'main'],
  loader: { '.wasm': 'binary' }, external: ['node:*'], logLevel: 'warning',
});
const { benchSampling } = await import(pathToFileURL(join(out, 'sampling.js')).href);
const sampling = await benchSampling({
  trainCsv: readFileSync(new URL('data/peers/bnn_train.csv', root), 'utf8'),
  testCsv: readFileSync(new URL('data/peers/bnn_test.csv', root), 'utf8'),
  workerUrl: new URL('dist/worker.js', root),
  chains: opt('--chains'), warmup: opt('--warmup'), draws: opt('--draws'), seed: opt('--seed'),
  log: (l) => console.error(l),
});
console.log(JSON.stringify({ sampling }));

// One run of the sampling benchmark in this process, on the wasm binary this runtime picks (relaxed SIMD
// where it validates: Chromium, Node ≥ 22, Node 20 with --experimental-wasm-relaxed-simd; plain SIMD
// otherwise): `node [--experimental-wasm-relaxed-simd] bench/sampling-one.mjs [--chains 4 --warmup 1000
// --draws 1000 --seed 1]`, after `npm run build` (the pool spawns dist/worker.js). Prints {"run": {...}}
// (bench/sampling.ts's fields and `wasm`, the binary). bench/sampling-run.mjs runs it once per run and binary.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { importBench } from './bundle.mjs';

const { values: o } = parseArgs({
  options: { chains: { type: 'string' }, warmup: { type: 'string' }, draws: { type: 'string' }, seed: { type: 'string' } },
  strict: true,
});
const num = (s) => (s === undefined ? undefined : Number(s));
const root = new URL('..', import.meta.url);
const { benchSampling } = await importBench('sampling');
const run = await benchSampling({
  trainCsv: readFileSync(new URL('data/peers/bnn_train.csv', root), 'utf8'),
  testCsv: readFileSync(new URL('data/peers/bnn_test.csv', root), 'utf8'),
  workerUrl: new URL('dist/worker.js', root),
  chains: num(o.chains), warmup: num(o.warmup), draws: num(o.draws), seed: num(o.seed),
  log: (l) => console.error(l),
});
console.log(JSON.stringify({ run }));

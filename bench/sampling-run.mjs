// Runs the sampling benchmark alone in Node: `node bench/sampling-run.mjs [--runs 3 --chains 4 --warmup 1000 --draws 1000]`
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
// Several runs (default 3; --runs N), reported as the run with the median gradient rate, beside
// every run's figures: a 2-core machine's noise moves one run by ±20 %.
const runs = opt('--runs') ?? 3;
const all = [];
for (let i = 0; i < runs; i++) {
  const r = await benchSampling({
    trainCsv: readFileSync(new URL('data/peers/bnn_train.csv', root), 'utf8'),
    testCsv: readFileSync(new URL('data/peers/bnn_test.csv', root), 'utf8'),
    workerUrl: new URL('dist/worker.js', root),
    chains: opt('--chains'), warmup: opt('--warmup'), draws: opt('--draws'), seed: opt('--seed'),
    log: (l) => console.error(l),
  });
  console.error(`run ${i + 1}/${runs}: ${r.grad_evals_per_s_per_chain.toFixed(0)} gradients/s per chain, predictive ESS/s ${r.pred_ess_per_s.toFixed(2)}, R̂ ${r.rhat_max.toFixed(3)}`);
  all.push(r);
}
const byRate = [...all].sort((a, b) => a.grad_evals_per_s_per_chain - b.grad_evals_per_s_per_chain);
const median = byRate[Math.floor((byRate.length - 1) / 2)];
const sampling = {
  ...median,
  runs: all.map((r) => ({ grad_evals_per_s_per_chain: r.grad_evals_per_s_per_chain, pred_ess_per_s: r.pred_ess_per_s, wall_s: r.wall_s, rhat_max: r.rhat_max })),
};
console.log(JSON.stringify({ sampling }));

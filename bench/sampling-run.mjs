// Runs the sampling benchmark alone in Node: `node bench/sampling-run.mjs [--runs 3 --chains 4 --warmup 1000 --draws 1000]
// [--stan]` (after `npm run build`, whose dist/worker.js the pool spawns). Prints {"sampling": {...}}.
// --stan also runs the peer, Stan's NUTS on the same posterior with the same protocol, in this run and on
// this machine (bench/stan-run.mjs, 15–20 minutes), and reports the ratios to it; without it the ratios
// are to the recorded anchor (STAN_ANCHOR), measured on another machine.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
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
// Stan (rstan 2.21, 4 chains × (1000 + 1000) on 2 cores) on a 2-core AMD EPYC, 2026-11-29: the peer's
// figures when it is not run here. Both sides' speed depends on the processor, so a ratio to this anchor
// holds only on a machine like that one; --stan measures the peer beside us.
const STAN_ANCHOR = { grad_evals_per_s_per_chain: 1613, pred_ess_per_s: 2.87, cpu: 'AMD EPYC (2 cores), 2026-11-29', measured: 'anchor' };
let peer = STAN_ANCHOR;
if (args.includes('--stan')) {
  console.error('running the Stan peer (bench/stan-run.mjs; 15–20 minutes)');
  // The same protocol on both sides: chains, warmup and draws given here reach the peer too.
  const same = ['--chains', '--warmup', '--draws', '--seed'].flatMap((f) => (opt(f) !== undefined ? [f, String(opt(f))] : []));
  const r = spawnSync(process.execPath, [new URL('stan-run.mjs', import.meta.url).pathname, ...same], {
    stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`the Stan peer failed (exit ${r.status}); run node bench/stan-run.mjs to see why`);
  peer = { ...JSON.parse(r.stdout.trim().split('\n').pop()).stan, measured: 'this run' };
}
const ratio = (r) => ({
  grad_ratio: r.grad_evals_per_s_per_chain / peer.grad_evals_per_s_per_chain,
  ess_ratio: r.pred_ess_per_s / peer.pred_ess_per_s,
});
const sampling = {
  ...median,
  ...ratio(median),
  cpu: cpus()[0]?.model ?? 'unknown',
  peer,
  runs: all.map((r) => ({ grad_evals_per_s_per_chain: r.grad_evals_per_s_per_chain, pred_ess_per_s: r.pred_ess_per_s, wall_s: r.wall_s, rhat_max: r.rhat_max, ...ratio(r) })),
};
console.error(`median run: ${median.grad_evals_per_s_per_chain.toFixed(0)} gradients/s per chain = ${sampling.grad_ratio.toFixed(1)}× Stan's ${peer.grad_evals_per_s_per_chain.toFixed(0)} (${peer.measured}, ${peer.cpu}); predictive ESS/s ${sampling.ess_ratio.toFixed(1)}×`);
console.log(JSON.stringify({ sampling }));

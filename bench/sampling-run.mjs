// Runs the sampling benchmark in Node: `node bench/sampling-run.mjs [--runs 3 --chains 4 --warmup 1000
// --draws 1000 --seed 1] [--binaries simd,relaxed] [--stan | --peer stan.json]` (after `npm run build`, whose
// dist/worker.js the pool spawns). Prints {"sampling": {...}}.
//
// Each run is its own process (bench/sampling-one.mjs). --binaries lists the wasm binaries to run, in turn
// within each round so that both see the same drift of a shared machine: `simd` is the plain SIMD binary
// (what Node 20 runs by default), `relaxed` the binary with fused multiply-add (what Chromium and Node ≥ 22
// run by default); each child gets the V8 flag that picks its binary. Default: simd.
// --stan also runs the peer, Stan's NUTS on the same posterior with the same protocol, in this run and on
// this machine (bench/stan-run.mjs, 15–20 minutes), and reports the ratios to it; --peer reads a result of
// bench/stan-run.mjs measured earlier on this machine; with neither, the ratios are to the recorded anchor
// (STAN_ANCHOR), measured on another machine.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    chains: { type: 'string' }, warmup: { type: 'string' }, draws: { type: 'string' }, seed: { type: 'string' },
    binaries: { type: 'string', default: 'simd' },
    stan: { type: 'boolean', default: false },
    peer: { type: 'string' },
  },
  strict: true,
});
// Each binary's V8 flag, said both ways: Node 20 validates relaxed SIMD only with it, Node ≥ 22 by default.
const FLAGS = { simd: ['--no-experimental-wasm-relaxed-simd'], relaxed: ['--experimental-wasm-relaxed-simd'] };
const binaries = o.binaries.split(',');
for (const b of binaries) if (!(b in FLAGS)) throw new Error(`--binaries: expected simd and/or relaxed, found ${b}`);
const script = (name) => fileURLToPath(new URL(name, import.meta.url));
// The same protocol on both sides: chains, warmup, draws and seed given here reach every run and the peer.
const same = ['chains', 'warmup', 'draws', 'seed'].flatMap((f) => (o[f] !== undefined ? [`--${f}`, o[f]] : []));

// Several runs (default 3), each binary's reported as its run with the median gradient rate, beside every
// run's figures: a 2-core machine's noise moves one run by ±20 %.
const runs = Number(o.runs);
const all = Object.fromEntries(binaries.map((b) => [b, []]));
for (let i = 0; i < runs; i++) {
  for (const b of binaries) {
    const r = spawnSync(process.execPath, [...FLAGS[b], script('sampling-one.mjs'), ...same], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sampling run failed (exit ${r.status})`);
    const run = JSON.parse(r.stdout.trim().split('\n').pop()).run;
    if (run.wasm !== b) throw new Error(`asked for the ${b} binary, the run used ${run.wasm}`);
    console.error(`run ${i + 1}/${runs} (${b}): ${run.grad_evals_per_s_per_chain.toFixed(0)} gradients/s per chain, predictive ESS/s ${run.pred_ess_per_s.toFixed(2)}, R̂ ${run.rhat_max.toFixed(3)}`);
    all[b].push(run);
  }
}

// Stan (rstan 2.21, 4 chains × (1000 + 1000) on 2 cores) on a 2-core AMD EPYC, 2026-11-29: the peer's
// figures when it is not run here. Both sides' speed depends on the processor, so a ratio to this anchor
// holds only on a machine like that one; --stan measures the peer beside us.
const STAN_ANCHOR = { grad_evals_per_s_per_chain: 1613, pred_ess_per_s: 2.87, cpu: 'AMD EPYC (2 cores), 2026-11-29', measured: 'anchor' };
let peer = STAN_ANCHOR;
if (o.peer !== undefined) {
  peer = { ...JSON.parse(readFileSync(o.peer, 'utf8')).stan, measured: 'this run' };
} else if (o.stan) {
  console.error('running the Stan peer (bench/stan-run.mjs; 15–20 minutes)');
  const r = spawnSync(process.execPath, [script('stan-run.mjs'), ...same], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`the Stan peer failed (exit ${r.status}); run node bench/stan-run.mjs to see why`);
  peer = { ...JSON.parse(r.stdout.trim().split('\n').pop()).stan, measured: 'this run' };
}
const ratio = (r) => ({
  grad_ratio: r.grad_evals_per_s_per_chain / peer.grad_evals_per_s_per_chain,
  ess_ratio: r.pred_ess_per_s / peer.pred_ess_per_s,
});
const summary = (list) => {
  const byRate = [...list].sort((a, b) => a.grad_evals_per_s_per_chain - b.grad_evals_per_s_per_chain);
  const median = byRate[Math.floor((byRate.length - 1) / 2)];
  return {
    ...median,
    ...ratio(median),
    runs: list.map((r) => ({ grad_evals_per_s_per_chain: r.grad_evals_per_s_per_chain, pred_ess_per_s: r.pred_ess_per_s, wall_s: r.wall_s, rhat_max: r.rhat_max, ...ratio(r) })),
  };
};
const by_binary = Object.fromEntries(binaries.map((b) => [b, summary(all[b])]));
// The first binary listed is the headline (run.mjs's line); every binary is in by_binary.
const sampling = { ...by_binary[binaries[0]], cpu: cpus()[0]?.model ?? 'unknown', peer, by_binary };
for (const b of binaries) {
  const s = by_binary[b];
  console.error(`${b}: median run ${s.grad_evals_per_s_per_chain.toFixed(0)} gradients/s per chain = ${s.grad_ratio.toFixed(1)}× Stan's ${peer.grad_evals_per_s_per_chain.toFixed(0)} (${peer.measured}, ${peer.cpu}); predictive ESS/s ${s.ess_ratio.toFixed(1)}×`);
}
console.log(JSON.stringify({ sampling }));

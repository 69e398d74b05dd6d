/**
 * NUTS's own cost per leapfrog step: the kernel on a 501-D standard normal (the BNN benchmark's
 * dimension) whose gradient is a JavaScript loop of ≈ 1 µs, at a step size that makes trees of depth
 * 9 (≈ 511 steps), as the BNN's do. What is left after the target's own time is the trajectory's
 * bookkeeping: the f64 passes of the leaves and merges, and the recursion in JavaScript.
 */
import { nuts } from '../src/samplers/nuts.js';
import { philoxRng } from '../src/samplers/rng.js';
import { Arena } from '../src/wasm/index.js';

export interface NutsOverheadBench {
  dim: number;
  /** ns per leapfrog step of the kernel, target included: the minimum over rounds. */
  ns_per_leapfrog: number;
  /** ns per call of the target alone: the minimum over rounds. */
  ns_target: number;
  /** The difference: NUTS's bookkeeping per leapfrog step. */
  ns_bookkeeping: number;
  leapfrogs_per_round: number;
}

export async function benchNutsOverhead(o: { dim?: number; transitions?: number; rounds?: number } = {}): Promise<NutsOverheadBench> {
  const dim = o.dim ?? 501;
  const transitions = o.transitions ?? 4;
  const rounds = o.rounds ?? 15;
  const target = {
    dim,
    logDensity(q: Float64Array, g: Float64Array): number {
      let s = 0;
      for (let i = 0; i < dim; i++) {
        const x = q[i];
        g[i] = -x;
        s += x * x;
      }
      return -0.5 * s;
    },
  };
  const kernel = nuts(target, {}, await Arena.create());
  const state = kernel.init(Float64Array.from({ length: dim }, (_, i) => Math.sin(i)));
  const params = { stepSize: 0.01, invMetric: new Float64Array(dim).fill(1) };
  // The minimum over rounds: preemption and a busy neighbour only ever add time.
  let best = Infinity;
  let leapfrogs = 0;
  for (let r = 0; r < rounds; r++) {
    let n = 0;
    const t0 = performance.now();
    for (let t = 0; t < transitions; t++) n += kernel.step(state, philoxRng(7, 0, r * transitions + t + 1), params).info.nLeapfrog;
    best = Math.min(best, ((performance.now() - t0) * 1e6) / n);
    leapfrogs = n;
  }
  const q = new Float64Array(dim).fill(0.1);
  const g = new Float64Array(dim);
  let targetBest = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 2000; i++) {
      q[i % dim] += 1e-9;
      target.logDensity(q, g);
    }
    targetBest = Math.min(targetBest, ((performance.now() - t0) * 1e6) / 2000);
  }
  return { dim, ns_per_leapfrog: best, ns_target: targetBest, ns_bookkeeping: best - targetBest, leapfrogs_per_round: leapfrogs };
}

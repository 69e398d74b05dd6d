/**
 * The validation grid of `priorPrecisionMode: 'grid'` (laplace-torch's gridsearch): every λ of
 * logspace(−4, 4, 21), and for a gaussian likelihood without a given noise every σ² of 13 around the
 * residual variance, scored by the held-out rows' NLL under the linearized predictive; the lowest
 * wins (the first in grid order on a tie).
 *
 * Batches outside, candidates inside: each batch of held-out rows is passed through the network once
 * and every candidate's output covariances J Σ Jᵀ are formed from it (Factors.candidateCovs), so a
 * full curvature costs one eigendecomposition for the whole grid instead of one factorization per
 * candidate (273 of them for a gaussian likelihood). Between batches the search gives the thread back,
 * reports its batches (`phase: 'prior'`) and stops with E_ABORTED once the signal is aborted.
 */
import { BdlError } from '../../errors.js';
import type { Dataset } from '../../data/dataset.js';
import type { Mlp } from '../../model/mlp.js';
import { runYielding, type Steps } from '../../posterior/yielding.js';
import type { CurvatureRun } from './curvature.js';
import { Linearization } from './engine.js';
import { scaleOf, type EvidenceContext, type Hyper } from './evidence.js';
import { probitProbs } from './predictive.js';
import * as exact from '../../random/exact-math.js';

/** Rows per batch of the held-out pass (the predictive's batch). */
const BATCH = 256;

/** The grid's λ: logspace(−4, 4, 21). */
export const GRID_PRIORS = Array.from({ length: 21 }, (_, i) => 10 ** (-4 + 0.4 * i));

/** The grid's noise variances around `noiseVar`: 10^(−1.5 … 1.5) times it, 13 of them. */
export function gridNoises(noiseVar: number): number[] {
  return Array.from({ length: 13 }, (_, i) => noiseVar * 10 ** (-1.5 + 0.25 * i));
}

/** The candidate of least held-out NLL (`val` in the network's standardized units). */
export async function gridSearch(mlp: Mlp, theta: Float32Array, ctx: EvidenceContext, start: Hyper, selectNoise: boolean, val: Dataset, run: CurvatureRun = {}): Promise<Hyper> {
  const G = start.prior.length;
  const noises = selectNoise ? gridNoises(start.noiseVar) : [start.noiseVar];
  const candidates: Hyper[] = GRID_PRIORS.flatMap((lam) => noises.map((noiseVar) => ({ prior: new Float64Array(G).fill(lam), noiseVar })));
  const nll = await runYielding(gridSteps(mlp, theta, ctx, candidates, val, run), run.signal, 'laplace: choosing the prior precision');
  let best = start;
  let bestNll = Infinity;
  candidates.forEach((h, i) => {
    if (nll[i] < bestNll) {
      bestNll = nll[i];
      best = h;
    }
  });
  if (bestNll === Infinity) throw new BdlError('E_NONFINITE', 'laplace: every prior precision of the grid gave a non-finite validation NLL. Check the validation rows, or use priorPrecisionMode \'marglik\'.', 'priorPrecisionMode');
  return best;
}

/** Each candidate's held-out NLL, summed row by row in row order. */
function* gridSteps(mlp: Mlp, theta: Float32Array, ctx: EvidenceContext, candidates: Hyper[], val: Dataset, run: CurvatureRun): Steps<Float64Array> {
  const arena = mlp.arena;
  const spec = mlp.spec;
  const K = mlp.layout.outputWidth;
  const N = val.n;
  const B = Math.min(BATCH, N);
  const batches = Math.ceil(N / B);
  run.onProgress?.({ epoch: 0, epochs: batches, loss: NaN, phase: 'prior' });
  const nll = new Float64Array(candidates.length);
  const mark = arena.mark();
  try {
    const covsOf = yield* ctx.factors.candidateCovs(candidates.map((h) => ({ prior: h.prior, s: scaleOf(ctx, h.noiseVar) })));
    // C = K unit output vectors: the backpropagated δ_c are the Jacobian rows.
    const lin = new Linearization(spec, arena, B, K, Math.min(...ctx.sub.layers));
    const pTheta = arena.putF32(theta);
    const px = arena.allocF32(B * spec.inputs);
    for (let s = 0, done = 0; s < N; s += B) {
      const b = Math.min(B, N - s);
      arena.putF32(val.x.subarray(s * spec.inputs, (s + b) * spec.inputs), px);
      const mean = arena.getF32(lin.forward(pTheta, px, b), b * K);
      const v = arena.f32(lin.v, K * B * K);
      v.fill(0);
      for (let c = 0; c < K; c++) for (let n = 0; n < b; n++) v[(c * B + n) * K + c] = 1;
      lin.backward(pTheta, b);
      const covs = yield* covsOf(lin, b);
      const y = val.y.subarray(s * val.targets, (s + b) * val.targets);
      candidates.forEach((h, i) => (nll[i] = addNll(nll[i], spec.likelihood, mean, covs[i], y, b, K, h.noiseVar)));
      run.onProgress?.({ epoch: ++done, epochs: batches, loss: NaN, phase: 'prior' });
      yield;
    }
  } finally {
    arena.reset(mark);
  }
  return nll;
}

/** `total` plus the NLL of b rows under output means and covariances (gaussian: + noise), row by row. */
function addNll(total: number, lik: string, mean: Float32Array, cov: Float64Array, y: Float32Array, b: number, K: number, noiseVar: number): number {
  let s = total;
  if (lik === 'gaussian') {
    for (let n = 0; n < b; n++) {
      for (let t = 0; t < K; t++) {
        const v = cov[(n * K + t) * K + t] + noiseVar;
        s += 0.5 * exact.log(2 * Math.PI * v) + (y[n * K + t] - mean[n * K + t]) ** 2 / (2 * v);
      }
    }
    return s;
  }
  const bern = lik === 'bernoulli';
  const p = probitProbs(mean, cov, b, K, bern);
  const Kp = bern ? 2 : K;
  for (let n = 0; n < b; n++) s -= exact.log(Math.max(p[n * Kp + y[n]], 1e-300));
  return s;
}

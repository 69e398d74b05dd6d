/**
 * Turning S posterior samples' outputs into a Predictive: the uniform mixture over samples.
 * Regression: mean = E[μ], aleatoric = E[σ²], epistemic = Var[μ]. Classification: averaged
 * probabilities with total entropy, expected entropy and their difference (mutual information).
 */
import { BdlError } from '../errors.js';
import { rowsPerStep, runSteps, type Steps } from './yielding.js';
import type { ClassificationPredictive, Predictive, RegressionPredictive } from './types.js';
import * as exact from '../random/exact-math.js';

/**
 * Regression predictive from per-sample means and variances (each S × M, M = N·T, already in original
 * units). With `withMembers` (default) the result carries the members, for the exact mixture likelihood.
 */
export function regressionPredictive(means: Float32Array, variances: Float32Array, S: number, withMembers = true): RegressionPredictive {
  return runSteps(regressionSteps(means, variances, S, withMembers));
}

/**
 * `regressionPredictive` with a yield point after each block of values (see steps.ts): each value's
 * sums run over the samples in the same order as in one pass, so the bits are the same.
 */
export function* regressionSteps(means: Float32Array, variances: Float32Array, S: number, withMembers = true): Steps<RegressionPredictive> {
  const M = means.length / S;
  const mean = new Float64Array(M);
  const aleatoric = new Float64Array(M);
  const epistemic = new Float64Array(M);
  const variance = new Float64Array(M);
  const step = rowsPerStep(3 * S);
  for (let i0 = 0; i0 < M; i0 += step) {
    const i1 = Math.min(M, i0 + step);
    for (let s = 0; s < S; s++) {
      for (let i = i0; i < i1; i++) {
        mean[i] += means[s * M + i];
        aleatoric[i] += variances[s * M + i];
      }
    }
    for (let i = i0; i < i1; i++) {
      mean[i] /= S;
      aleatoric[i] /= S;
    }
    for (let s = 0; s < S; s++) {
      for (let i = i0; i < i1; i++) epistemic[i] += (means[s * M + i] - mean[i]) ** 2;
    }
    for (let i = i0; i < i1; i++) {
      epistemic[i] /= S;
      variance[i] = aleatoric[i] + epistemic[i];
    }
    if (i1 < M) yield;
  }
  return {
    kind: 'regression',
    mean,
    variance,
    aleatoric,
    epistemic,
    members: withMembers ? { mean: means, variance: variances, count: S } : undefined,
  };
}

/** Classification predictive from per-sample probabilities (S × N × K). */
export function classificationPredictive(probs: Float32Array, S: number, K: number): ClassificationPredictive {
  return runSteps(classificationSteps(probs, S, K));
}

/** `classificationPredictive` with a yield point after each block of rows (same order of sums, same bits). */
export function* classificationSteps(probs: Float32Array, S: number, K: number): Steps<ClassificationPredictive> {
  const NK = probs.length / S;
  const N = NK / K;
  const avg = new Float64Array(NK);
  const expectedEntropy = new Float64Array(N);
  const entropy = new Float64Array(N);
  const mutualInformation = new Float64Array(N);
  const step = rowsPerStep(4 * S * K);
  for (let i0 = 0; i0 < N; i0 += step) {
    const i1 = Math.min(N, i0 + step);
    for (let s = 0; s < S; s++) {
      for (let i = i0; i < i1; i++) {
        let h = 0;
        for (let c = 0; c < K; c++) {
          const p = probs[s * NK + i * K + c];
          avg[i * K + c] += p / S;
          if (p > 0) h -= p * exact.log(p);
        }
        expectedEntropy[i] += h / S;
      }
    }
    for (let i = i0; i < i1; i++) {
      let h = 0;
      for (let c = 0; c < K; c++) {
        const p = avg[i * K + c];
        if (p > 0) h -= p * exact.log(p);
      }
      entropy[i] = h;
      // Jensen: H[E p] ≥ E H[p]; clamp the rounding-level negatives.
      mutualInformation[i] = Math.max(0, h - expectedEntropy[i]);
    }
    if (i1 < N) yield;
  }
  return { kind: 'classification', probs: avg, classes: K, entropy, expectedEntropy, mutualInformation };
}

/**
 * Predictives of disjoint row blocks (same method, same samples) as one predictive of all their rows,
 * in block order: per-row arrays concatenate; per-sample members interleave so sample s's rows stay
 * contiguous (S × ΣN·T). Used to pool cross-validation folds.
 */
export function concatPredictives(parts: readonly Predictive[]): Predictive {
  if (parts.length === 0) throw new BdlError('E_ARG', 'concatPredictives: expected at least one predictive, found none.', 'parts');
  const cat = (arrays: Float64Array[]) => {
    const out = new Float64Array(arrays.reduce((a, b) => a + b.length, 0));
    let at = 0;
    for (const a of arrays) (out.set(a, at), (at += a.length));
    return out;
  };
  const first = parts[0];
  if (first.kind === 'classification') {
    const ps = parts.map((p) => (p.kind === 'classification' && p.classes === first.classes ? p : mismatch()));
    return { kind: 'classification', classes: first.classes, probs: cat(ps.map((p) => p.probs)), entropy: cat(ps.map((p) => p.entropy)), expectedEntropy: cat(ps.map((p) => p.expectedEntropy)), mutualInformation: cat(ps.map((p) => p.mutualInformation)) };
  }
  const ps = parts.map((p) => (p.kind === 'regression' && (p.members?.count ?? 0) === (first.members?.count ?? 0) ? p : mismatch()));
  let members: RegressionPredictive['members'];
  if (first.members) {
    const S = first.members.count;
    const rows = ps.reduce((a, p) => a + p.mean.length, 0);
    const mean = new Float32Array(S * rows);
    const variance = new Float32Array(S * rows);
    let at = 0;
    for (const p of ps) {
      const n = p.mean.length;
      for (let s = 0; s < S; s++) {
        mean.set(p.members!.mean.subarray(s * n, (s + 1) * n), s * rows + at);
        variance.set(p.members!.variance.subarray(s * n, (s + 1) * n), s * rows + at);
      }
      at += n;
    }
    members = { mean, variance, count: S };
  }
  return { kind: 'regression', mean: cat(ps.map((p) => p.mean)), variance: cat(ps.map((p) => p.variance)), aleatoric: cat(ps.map((p) => p.aleatoric)), epistemic: cat(ps.map((p) => p.epistemic)), members };
}

function mismatch(): never {
  throw new BdlError('E_ARG', 'concatPredictives: the predictives differ in kind, classes or sample count; pool only blocks of one posterior.', 'parts');
}

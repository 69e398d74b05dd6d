/**
 * Turning S posterior samples' outputs into a Predictive: the uniform mixture over samples.
 * Regression: mean = E[μ], aleatoric = E[σ²], epistemic = Var[μ]. Classification: averaged
 * probabilities with total entropy, expected entropy and their difference (mutual information).
 */
import type { ClassificationPredictive, RegressionPredictive } from './types.js';

/**
 * Regression predictive from per-sample means and variances (each S × M, M = N·T, already in original
 * units). Keeps the members for the exact mixture likelihood unless `keepMembers` is false.
 */
export function regressionPredictive(means: Float32Array, variances: Float32Array, S: number, keepMembers = true): RegressionPredictive {
  const M = means.length / S;
  const mean = new Float64Array(M);
  const aleatoric = new Float64Array(M);
  const epistemic = new Float64Array(M);
  for (let s = 0; s < S; s++) {
    for (let i = 0; i < M; i++) {
      mean[i] += means[s * M + i];
      aleatoric[i] += variances[s * M + i];
    }
  }
  for (let i = 0; i < M; i++) {
    mean[i] /= S;
    aleatoric[i] /= S;
  }
  for (let s = 0; s < S; s++) {
    for (let i = 0; i < M; i++) epistemic[i] += (means[s * M + i] - mean[i]) ** 2;
  }
  const variance = new Float64Array(M);
  for (let i = 0; i < M; i++) {
    epistemic[i] /= S;
    variance[i] = aleatoric[i] + epistemic[i];
  }
  return {
    kind: 'regression',
    mean,
    variance,
    aleatoric,
    epistemic,
    members: keepMembers ? { mean: means, variance: variances, count: S } : undefined,
  };
}

/** Classification predictive from per-sample probabilities (S × N × K). */
export function classificationPredictive(probs: Float32Array, S: number, K: number): ClassificationPredictive {
  const NK = probs.length / S;
  const N = NK / K;
  const avg = new Float64Array(NK);
  const expectedEntropy = new Float64Array(N);
  for (let s = 0; s < S; s++) {
    for (let i = 0; i < N; i++) {
      let h = 0;
      for (let c = 0; c < K; c++) {
        const p = probs[s * NK + i * K + c];
        avg[i * K + c] += p / S;
        if (p > 0) h -= p * Math.log(p);
      }
      expectedEntropy[i] += h / S;
    }
  }
  const entropy = new Float64Array(N);
  const mutualInformation = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let h = 0;
    for (let c = 0; c < K; c++) {
      const p = avg[i * K + c];
      if (p > 0) h -= p * Math.log(p);
    }
    entropy[i] = h;
    // Jensen: H[E p] ≥ E H[p]; clamp the rounding-level negatives.
    mutualInformation[i] = Math.max(0, h - expectedEntropy[i]);
  }
  return { kind: 'classification', probs: avg, classes: K, entropy, expectedEntropy, mutualInformation };
}

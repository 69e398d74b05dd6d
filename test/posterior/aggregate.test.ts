import { describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { classificationPredictive, concatPredictives, regressionPredictive } from '../../src/posterior/aggregate.js';
import { Rng } from '../../src/random/index.js';

/** S samples' per-row values (S × rows), row-major per sample. */
function draws(S: number, rows: number, seed: number, positive = false): Float32Array {
  const r = new Rng(seed, 0);
  return Float32Array.from({ length: S * rows }, () => (positive ? 0.1 + r.uniform() : r.normal()));
}

/** The rows [from, to) of every sample of an S × rows array. */
function rowsOf(a: Float32Array, S: number, rows: number, from: number, to: number): Float32Array {
  const out = new Float32Array(S * (to - from));
  for (let s = 0; s < S; s++) out.set(a.subarray(s * rows + from, s * rows + to), s * (to - from));
  return out;
}

describe('concatPredictives (pooling row blocks, e.g. cross-validation folds)', () => {
  it('regression: the blocks of one predictive pool back into it, members included', () => {
    const S = 4, N = 7;
    const means = draws(S, N, 1), vars = draws(S, N, 2, true);
    const whole = regressionPredictive(means, vars, S);
    const parts = [[0, 3], [3, 4], [4, 7]].map(([a, b]) => regressionPredictive(rowsOf(means, S, N, a, b), rowsOf(vars, S, N, a, b), S));
    const pooled = concatPredictives(parts);
    expect(pooled).toEqual(whole);
  });

  it('classification: probabilities and entropies concatenate by row', () => {
    const S = 3, N = 5, K = 4;
    const raw = draws(S, N * K, 3, true);
    for (let s = 0; s < S; s++) {
      for (let i = 0; i < N; i++) {
        let z = 0;
        for (let c = 0; c < K; c++) z += raw[(s * N + i) * K + c];
        for (let c = 0; c < K; c++) raw[(s * N + i) * K + c] /= z;
      }
    }
    const whole = classificationPredictive(raw, S, K);
    const parts = [[0, 2], [2, 5]].map(([a, b]) => classificationPredictive(rowsOf(raw, S, N * K, a * K, b * K), S, K));
    expect(concatPredictives(parts)).toEqual(whole);
  });

  it('refuses an empty list and blocks of different kinds or sample counts', () => {
    const a = regressionPredictive(draws(2, 3, 4), draws(2, 3, 5, true), 2);
    const b = regressionPredictive(draws(3, 3, 4), draws(3, 3, 5, true), 3);
    const c = classificationPredictive(Float32Array.from([0.5, 0.5]), 1, 2);
    expect(() => concatPredictives([])).toThrow(BdlError);
    expect(() => concatPredictives([a, b])).toThrow(BdlError);
    expect(() => concatPredictives([a, c])).toThrow(BdlError);
  });
});

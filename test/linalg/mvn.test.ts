import { beforeAll, describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { cholesky, inverse, sampleMvn, sampleMvnPrecision } from '../../src/linalg/index.js';
import { Arena } from '../../src/wasm/index.js';
import { makeRng, matmul, randn, refCholesky, transpose } from './reference.js';

let arena: Arena;
beforeAll(async () => {
  arena = await Arena.create();
});

/** Sample mean and covariance of s draws of dimension n (rows of x). */
function moments(x: Float64Array, n: number): { mean: Float64Array; cov: Float64Array } {
  const s = x.length / n;
  const mean = new Float64Array(n);
  for (let k = 0; k < s; k++) for (let i = 0; i < n; i++) mean[i] += x[k * n + i] / s;
  const cov = new Float64Array(n * n);
  for (let k = 0; k < s; k++) {
    for (let i = 0; i < n; i++) {
      const di = x[k * n + i] - mean[i];
      for (let j = 0; j < n; j++) cov[i * n + j] += (di * (x[k * n + j] - mean[j])) / (s - 1);
    }
  }
  return { mean, cov };
}

/** Largest |Ŝ − Σ| relative to √(Σii·Σjj). */
function covError(est: Float64Array, cov: Float64Array, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) m = Math.max(m, Math.abs(est[i * n + j] - cov[i * n + j]) / Math.sqrt(cov[i * n + i] * cov[j * n + j]));
  }
  return m;
}

describe('sampleMvn', () => {
  // Strongly non-symmetric factor: L·Lᵀ and Lᵀ·L differ a lot, so a transposed factor is caught.
  const n = 4;
  const cov = new Float64Array([4, 3, 1, 0.5, 3, 3.5, 1.5, 0.2, 1, 1.5, 2, 0.3, 0.5, 0.2, 0.3, 1]);
  const l = refCholesky(cov, n);
  const mean = new Float64Array([1, -2, 0.5, 10]);
  const z = randn(20000 * n, makeRng(42));

  it('draws with covariance L·Lᵀ (20k draws, within 5 %) and the given mean', () => {
    const x = sampleMvn(mean, l, z);
    const m = moments(x, n);
    expect(covError(m.cov, cov, n)).toBeLessThan(0.05);
    for (let i = 0; i < n; i++) expect(Math.abs(m.mean[i] - mean[i])).toBeLessThan(0.05 * Math.sqrt(cov[i * n + i]));
  });

  it('the same check would catch the transposed factor (x = mean + zᵀL)', () => {
    const wrong = new Float64Array(z.length);
    for (let s = 0; s < z.length / n; s++) {
      for (let j = 0; j < n; j++) {
        let v = mean[j];
        for (let i = 0; i < n; i++) v += z[s * n + i] * l[i * n + j];
        wrong[s * n + j] = v;
      }
    }
    expect(covError(moments(wrong, n).cov, cov, n)).toBeGreaterThan(0.2);
    // Sanity: that covariance is Lᵀ·L.
    expect(covError(moments(wrong, n).cov, matmul(transpose(l, n, n), l, n, n, n), n)).toBeLessThan(0.05);
  });

  it('rejects mismatched shapes', () => {
    expect(() => sampleMvn(mean, l, new Float64Array(5))).toThrowError(BdlError);
    expect(() => sampleMvn(mean, new Float64Array(9), z)).toThrowError(/l: expected 16 values/);
  });
});

describe('sampleMvnPrecision', () => {
  it('draws with covariance P⁻¹ from the factor of the precision P (20k draws, within 5 %)', () => {
    const n = 5;
    const p = new Float64Array([
      3, 1.2, 0.4, 0, 0.9,
      1.2, 2, 0.3, 0.2, 0,
      0.4, 0.3, 1.5, 0.6, 0.1,
      0, 0.2, 0.6, 1, 0.2,
      0.9, 0, 0.1, 0.2, 2.5,
    ]);
    const { l } = cholesky(arena, p, n);
    const cov = inverse(arena, l, n);
    const mean = new Float64Array([0, 1, 2, 3, 4]);
    const z = randn(20000 * n, makeRng(8));
    const x = sampleMvnPrecision(arena, mean, l, z);
    const m = moments(x, n);
    expect(covError(m.cov, cov, n)).toBeLessThan(0.05);
    for (let i = 0; i < n; i++) expect(Math.abs(m.mean[i] - mean[i])).toBeLessThan(0.05 * Math.sqrt(cov[i * n + i]));
    // The covariance-factor sampler on the same L gives P, not P⁻¹: the test tells them apart.
    expect(covError(moments(sampleMvn(mean, l, z), n).cov, cov, n)).toBeGreaterThan(0.2);
  });
});

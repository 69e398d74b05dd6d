/**
 * Conjugate Bayesian linear regression for sampler tests: y = Xw + b + ε, ε ~ N(0, σ²), prior
 * N(0, I/λ) on (w, b). Exact posterior N(m, S), S⁻¹ = λI + X̃ᵀX̃/σ², m = S·X̃ᵀy/σ², X̃ = [X, 1].
 * The parameter order matches a network with no hidden layer: θ = [w (inputs×1), b].
 */
import { makeDataset, type Dataset } from '../../src/data/dataset.js';
import { Rng } from '../../src/random/index.js';

export interface Conjugate {
  data: Dataset;
  mean: Float64Array;
  cov: Float64Array[];
  sigma: number;
  lambda: number;
}

export function conjugateRegression(n: number, inputs: number, sigma: number, lambda: number, seed: number): Conjugate {
  const rng = new Rng(seed, 7);
  const x: number[][] = [];
  const y: number[] = [];
  const w = Array.from({ length: inputs }, (_, j) => 0.8 - 0.5 * j);
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: inputs }, () => 2 * rng.uniform() - 1);
    x.push(row);
    // Sum of 12 uniforms − 6: near-Gaussian noise of unit variance.
    let e = -6;
    for (let k = 0; k < 12; k++) e += rng.uniform();
    y.push(row.reduce((s, v, j) => s + v * w[j], 0.3) + sigma * e);
  }
  const P = inputs + 1;
  const A = Array.from({ length: P }, (_, i) => Array.from({ length: P }, (_, j) => (i === j ? lambda : 0)));
  const r = new Array(P).fill(0);
  for (let i = 0; i < n; i++) {
    const xt = [...x[i], 1];
    for (let a = 0; a < P; a++) {
      r[a] += (xt[a] * y[i]) / sigma ** 2;
      for (let b = 0; b < P; b++) A[a][b] += (xt[a] * xt[b]) / sigma ** 2;
    }
  }
  const cov = invert(A);
  const mean = Float64Array.from(cov.map((row) => row.reduce((s, v, j) => s + v * r[j], 0)));
  return { data: makeDataset(x, y), mean, cov: cov.map((r) => Float64Array.from(r)), sigma, lambda };
}

/** Gauss–Jordan inverse of a small SPD matrix. */
function invert(A: number[][]): number[][] {
  const n = A.length;
  const M = A.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    const p = M[c][c];
    for (let j = 0; j < 2 * n; j++) M[c][j] /= p;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r][c];
      for (let j = 0; j < 2 * n; j++) M[r][j] -= f * M[c][j];
    }
  }
  return M.map((row) => row.slice(n));
}

/** Per-coordinate sample mean and variance of S × P samples. */
export function moments(samples: Float32Array, P: number): { mean: Float64Array; variance: Float64Array } {
  const S = samples.length / P;
  const mean = new Float64Array(P);
  const variance = new Float64Array(P);
  for (let s = 0; s < S; s++) for (let j = 0; j < P; j++) mean[j] += samples[s * P + j] / S;
  for (let s = 0; s < S; s++) for (let j = 0; j < P; j++) variance[j] += (samples[s * P + j] - mean[j]) ** 2 / (S - 1);
  return { mean, variance };
}

/** Column j of S × P samples as one chain. */
export function column(samples: Float32Array, P: number, j: number): Float64Array {
  const S = samples.length / P;
  return Float64Array.from({ length: S }, (_, s) => samples[s * P + j]);
}

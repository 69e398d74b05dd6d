// Test-side helpers of the samplers: targets, and running several chains with the library's
// Philox generator and reading their draws per parameter.
import { expect } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { mcseMean, rankNormalizedRhat } from '../../src/diagnostics/index.js';
export { philoxRng } from '../../src/samplers/index.js';
import { philoxRng, runChain, type ChainOptions, type ChainResult, type Target } from '../../src/samplers/index.js';

/** Runs `chains` chains (sequentially) with the test generator. */
export async function runChains(target: Target, chains: number, opts: Omit<ChainOptions, 'rng' | 'chain'>): Promise<ChainResult[]> {
  const out: ChainResult[] = [];
  for (let c = 0; c < chains; c++) out.push(await runChain(target, { ...opts, rng: philoxRng, chain: c, yieldEveryMs: 0 }));
  return out;
}

/** Draws of parameter (or function) f as chains × draws. */
export function param(results: ChainResult[], f: number | ((x: Float64Array) => number)): Float64Array[] {
  return results.map((r) => {
    const s = r.samples!;
    const out = new Float64Array(s.count);
    for (let i = 0; i < s.count; i++) {
      const x = s.draws.subarray(i * s.dim, (i + 1) * s.dim);
      out[i] = typeof f === 'number' ? x[f] : f(x);
    }
    return out;
  });
}

/** Zero-mean Gaussian with precision matrix P (dense, row-major d×d). */
export function gaussianTarget(P: Float64Array, d: number, mean = new Float64Array(d)): Target {
  const r = new Float64Array(d);
  return {
    dim: d,
    logDensity(x, g) {
      for (let i = 0; i < d; i++) r[i] = x[i] - mean[i];
      let lp = 0;
      for (let i = 0; i < d; i++) {
        let s = 0;
        for (let j = 0; j < d; j++) s += P[i * d + j] * r[j];
        g[i] = -s;
        lp -= 0.5 * r[i] * s;
      }
      return lp;
    },
  };
}

/** Inverse of a small symmetric positive-definite matrix by Gauss–Jordan (test-sized only). */
export function invert(A: Float64Array, d: number): Float64Array {
  const M = Float64Array.from(A);
  const I = new Float64Array(d * d);
  for (let i = 0; i < d; i++) I[i * d + i] = 1;
  for (let c = 0; c < d; c++) {
    const piv = M[c * d + c];
    for (let j = 0; j < d; j++) { M[c * d + j] /= piv; I[c * d + j] /= piv; }
    for (let r = 0; r < d; r++) {
      if (r === c) continue;
      const f = M[r * d + c];
      for (let j = 0; j < d; j++) { M[r * d + j] -= f * M[c * d + j]; I[r * d + j] -= f * I[c * d + j]; }
    }
  }
  return I;
}

/** Independent N(0, sd_i²) coordinates (sd = 1 by default). */
export function normalTarget(d: number, sd?: Float64Array): Target {
  return {
    dim: d,
    logDensity(x, g) {
      let lp = 0;
      for (let i = 0; i < d; i++) {
        const s = sd ? sd[i] : 1;
        g[i] = -x[i] / (s * s);
        lp += 0.5 * x[i] * g[i];
      }
      return lp;
    },
  };
}

/** Neal's funnel in d dimensions: v ~ N(0, 3²), x_i | v ~ N(0, e^v), i = 1 … d−1 (θ = [v, x…]). */
export function funnelTarget(d: number): Target {
  return {
    dim: d,
    logDensity(t, g) {
      const v = t[0];
      const ev = Math.exp(-v);
      let lp = -v * v / 18;
      g[0] = -v / 9;
      for (let i = 1; i < d; i++) {
        lp -= 0.5 * t[i] * t[i] * ev + 0.5 * v;
        g[0] += 0.5 * t[i] * t[i] * ev - 0.5;
        g[i] = -t[i] * ev;
      }
      return lp;
    },
  };
}

/**
 * Conjugate Bayesian linear regression y = Xβ + ε, ε ~ N(0, σ²), β ~ N(0, τ² I), with fixed
 * simulated data: the posterior is N(m, S), S = (XᵀX/σ² + I/τ²)⁻¹, m = S Xᵀy/σ².
 */
export function linearRegression(n = 50, p = 3, sigma = 0.5, tau = 2) {
  const rng = philoxRng(2024, 0, 0);
  const X = new Float64Array(n * p);
  const eps = new Float64Array(n);
  rng.normal(X);
  rng.normal(eps);
  const beta = Float64Array.from({ length: p }, (_, j) => [1, -2, 0.5, 0.25, -1][j % 5]);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += X[i * p + j] * beta[j];
    y[i] = s + sigma * eps[i];
  }
  const A = new Float64Array(p * p);
  const b = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    for (let k = 0; k < p; k++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += X[i * p + j] * X[i * p + k];
      A[j * p + k] = s / (sigma * sigma) + (j === k ? 1 / (tau * tau) : 0);
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += X[i * p + j] * y[i];
    b[j] = s / (sigma * sigma);
  }
  const cov = invert(A, p);
  const mean = new Float64Array(p);
  for (let j = 0; j < p; j++) for (let k = 0; k < p; k++) mean[j] += cov[j * p + k] * b[k];
  const r = new Float64Array(n);
  const target: Target = {
    dim: p,
    logDensity(t, g) {
      let lp = 0;
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < p; j++) s += X[i * p + j] * t[j];
        r[i] = (y[i] - s) / (sigma * sigma);
        lp -= 0.5 * (y[i] - s) * r[i];
      }
      for (let j = 0; j < p; j++) {
        let s = -t[j] / (tau * tau);
        for (let i = 0; i < n; i++) s += X[i * p + j] * r[i];
        g[j] = s;
        lp -= 0.5 * t[j] * t[j] / (tau * tau);
      }
      return lp;
    },
  };
  return { target, mean, cov, p };
}

/** Central finite-difference check of a target's gradient at x; returns the largest relative error. */
export function gradError(target: Target, x: Float64Array, h = 1e-6): number {
  const g = new Float64Array(target.dim);
  const tmp = new Float64Array(target.dim);
  target.logDensity(x, g);
  let worst = 0;
  for (let i = 0; i < target.dim; i++) {
    const xp = Float64Array.from(x); xp[i] += h;
    const xm = Float64Array.from(x); xm[i] -= h;
    const fd = (target.logDensity(xp, tmp) - target.logDensity(xm, tmp)) / (2 * h);
    worst = Math.max(worst, Math.abs(fd - g[i]) / Math.max(1, Math.abs(fd)));
  }
  return worst;
}

/**
 * Largest |estimate − truth| / MCSE over the means and the (co)variances E[(x_i − m_i)(x_j − m_j)]
 * (centred at the true means; diagonal only unless `full`), with its label.
 */
export function worstZ(results: ChainResult[], mean: Float64Array, cov: Float64Array, full = false): { z: number; what: string } {
  const d = mean.length;
  let worst = { z: 0, what: '' };
  const check = (chains: Float64Array[], truth: number, what: string) => {
    const n = chains.reduce((s, c) => s + c.length, 0);
    const est = chains.reduce((s, c) => s + c.reduce((a, b) => a + b, 0), 0) / n;
    const z = Math.abs(est - truth) / mcseMean(chains);
    if (!(z <= worst.z)) worst = { z, what: `${what}: ${est} vs ${truth}` };
  };
  for (let i = 0; i < d; i++) {
    check(param(results, i), mean[i], `mean[${i}]`);
    for (let j = full ? 0 : i; j <= i; j++) {
      check(param(results, (x) => (x[i] - mean[i]) * (x[j] - mean[j])), cov[i * d + j], `cov[${i}][${j}]`);
    }
  }
  return worst;
}

/** Largest rank-normalized R̂ over the parameters. */
export function worstRhat(results: ChainResult[]): number {
  let w = 0;
  for (let i = 0; i < results[0].samples!.dim; i++) w = Math.max(w, rankNormalizedRhat(param(results, i)));
  return w;
}

/** The BdlError `p` rejects with (a result fails the test). */
export async function failure(p: Promise<unknown>): Promise<BdlError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(BdlError);
    return e as BdlError;
  }
  throw new Error('expected a BdlError, got a result');
}

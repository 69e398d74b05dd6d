/**
 * Central predictive intervals of a regression predictive, in original target units. Where the
 * predictive keeps its samples' Gaussians (a uniform mixture of S Gaussians per point), the bounds are
 * the mixture's exact quantiles: F(y) = (1/S) Σₛ Φ((y − μₛ)/σₛ) is solved for F(y) = α/2 and 1 − α/2
 * by safeguarded Newton steps inside a bracket that always holds the root. A predictive without
 * samples (the linearized Laplace) is one Gaussian per point: μ ± z·σ.
 */
import { argError, describe } from '../errors.js';
import { normalCdf, normalPdf, normalQuantile } from '../diagnostics/special.js';
import type { Interval, RegressionPredictive } from './types.js';

/** Bisection/Newton stops when the bracket is this narrow relative to the predictive's scale. */
const REL_TOL = 1e-12;
const MAX_ITER = 200;

/** The central `level` interval of each point (default 0.95). */
export function predictiveInterval(p: RegressionPredictive, level = 0.95): Interval {
  if (!(typeof level === 'number' && level > 0 && level < 1)) {
    throw argError('E_ARG', 'level', 'a probability in (0, 1)', describe(level), 'E.g. 0.95 for a 95 % interval.');
  }
  const M = p.mean.length;
  const lower = new Float64Array(M);
  const upper = new Float64Array(M);
  const lo = (1 - level) / 2;
  const m = p.members;
  if (!m || m.count === 1) {
    const mean = m ? m.mean : p.mean;
    const variance = m ? m.variance : p.variance;
    const z = normalQuantile(1 - lo);
    for (let i = 0; i < M; i++) {
      const sd = Math.sqrt(variance[i]);
      lower[i] = mean[i] - z * sd;
      upper[i] = mean[i] + z * sd;
    }
    return { lower, upper };
  }
  const S = m.count;
  const mu = new Float64Array(S);
  const sd = new Float64Array(S);
  for (let i = 0; i < M; i++) {
    for (let s = 0; s < S; s++) {
      mu[s] = m.mean[s * M + i];
      sd[s] = Math.sqrt(m.variance[s * M + i]);
    }
    lower[i] = mixtureQuantile(mu, sd, lo);
    upper[i] = mixtureQuantile(mu, sd, 1 - lo);
  }
  return { lower, upper };
}

/** CDF of the uniform mixture of N(μₛ, σₛ²) at y (a σₛ of 0 is a point mass). */
export function mixtureCdf(mu: ArrayLike<number>, sd: ArrayLike<number>, y: number): number {
  let f = 0;
  for (let s = 0; s < mu.length; s++) f += sd[s] > 0 ? normalCdf((y - mu[s]) / sd[s]) : y >= mu[s] ? 1 : 0;
  return f / mu.length;
}

/**
 * The q-quantile of the uniform mixture. Each component's own q-quantile μₛ + z_q σₛ bounds it: at
 * the smallest of them every component's CDF is ≤ q, at the largest ≥ q, so F − q changes sign in
 * between. Newton steps that leave the bracket become bisections.
 */
export function mixtureQuantile(mu: ArrayLike<number>, sd: ArrayLike<number>, q: number): number {
  const z = normalQuantile(q);
  let a = Infinity;
  let b = -Infinity;
  let scale = 0;
  for (let s = 0; s < mu.length; s++) {
    const v = mu[s] + z * sd[s];
    if (v < a) a = v;
    if (v > b) b = v;
    scale = Math.max(scale, Math.abs(mu[s]), sd[s]);
  }
  if (!(b > a)) return a;
  const tol = REL_TOL * Math.max(scale, 1e-300);
  let y = 0.5 * (a + b);
  for (let it = 0; it < MAX_ITER && b - a > tol; it++) {
    const f = mixtureCdf(mu, sd, y) - q;
    if (f === 0) return y;
    if (f < 0) a = y;
    else b = y;
    let dens = 0;
    for (let s = 0; s < mu.length; s++) if (sd[s] > 0) dens += normalPdf((y - mu[s]) / sd[s]) / sd[s];
    dens /= mu.length;
    const next = dens > 0 ? y - f / dens : NaN;
    if (next > a && next < b) {
      // A Newton step this small means y is within tol of the root (quadratic convergence).
      if (Math.abs(next - y) <= tol) return next;
      y = next;
    } else y = 0.5 * (a + b);
  }
  return y;
}

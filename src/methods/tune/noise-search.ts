/**
 * The observation-noise variance that maximizes a held-out mixture log-likelihood: the "noise
 * precision τ chosen on validation" of the UCI papers, found exactly rather than from a grid.
 *
 * With every posterior sample's noise variance set to a common s, the mean log-likelihood of N
 * held-out targets under the S-sample mixture is
 *   f(s) = (1/N) Σᵢ log (1/S) Σₛ N(yᵢ; μᵢₛ, s),
 * and its derivative is f′(s) = (A(s) − s) / (2s²), where A(s) = (1/N) Σᵢ Σₛ rᵢₛ(s) eᵢₛ² is the
 * responsibility-weighted mean squared residual (eᵢₛ = yᵢ − μᵢₛ, rᵢₛ the posterior weight of sample
 * s for point i). A(s) lies between L = meanᵢ minₛ eᵢₛ² and U = meanᵢ maxₛ eᵢₛ², so f rises below L
 * and falls above U: every maximizer is in [L, U]. For one sample (or identical samples) L = U and
 * the maximizer is the mean squared residual, the Gaussian MLE. Otherwise f is searched on a log
 * grid over [L, U] and refined by golden section around the best grid point.
 */

import { mixtureLogLik } from '../../metrics/regression.js';
import { goldenMax } from '../golden-section.js';
import * as exact from '../../random/exact-math.js';

const LOG_2PI = exact.log(2 * Math.PI);
/** Log-spaced grid points over [L, U] before the golden-section refinement. */
const GRID = 32;
/** Relative width (in s) at which the golden-section search stops. */
const TOL = 1e-7;

/**
 * Mean log-likelihood per point of `y` (N values) under the uniform mixture of the S Gaussians
 * N(μₛᵢ, s): `means` holds S rows of N (sample-major, as `RegressionPredictive.members.mean`).
 */
export function mixtureLogLikAtNoise(means: ArrayLike<number>, y: ArrayLike<number>, s: number): number {
  const n = y.length;
  const S = means.length / n;
  const logNorm = -0.5 * (LOG_2PI + exact.log(s)) - exact.log(S);
  let total = 0;
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let k = 0; k < S; k++) mx = Math.max(mx, -((y[i] - means[k * n + i]) ** 2) / (2 * s));
    let acc = 0;
    for (let k = 0; k < S; k++) acc += exact.exp(-((y[i] - means[k * n + i]) ** 2) / (2 * s) - mx);
    total += mx + exact.log(acc);
  }
  return total / n + logNorm;
}

/**
 * The common noise variance s > 0 (target units²) that maximizes `mixtureLogLikAtNoise(means, y, s)`;
 * undefined when every sample fits every target exactly (the likelihood is then unbounded).
 */
export function bestNoiseVariance(means: ArrayLike<number>, y: ArrayLike<number>): number | undefined {
  const n = y.length;
  const S = means.length / n;
  if (n === 0 || !Number.isInteger(S) || S < 1) return undefined;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    let mn = Infinity;
    let mx = 0;
    for (let k = 0; k < S; k++) {
      const e2 = (y[i] - means[k * n + i]) ** 2;
      mn = Math.min(mn, e2);
      mx = Math.max(mx, e2);
    }
    lo += mn / n;
    hi += mx / n;
  }
  if (!(hi > 0) || !Number.isFinite(hi)) return undefined;
  // Equal bounds: one sample, or samples that agree — the Gaussian MLE, in closed form.
  if (hi - lo <= TOL * hi) return hi;
  // A sample that hits every target gives L = 0, where f is unbounded only if all do; search from far below U.
  return logSearchMax((s) => mixtureLogLikAtNoise(means, y, s), Math.max(lo, 1e-12 * hi), hi);
}

/**
 * Mean log-likelihood per point of `y` under the uniform mixture of N(μₛᵢ, vₛᵢ + floor): each
 * sample's own (heteroscedastic) variance with a common variance added.
 */
export function mixtureLogLikAtFloor(means: ArrayLike<number>, variances: ArrayLike<number>, y: ArrayLike<number>, floor: number): number {
  return mixtureLogLik(means, Float64Array.from(variances, (v) => v + floor), y);
}

/**
 * The variance floor f ≥ 0 (target units²) added to every sample's own variance that maximizes the
 * held-out mixture log-likelihood — the calibration of heteroscedastic members, whose variance head
 * can collapse where the training data repeat (wine's duplicated rows): one held-out point with a
 * residual of 1 at variance 1e-5 costs thousands of nats. f = 0 when no floor helps. Not unimodal in
 * general, so a log grid over [1e-9, 1]·(the mean squared residual) plus f = 0, refined by golden
 * section around the best grid point.
 */
export function bestVarianceFloor(means: ArrayLike<number>, variances: ArrayLike<number>, y: ArrayLike<number>): { floor: number; score: number } | undefined {
  const n = y.length;
  const S = means.length / n;
  if (n === 0 || !Number.isInteger(S) || S < 1 || variances.length !== means.length) return undefined;
  let mse = 0;
  for (let i = 0; i < n; i++) for (let k = 0; k < S; k++) mse += (y[i] - means[k * n + i]) ** 2 / (n * S);
  if (!(mse > 0) || !Number.isFinite(mse)) return undefined;
  const floor = logSearchMax((f) => mixtureLogLikAtFloor(means, variances, y, f), 1e-9 * mse, mse);
  const score = mixtureLogLikAtFloor(means, variances, y, floor);
  const none = mixtureLogLikAtFloor(means, variances, y, 0);
  return none >= score ? { floor: 0, score: none } : { floor, score };
}

/**
 * The held-out log-likelihood of a noise variance chosen on the same rows, scored honestly: the rows
 * split into two halves (even and odd positions), each half scored at the variance chosen on the
 * other, the mean per row over both. Scoring a variance on the rows it was fitted to is optimistic
 * (by about one parameter's worth, as in AIC), which tilts a validation search toward calibrated
 * candidates. undefined where a half has no choice (fewer than two rows, or a perfect fit).
 */
export function crossFittedNoiseScore(means: ArrayLike<number>, y: ArrayLike<number>): number | undefined {
  const [a, b] = halves(means, undefined, y) ?? [];
  if (!a || !b) return undefined;
  const va = bestNoiseVariance(a.means, a.y);
  const vb = bestNoiseVariance(b.means, b.y);
  if (va === undefined || vb === undefined) return undefined;
  return (b.y.length * mixtureLogLikAtNoise(b.means, b.y, va) + a.y.length * mixtureLogLikAtNoise(a.means, a.y, vb)) / y.length;
}

/** `crossFittedNoiseScore` for a variance floor added to heteroscedastic samples' own variances. */
export function crossFittedFloorScore(means: ArrayLike<number>, variances: ArrayLike<number>, y: ArrayLike<number>): number | undefined {
  const [a, b] = halves(means, variances, y) ?? [];
  if (!a || !b) return undefined;
  const fa = bestVarianceFloor(a.means, a.variances!, a.y);
  const fb = bestVarianceFloor(b.means, b.variances!, b.y);
  if (!fa || !fb) return undefined;
  return (b.y.length * mixtureLogLikAtFloor(b.means, b.variances!, b.y, fa.floor) + a.y.length * mixtureLogLikAtFloor(a.means, a.variances!, a.y, fb.floor)) / y.length;
}

interface Half {
  means: Float64Array;
  variances?: Float64Array;
  y: Float64Array;
}

/** The even- and odd-position rows of sample-major (S × N) means, variances and their targets. */
function halves(means: ArrayLike<number>, variances: ArrayLike<number> | undefined, y: ArrayLike<number>): [Half, Half] | undefined {
  const n = y.length;
  const S = means.length / n;
  if (n < 4 || !Number.isInteger(S)) return undefined;
  const part = (parity: number): Half => {
    const rows = Math.floor((n - parity + 1) / 2);
    const m = new Float64Array(S * rows);
    const v = variances && new Float64Array(S * rows);
    for (let k = 0; k < S; k++) {
      for (let j = 0; j < rows; j++) {
        m[k * rows + j] = means[k * n + 2 * j + parity];
        if (v) v[k * rows + j] = variances![k * n + 2 * j + parity];
      }
    }
    return { means: m, ...(v && { variances: v }), y: Float64Array.from({ length: rows }, (_, j) => y[2 * j + parity]) };
  };
  return [part(0), part(1)];
}

/**
 * The maximizer of f over [lo, hi] (lo > 0): the best of GRID log-spaced points, refined by golden
 * section between its neighbours.
 */
function logSearchMax(f: (x: number) => number, lo: number, hi: number): number {
  const g = (logX: number) => f(exact.exp(logX));
  const a = exact.log(lo);
  const h = (exact.log(hi) - a) / (GRID - 1);
  let best = 0;
  let bestF = -Infinity;
  for (let j = 0; j < GRID; j++) {
    const v = g(a + j * h);
    if (v > bestF) [best, bestF] = [j, v];
  }
  return exact.exp(goldenMax(g, a + Math.max(0, best - 1) * h, a + Math.min(GRID - 1, best + 1) * h, TOL));
}

/**
 * Effective sample size by Geyer's initial positive and monotone sequences over the multi-chain
 * autocorrelation estimate (Vehtari et al. 2021, as in Stan and posterior).
 */
import {
  allFinite, type Chains, isConstant, mapChains, mean, rankNormalize, sampleVariance, sortedPool,
  splitChains, quantileSorted, toChains,
} from './chains.js';
import { addAutocovarianceSteps } from './fft.js';
import { argError } from '../errors.js';
import { runSteps, type Steps } from './steps.js';

/**
 * ESS of chains used as given (callers split first). With m chains of n draws:
 * W = mean of the chains' variances, var⁺ = (n−1)/n·W + var(chain means), and
 * ρ̂_t = 1 − (W − mean_c acov_c(t)) / var⁺, which lets between-chain differences lower the ESS.
 * Sums of consecutive pairs ρ̂_{2k} + ρ̂_{2k+1} are kept while positive (initial positive sequence)
 * and made non-increasing (initial monotone sequence); τ̂ = −1 + 2 Σ_{t<T} ρ̂_t + ρ̂_T, whose last term
 * improves the estimate for antithetic chains. τ̂ is bounded below by 1/log10(mn), so the ESS of
 * antithetic chains can exceed the draw count up to mn·log10(mn).
 * NaN for n < 3, non-finite draws, or constant draws.
 */
export function essOfChains(chains: readonly Float64Array[]): number {
  return runSteps(essOfChainsSteps(chains));
}

/** `essOfChains` with a yield point after each chain's autocovariance (see steps.ts). */
export function* essOfChainsSteps(chains: readonly Float64Array[]): Steps<number> {
  const m = chains.length;
  const n = chains[0].length;
  if (n < 3 || !allFinite(chains) || isConstant(chains)) return NaN;
  const acov = new Float64Array(n);
  for (const ch of chains) {
    yield* addAutocovarianceSteps(ch, acov, m);
    yield;
  }
  const meanVar = (acov[0] * n) / (n - 1);
  let varPlus = (meanVar * (n - 1)) / n;
  if (m > 1) varPlus += sampleVariance(chains.map((c) => mean(c)));

  const rho = new Float64Array(n);
  rho[0] = 1;
  let even = 1;
  let odd = 1 - (meanVar - acov[1]) / varPlus;
  rho[1] = odd;
  let t = 0;
  while (t < n - 5 && Number.isFinite(even + odd) && even + odd > 0) {
    t += 2;
    even = 1 - (meanVar - acov[t]) / varPlus;
    odd = 1 - (meanVar - acov[t + 1]) / varPlus;
    if (even + odd >= 0) {
      rho[t] = even;
      rho[t + 1] = odd;
    }
  }
  const maxT = t;
  if (even > 0) rho[maxT] = even;
  for (let k = 2; k <= maxT - 2; k += 2) {
    const prev = rho[k - 2] + rho[k - 1];
    if (rho[k] + rho[k + 1] > prev) {
      rho[k] = prev / 2;
      rho[k + 1] = prev / 2;
    }
  }
  let sum = 0;
  for (let k = 0; k < maxT; k++) sum += rho[k];
  const total = m * n;
  const tau = Math.max(-1 + 2 * sum + rho[maxT], 1 / Math.log10(total));
  return total / tau;
}

/** ESS for the mean of the draws themselves (split chains, no rank normalization). */
export function essMean(draws: Chains): number {
  return essOfChains(splitChains(toChains(draws)));
}

/** Bulk-ESS: ESS of the rank-normalized split chains; the efficiency for the centre of the distribution. */
export function essBulk(draws: Chains): number {
  const split = splitChains(toChains(draws));
  if (!allFinite(split)) return NaN;
  return essOfChains(rankNormalize(split));
}

function checkProb(p: number): void {
  if (!(p >= 0 && p <= 1)) throw argError('E_ARG', 'prob', 'a probability in [0, 1]', String(p), 'Pass e.g. 0.05 for the 5% quantile.');
}

function essQuantileOf(chains: readonly Float64Array[], p: number): number {
  if (!allFinite(chains)) return NaN;
  return runSteps(essQuantileSteps(chains, sortedPool(chains), p));
}

/** The p-quantile ESS of finite chains given their sorted pooled draws, with yield points. */
export function* essQuantileSteps(chains: readonly Float64Array[], sorted: Float64Array, p: number): Steps<number> {
  // As posterior: the 100% quantile's indicator would be constant, so use the largest inner point.
  const q = quantileSorted(sorted, p === 1 ? (sorted.length - 0.5) / sorted.length : p);
  return yield* essOfChainsSteps(splitChains(mapChains(chains, (v) => (v <= q ? 1 : 0))));
}

/** ESS for the p-quantile: the ESS of the indicator I(x ≤ q̂_p) on split chains. */
export function essQuantile(draws: Chains, p: number): number {
  checkProb(p);
  return essQuantileOf(toChains(draws), p);
}

/** Tail-ESS: min of the quantile ESS at 5% and 95%; the efficiency for the tails and interval ends. */
export function essTail(draws: Chains): number {
  const chains = toChains(draws);
  return Math.min(essQuantileOf(chains, 0.05), essQuantileOf(chains, 0.95));
}

/**
 * Monte Carlo standard errors of posterior summaries (Vehtari et al. 2021; posterior's definitions).
 */
import { allFinite, type Chains, mapChains, mean, pool, sampleVariance, sortedPool, splitChains, toChains } from './chains.js';
import { essOfChains, essQuantile } from './ess.js';
import { betaQuantile } from './special.js';

/** MCSE of the mean: sd(draws) / √ESS_mean. */
export function mcseMean(draws: Chains): number {
  const chains = toChains(draws);
  return Math.sqrt(sampleVariance(pool(chains)) / essOfChains(splitChains(chains)));
}

/**
 * MCSE of the standard deviation without assuming normality: the variance of the variance
 * estimate, (E[(x−x̄)⁴] − E[(x−x̄)²]²)/ESS (Kenney & Keeping 1951), then the delta method for the
 * square root. The ESS is that of |x − x̄| on split chains (posterior's `ess_sd`, as Stan uses).
 */
export function mcseSd(draws: Chains): number {
  const chains = toChains(draws);
  if (!allFinite(chains)) return NaN;
  const m = mean(pool(chains));
  const dev = mapChains(chains, (v) => Math.abs(v - m));
  const flat = pool(dev);
  const ev = mean(flat.map((v) => v * v));
  const e4 = mean(flat.map((v) => v * v * v * v));
  const ess = essOfChains(splitChains(dev));
  return Math.sqrt((e4 - ev * ev) / ess / ev / 4);
}

// Φ(−1) and Φ(1): the ends of a ±1 standard-error interval.
const LO = 0.15865525393145707;
const HI = 0.8413447460685429;

/**
 * MCSE of the p-quantile: the quantile's uncertainty from the Beta(ESS·p + 1, ESS·(1−p) + 1)
 * distribution of the draws' ranks, mapped to the order statistics at its Φ(±1) points; half
 * their distance.
 */
export function mcseQuantile(draws: Chains, p: number): number {
  const ess = essQuantile(draws, p);
  if (!Number.isFinite(ess)) return NaN;
  const sorted = sortedPool(toChains(draws));
  const S = sorted.length;
  const a = ess * p + 1;
  const b = ess * (1 - p) + 1;
  const lo = sorted[Math.max(Math.floor(betaQuantile(LO, a, b) * S), 1) - 1];
  const hi = sorted[Math.min(Math.ceil(betaQuantile(HI, a, b) * S), S) - 1];
  return (hi - lo) / 2;
}

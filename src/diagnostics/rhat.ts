/**
 * Potential scale reduction R̂ (Gelman & Rubin 1992; split and rank-normalized forms of
 * Vehtari, Gelman, Simpson, Carpenter & Bürkner 2021).
 */
import { allFinite, type Chains, fold, isConstant, mean, rankNormalize, sampleVariance, splitChains, toChains } from './chains.js';

/**
 * R̂ of chains used as given (no split): with m chains of n draws, W the mean within-chain variance
 * and B = n·var(chain means), R̂ = √(((n−1)/n·W + B/n) / W).
 * NaN when a draw is non-finite or all draws are equal (nothing to compare), or n < 2.
 */
export function rhatOfChains(chains: readonly Float64Array[]): number {
  const n = chains[0].length;
  if (n < 2 || !allFinite(chains) || isConstant(chains)) return NaN;
  const means = chains.map((c) => mean(c));
  const W = mean(chains.map((c) => sampleVariance(c)));
  const B = chains.length > 1 ? n * sampleVariance(means) : 0;
  return Math.sqrt((B / W + n - 1) / n);
}

/** Classic split-R̂: each chain halved, then the R̂ formula on the 2m half-chains. */
export function splitRhat(draws: Chains): number {
  return rhatOfChains(splitChains(toChains(draws)));
}

/**
 * The two parts of the rank-normalized split-R̂: `bulk` on rank-normalized split chains (location),
 * `tail` on the rank-normalized draws folded around the median (scale, tails).
 */
export function rankNormalizedRhatParts(draws: Chains): { bulk: number; tail: number } {
  const chains = toChains(draws);
  if (!allFinite(chains)) return { bulk: NaN, tail: NaN };
  const split = splitChains(chains);
  return {
    bulk: rhatOfChains(rankNormalize(split)),
    tail: rhatOfChains(rankNormalize(splitChains(fold(chains)))),
  };
}

/**
 * Rank-normalized split-R̂, Stan's and posterior's default: max(bulk, folded) of
 * {@link rankNormalizedRhatParts}. Converged chains give < 1.01; NaN for non-finite or constant draws.
 */
export function rankNormalizedRhat(draws: Chains): number {
  const { bulk, tail } = rankNormalizedRhatParts(draws);
  return Math.max(bulk, tail);
}

/**
 * Draws of one scalar quantity as chains × draws, and the transforms the Vehtari et al. (2021)
 * diagnostics are built from: splitting, rank normalization, folding, indicator quantiles.
 * Everything here works on pooled draws in f64 and never mutates its input.
 */
import { argError, describe } from '../errors.js';
import { normalQuantile } from './special.js';
import { averageRanksSteps, sortedSteps } from './sort.js';
import { runSteps, type Steps } from './steps.js';

/** Draws for one quantity: one array per chain, all of the same length (number[][] or Float64Array[]). */
export type Chains = ReadonlyArray<ArrayLike<number>>;

/**
 * Validates the shape at the public boundary and copies into f64 chains.
 * Non-finite values are allowed through: the diagnostics then return NaN, as Stan and posterior do,
 * because a sampler that blew up should produce a summary that says so rather than an exception.
 */
export function toChains(x: Chains, argument = 'draws'): Float64Array[] {
  if (!Array.isArray(x) || x.length === 0) {
    throw argError('E_EMPTY', argument, 'at least one chain (an array of chains × draws)', describe(x), 'Pass one array of draws per chain.');
  }
  const n = x[0]?.length;
  const out: Float64Array[] = [];
  for (let c = 0; c < x.length; c++) {
    const chain = x[c];
    if (chain == null || typeof chain.length !== 'number') {
      throw argError('E_SHAPE', `${argument}[${c}]`, 'an array of draws', describe(chain), 'Each chain must be an array (or Float64Array) of numbers.');
    }
    if (chain.length !== n) {
      throw argError('E_SHAPE', `${argument}[${c}]`, `${n} draws like chain 0`, `${chain.length}`, 'All chains must have the same number of draws: trim them to a common length.');
    }
    out.push(Float64Array.from(chain));
  }
  if (n === 0) throw argError('E_EMPTY', argument, 'at least one draw per chain', '0 draws', 'Run the sampler for some iterations first.');
  return out;
}

/** True when every value is finite. */
export function allFinite(chains: readonly Float64Array[]): boolean {
  for (const ch of chains) for (let i = 0; i < ch.length; i++) if (!Number.isFinite(ch[i])) return false;
  return true;
}

/** True when all draws are equal up to rounding (range ≤ machine epsilon × their magnitude, at least 1). */
export function isConstant(chains: readonly Float64Array[]): boolean {
  let lo = Infinity;
  let hi = -Infinity;
  for (const ch of chains) for (let i = 0; i < ch.length; i++) { if (ch[i] < lo) lo = ch[i]; if (ch[i] > hi) hi = ch[i]; }
  return hi - lo <= Number.EPSILON * Math.max(1, Math.abs(lo), Math.abs(hi));
}

/**
 * Splits each chain into its first and second halves (2m chains of ⌊n/2⌋ draws); with an odd n the
 * middle draw is dropped, as in Stan and posterior. A chain of length 1 is left whole. The halves
 * are views of the chains (nothing here writes its input), not copies.
 */
export function splitChains(chains: readonly Float64Array[]): Float64Array[] {
  const n = chains[0].length;
  if (n < 2) return chains.slice();
  const half = Math.floor(n / 2);
  const secondStart = n - half;
  const out: Float64Array[] = [];
  for (const ch of chains) out.push(ch.subarray(0, half));
  for (const ch of chains) out.push(ch.subarray(secondStart));
  return out;
}

/** All draws pooled in one array (chain after chain). */
export function pool(chains: readonly Float64Array[]): Float64Array {
  const n = chains[0].length;
  const out = new Float64Array(chains.length * n);
  chains.forEach((ch, c) => out.set(ch, c * n));
  return out;
}

/** Applies f to every draw, keeping the chains × draws shape. */
export function mapChains(chains: readonly Float64Array[], f: (v: number) => number): Float64Array[] {
  return chains.map((ch) => ch.map(f));
}

/** Ranks 1..S of the pooled draws, ties given their average rank. */
export function averageRanks(values: Float64Array): Float64Array {
  return runSteps(averageRanksSteps(values));
}

/**
 * Rank normalization: pooled average ranks r mapped to normal scores Φ⁻¹((r − 3/8)/(S + 1/4))
 * (Blom's offset, as in the paper), with the chains × draws shape kept.
 */
export function rankNormalize(chains: readonly Float64Array[]): Float64Array[] {
  return runSteps(rankNormalizeSteps(chains));
}

/** `rankNormalize` with yield points (see steps.ts). */
export function* rankNormalizeSteps(chains: readonly Float64Array[]): Steps<Float64Array[]> {
  const n = chains[0].length;
  const ranks = yield* averageRanksSteps(pool(chains));
  const S = ranks.length;
  const scores = normalScores(S);
  const out: Float64Array[] = [];
  for (let c = 0; c < chains.length; c++) {
    const z = new Float64Array(n);
    toScores(ranks, c * n, z, S, scores);
    out.push(z);
    yield;
  }
  return out;
}

/**
 * `rankNormalize(splitChains(chains))` for m chains of an even number n of draws, given the average
 * ranks of pool(chains): the split chains' pooled draws are then the same draws in another order,
 * so each draw has the same rank, and no second sort is needed.
 */
export function* splitScoresSteps(ranks: Float64Array, m: number, n: number): Steps<Float64Array[]> {
  const half = n / 2;
  const S = ranks.length;
  const scores = normalScores(S);
  const out: Float64Array[] = [];
  for (let c = 0; c < 2 * m; c++) {
    const z = new Float64Array(half);
    toScores(ranks, c < m ? c * n : (c - m) * n + half, z, S, scores);
    out.push(z);
    yield;
  }
  return out;
}

/**
 * Normal scores of the ranks 1, 1.5, 2, …, S at index 2r − 2 (an average rank of tied draws is an
 * integer or a half-integer; the values are those of the formula, computed when first needed), kept
 * for the last S: every rank normalization of a run (bulk and folded, every quantity) has the same
 * number of draws, and the quantile function is most of its cost — ties too, which a sampler's
 * rejections make common (a rejected HMC step repeats the draw).
 */
let SCORES: Float64Array = new Float64Array(0);

function normalScores(S: number): Float64Array {
  if (SCORES.length !== 2 * S - 1) SCORES = new Float64Array(2 * S - 1).fill(NaN);
  return SCORES;
}

function toScores(ranks: Float64Array, offset: number, z: Float64Array, S: number, scores: Float64Array): void {
  for (let i = 0; i < z.length; i++) {
    const r = ranks[offset + i];
    const k = 2 * r - 2;
    let v = scores[k];
    if (v !== v) v = scores[k] = normalQuantile((r - 0.375) / (S + 0.25));
    z[i] = v;
  }
}

/** Sorted copy of the pooled draws. */
export function sortedPool(chains: readonly Float64Array[]): Float64Array {
  return runSteps(sortedSteps(pool(chains)));
}

/** Quantile of sorted values by linear interpolation between order statistics (R's type 7, numpy's default). */
export function quantileSorted(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Folds the draws around their pooled median: |x − median|, which turns a scale difference into a location one. */
export function fold(chains: readonly Float64Array[]): Float64Array[] {
  return foldSorted(chains, sortedPool(chains));
}

/** `fold` given the sorted pooled draws. */
export function foldSorted(chains: readonly Float64Array[], sorted: Float64Array): Float64Array[] {
  const med = quantileSorted(sorted, 0.5);
  return mapChains(chains, (v) => Math.abs(v - med));
}

/** Mean of an array. */
export function mean(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Sample variance (divisor n − 1); NaN for fewer than two values. */
export function sampleVariance(x: ArrayLike<number>): number {
  const n = x.length;
  if (n < 2) return NaN;
  const m = mean(x);
  let s = 0;
  for (let i = 0; i < n; i++) s += (x[i] - m) * (x[i] - m);
  return s / (n - 1);
}

/**
 * The sorts behind the rank-based diagnostics, as generators (see steps.ts) that pause every CHUNK
 * elements. The loops themselves are plain functions: V8 does not optimize a loop inside a
 * generator that is resumed only a few times (no on-stack replacement there), so a generator here
 * only hands out chunks of work.
 */
import type { Steps } from './steps.js';

// Elements of work between two yield points: well under a millisecond of sorting or merging.
export const CHUNK = 1 << 14;

/**
 * Sorts `a` in place: chunks of CHUNK by `sortChunk` (the engine's sort), then merged bottom-up
 * with `less` (which must agree with `sortChunk`'s order), yielding every CHUNK elements.
 */
function* mergeSortSteps(a: Uint32Array, sortChunk: (chunk: Uint32Array) => void, less: (x: number, y: number) => boolean): Steps<Uint32Array> {
  const n = a.length;
  for (let s = 0; s < n; s += CHUNK) {
    sortChunk(a.subarray(s, Math.min(s + CHUNK, n)));
    yield;
  }
  let src: Uint32Array = a;
  let dst: Uint32Array = new Uint32Array(n);
  const at = { i: 0, j: 0, k: 0 };
  for (let width = CHUNK; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      at.i = lo;
      at.j = mid;
      at.k = lo;
      while (at.k < hi) {
        merge(src, dst, at, mid, hi, Math.min(at.k + CHUNK, hi), less);
        yield;
      }
    }
    [src, dst] = [dst, src];
  }
  if (src !== a) a.set(src);
  return a;
}

/**
 * Merges the runs src[i..mid) and src[j..hi) into dst from k until k reaches `stop`, the left
 * run's element first unless the right one is strictly less (a stable merge); `at` carries i, j, k.
 */
function merge(
  src: Uint32Array, dst: Uint32Array, at: { i: number; j: number; k: number }, mid: number, hi: number, stop: number,
  less: (x: number, y: number) => boolean,
): void {
  let { i, j, k } = at;
  while (k < stop) dst[k++] = i < mid && (j >= hi || !less(src[j], src[i])) ? src[i++] : src[j++];
  at.i = i;
  at.j = j;
  at.k = k;
}

/**
 * A sorted copy of `x` with the engine's order (numeric, −0 before +0, NaN last), yielding every
 * CHUNK elements.
 */
export function* sortedSteps(x: Float64Array): Steps<Float64Array> {
  return yield* gatherSteps(x, yield* radixOrderSteps(x));
}

/** x in the given order (x[order[0]], x[order[1]], …), yielding every CHUNK elements. */
export function* gatherSteps(x: Float64Array, order: Uint32Array): Steps<Float64Array> {
  const out = new Float64Array(x.length);
  for (let s = 0; s < x.length; s += CHUNK) {
    gather(x, order, out, s, Math.min(s + CHUNK, x.length));
    yield;
  }
  return out;
}

function gather(x: Float64Array, order: Uint32Array, out: Float64Array, start: number, stop: number): void {
  for (let k = start; k < stop; k++) out[k] = x[order[k]];
}

/**
 * Ranks 1..S of the values, ties given their average rank (see chains.averageRanks): the indices
 * in the values' order (a radix sort), then each run of equal values (`===`, so −0 and +0 are one
 * run, adjacent in that order) given the mean of its ranks.
 */
export function* averageRanksSteps(values: Float64Array): Steps<Float64Array> {
  const S = values.length;
  let nan = false;
  for (let i = 0; i < S && !nan; i++) nan = values[i] !== values[i];
  const order = nan ? yield* comparatorOrderSteps(values) : yield* radixOrderSteps(values);
  return yield* ranksInOrderSteps(values, order);
}

/**
 * The average ranks of `values` given `order`, their indices in numeric order: any order of equal
 * values (`===`) gives the same ranks, since each run of them gets the mean of its ranks.
 */
export function* ranksInOrderSteps(values: Float64Array, order: Uint32Array): Steps<Float64Array> {
  const S = values.length;
  const ranks = new Float64Array(S);
  const at = { i: 0 };
  while (at.i < S) {
    rankRuns(values, order, ranks, at, Math.min(at.i + CHUNK, S));
    yield;
  }
  return ranks;
}

/** Ranks the runs of equal values that start before `stop` (at.i, the next run's start, moves on). */
function rankRuns(values: Float64Array, order: Uint32Array, ranks: Float64Array, at: { i: number }, stop: number): void {
  const S = order.length;
  let i = at.i;
  while (i < stop) {
    let j = i + 1;
    while (j < S && values[order[j]] === values[order[i]]) j++;
    const r = (i + 1 + j) / 2; // mean of ranks i+1 … j
    for (let k = i; k < j; k++) ranks[order[k]] = r;
    i = j;
  }
  at.i = i;
}

/** The indices sorted by the comparator x − y (the order of values holding NaN, where it is not numeric). */
function* comparatorOrderSteps(values: Float64Array): Steps<Uint32Array> {
  const order = new Uint32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return yield* mergeSortSteps(order, (c) => c.sort((x, y) => values[x] - values[y]), (x, y) => values[x] < values[y]);
}

// Which 32-bit half of a float64 holds its sign and exponent (TypedArrays use the platform's order).
const HIGH = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1 ? 1 : 0;
// Digits of 16 bits (4 passes) pay off from this many values; below it, 8 bits (8 passes). Each pass
// clears and sums one count per bucket whatever S is: with 16 bits that is 131,072 steps a pass, which
// costs a hundred times the sort itself for the few hundred draws of a short run (it was 37 ms of a
// 70 ms 4-chain NUTS run, one sort per quantity). The order is the same with either digit: an LSD
// radix sort is stable, so the result is the values' order with ties in index order either way.
const WIDE_FROM = 1 << 16;

/**
 * The indices of `values` in numeric order (−0 just before +0, NaN last), by a least-significant-
 * digit radix sort of the float64 bits made order-preserving (sign bit flipped for positive values,
 * every bit for negative ones): passes of 8 bits (narrowOrderSteps) or, from WIDE_FROM values, 16 bits,
 * each counting then scattering CHUNK at a time.
 */
export function* radixOrderSteps(values: Float64Array): Steps<Uint32Array> {
  const S = values.length;
  if (S < WIDE_FROM) return yield* narrowOrderSteps(values);
  const digit = 16;
  const buckets = 1 << digit;
  const passes = 64 / digit;
  const perWord = 32 / digit;
  let lo = new Uint32Array(S);
  let hi = new Uint32Array(S);
  let idx = new Uint32Array(S);
  orderedKeys(values, lo, hi, idx);
  yield;
  let lo2 = new Uint32Array(S);
  let hi2 = new Uint32Array(S);
  let idx2 = new Uint32Array(S);
  const count = new Uint32Array(buckets);
  for (let pass = 0; pass < passes; pass++) {
    const key = pass < perWord ? lo : hi;
    const shift = (pass % perWord) * digit;
    count.fill(0);
    for (let s = 0; s < S; s += CHUNK) {
      countDigits(key, shift, count, buckets - 1, s, Math.min(s + CHUNK, S));
      yield;
    }
    if (count[(key[0] >>> shift) & (buckets - 1)] === S) continue; // one digit everywhere: order unchanged
    startsOfDigits(count);
    for (let s = 0; s < S; s += CHUNK) {
      scatter(key, shift, buckets - 1, count, lo, hi, idx, lo2, hi2, idx2, s, Math.min(s + CHUNK, S));
      yield;
    }
    [lo, lo2] = [lo2, lo];
    [hi, hi2] = [hi2, hi];
    [idx, idx2] = [idx2, idx];
  }
  return idx;
}

/**
 * `radixOrderSteps` with 8-bit digits, for fewer than WIDE_FROM values (a summary row's pooled draws):
 * the keys stay in place and only the indices move, each pass reading its digit through them (all
 * of it fits in cache at these sizes), and the eight digits' counts are taken in one pass. The same
 * stable passes, so the same order.
 */
function* narrowOrderSteps(values: Float64Array): Steps<Uint32Array> {
  const S = values.length;
  const lo = new Uint32Array(S);
  const hi = new Uint32Array(S);
  let idx = new Uint32Array(S);
  orderedKeys(values, lo, hi, idx);
  yield;
  const counts = new Uint32Array(8 * 256);
  for (let s = 0; s < S; s += CHUNK) {
    countBytes(lo, hi, counts, s, Math.min(s + CHUNK, S));
    yield;
  }
  let next = new Uint32Array(S);
  for (let pass = 0; pass < 8; pass++) {
    const key = pass < 4 ? lo : hi;
    const shift = (pass % 4) * 8;
    const count = counts.subarray(pass * 256, (pass + 1) * 256);
    if (count[(key[0] >>> shift) & 255] === S) continue; // one digit everywhere: order unchanged
    startsOfDigits(count);
    for (let s = 0; s < S; s += CHUNK) {
      scatterIndices(key, shift, count, idx, next, s, Math.min(s + CHUNK, S));
      yield;
    }
    [idx, next] = [next, idx];
  }
  return idx;
}

/** Counts of each byte of the keys: counts[256·p + b] for byte p (0–3 of lo, 4–7 of hi). */
function countBytes(lo: Uint32Array, hi: Uint32Array, counts: Uint32Array, start: number, stop: number): void {
  for (let i = start; i < stop; i++) {
    const l = lo[i];
    const h = hi[i];
    counts[l & 255]++;
    counts[256 + ((l >>> 8) & 255)]++;
    counts[512 + ((l >>> 16) & 255)]++;
    counts[768 + (l >>> 24)]++;
    counts[1024 + (h & 255)]++;
    counts[1280 + ((h >>> 8) & 255)]++;
    counts[1536 + ((h >>> 16) & 255)]++;
    counts[1792 + (h >>> 24)]++;
  }
}

/** Moves the indices idx[start…stop) to their place by the digit of their key (`next`: the next free slot of each digit). */
function scatterIndices(key: Uint32Array, shift: number, next: Uint32Array, idx: Uint32Array, out: Uint32Array, start: number, stop: number): void {
  for (let i = start; i < stop; i++) {
    const v = idx[i];
    out[next[(key[v] >>> shift) & 255]++] = v;
  }
}

/** The float64 bits of `values` as two 32-bit keys whose unsigned order is the numeric one (NaN last), and idx = 0…S−1. */
function orderedKeys(values: Float64Array, lo: Uint32Array, hi: Uint32Array, idx: Uint32Array): void {
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * values.length);
  for (let i = 0; i < values.length; i++) {
    const h = words[2 * i + HIGH];
    const l = words[2 * i + 1 - HIGH];
    const neg = h >>> 31;
    const nan = (h & 0x7ff00000) === 0x7ff00000 && ((h & 0xfffff) | l) !== 0;
    lo[i] = nan ? 0xffffffff : neg ? ~l >>> 0 : l;
    hi[i] = nan ? 0xffffffff : neg ? ~h >>> 0 : (h ^ 0x80000000) >>> 0;
    idx[i] = i;
  }
}

/** Turns each digit's count into the first slot of that digit (an exclusive prefix sum). */
function startsOfDigits(count: Uint32Array): void {
  let sum = 0;
  for (let b = 0; b < count.length; b++) {
    const c = count[b];
    count[b] = sum;
    sum += c;
  }
}

function countDigits(key: Uint32Array, shift: number, count: Uint32Array, mask: number, start: number, stop: number): void {
  for (let i = start; i < stop; i++) count[(key[i] >>> shift) & mask]++;
}

/** Moves elements start…stop−1 to their place by digit (`next`: the next free slot of each digit). */
function scatter(
  key: Uint32Array, shift: number, mask: number, next: Uint32Array,
  lo: Uint32Array, hi: Uint32Array, idx: Uint32Array, lo2: Uint32Array, hi2: Uint32Array, idx2: Uint32Array,
  start: number, stop: number,
): void {
  for (let i = start; i < stop; i++) {
    const p = next[(key[i] >>> shift) & mask]++;
    lo2[p] = lo[i];
    hi2[p] = hi[i];
    idx2[p] = idx[i];
  }
}

/**
 * The folded values |x − med| (by index of x) and their indices in numeric order, from x's order
 * (`order`, `sorted` = x in that order) without another sort: rounding is monotone, so from the
 * first value ≥ med upwards the folded values do not decrease, nor from the last value < med
 * downwards; merging those two runs orders them all (ties in some order, which ranks ignore).
 * x must be finite.
 */
export function* foldedOrderSteps(sorted: Float64Array, order: Uint32Array, med: number): Steps<{ folded: Float64Array; order: Uint32Array }> {
  const S = sorted.length;
  const folded = new Float64Array(S);
  const out = new Uint32Array(S);
  let first = 0;
  while (first < S && sorted[first] < med) first++;
  const at = { below: first - 1, above: first, k: 0 };
  while (at.k < S) {
    mergeFolded(sorted, order, med, folded, out, at, Math.min(at.k + CHUNK, S));
    yield;
  }
  return { folded, order: out };
}

/** Fills out[k…stop) with the next smallest folded value's index from either run; `at` carries the runs' heads and k. */
function mergeFolded(
  sorted: Float64Array, order: Uint32Array, med: number, folded: Float64Array, out: Uint32Array,
  at: { below: number; above: number; k: number }, stop: number,
): void {
  const S = sorted.length;
  let { below, above, k } = at;
  while (k < stop) {
    const lo = below >= 0 ? Math.abs(sorted[below] - med) : Infinity;
    const hi = above < S ? Math.abs(sorted[above] - med) : Infinity;
    // An exhausted run reads as +∞: the other's head is taken first, even an infinite one.
    if (above >= S || (below >= 0 && lo < hi)) {
      folded[order[below]] = lo;
      out[k++] = order[below--];
    } else {
      folded[order[above]] = hi;
      out[k++] = order[above++];
    }
  }
  at.below = below;
  at.above = above;
  at.k = k;
}

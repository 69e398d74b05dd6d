/**
 * The bootstrap over test points: how much a score, or a difference of two methods' scores on the
 * same points, moves when the points are drawn again with replacement. For a difference both
 * methods see the same resample (a paired bootstrap), so what they share — the hard points and the
 * easy ones — cancels, and only the noise in how they differ remains.
 */
import { argError, describe } from '../errors.js';
import { Rng } from '../random/index.js';

/** Philox stream of the resampling draws. */
const BOOTSTRAP_STREAM = 0xb0;

export interface BootstrapOptions {
  /** Number of resamples (default 1000). */
  resamples?: number;
  /** Seed of the resampling (default 0): the same seed gives the same standard error. */
  seed?: number;
}

/**
 * Bootstrap standard error of `stat`: each group of points (e.g. in- and out-of-distribution
 * inputs) is resampled with replacement to its own size, and `stat` gets one index array per group.
 * Returns the standard deviation of `stat` over the resamples.
 */
export function bootstrapSe(groupSizes: readonly number[], stat: (idx: readonly Int32Array[]) => number, o: BootstrapOptions = {}): number {
  const B = o.resamples ?? 1000;
  if (!(Number.isInteger(B) && B >= 2)) throw argError('E_ARG', 'resamples', 'an integer ≥ 2', describe(o.resamples), 'E.g. 1000.');
  if (!Array.isArray(groupSizes) || groupSizes.length === 0 || !groupSizes.every((n) => Number.isInteger(n) && n >= 1)) {
    throw argError('E_ARG', 'groupSizes', 'one positive integer per group of points', describe(groupSizes), 'E.g. [600] for one test set.');
  }
  const rng = new Rng(o.seed ?? 0, BOOTSTRAP_STREAM);
  const idx = groupSizes.map((n) => new Int32Array(n));
  const values = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    idx.forEach((a, g) => {
      for (let i = 0; i < a.length; i++) a[i] = rng.int(groupSizes[g]);
    });
    values[b] = stat(idx);
  }
  const mean = values.reduce((p, q) => p + q, 0) / B;
  return Math.sqrt(values.reduce((p, v) => p + (v - mean) ** 2, 0) / (B - 1));
}

/** The values of `a` at `idx` (a resample). */
export function atIndices(a: ArrayLike<number>, idx: ArrayLike<number>): Float64Array {
  return Float64Array.from(idx as ArrayLike<number>, (i) => a[i]);
}

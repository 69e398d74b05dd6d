/**
 * A small radix-2 FFT, used only for autocovariances: O(n log n) instead of O(n²) for chains of
 * many thousand draws.
 */
import { runSteps, type Steps } from './steps.js';

/**
 * In-place iterative radix-2 FFT of the complex signal (re, im); the length must be a power of two.
 * `inverse` flips the sign of the exponent and does NOT divide by the length (callers scale once).
 */
export function fftInPlace(re: Float64Array, im: Float64Array, inverse = false): void {
  runSteps(fftSteps(re, im, inverse));
}

/** `fftInPlace` with a yield point after the permutation and after each stage (see steps.ts). */
export function* fftSteps(re: Float64Array, im: Float64Array, inverse = false): Steps<void> {
  const t = tables(re.length);
  bitReverse(re, im, t.rev);
  yield;
  yield* stagesSteps(re, im, t, inverse);
}

/**
 * The butterfly stages of an FFT whose input is already in bit-reversed order. The stages of span
 * up to BLOCK run block by block (all of them on one cache-sized block, then the next): a
 * butterfly reads only its own block's values of the stage before, so this is the same arithmetic
 * on the same operands as stage after stage over the whole array, with fewer passes over memory.
 */
function* stagesSteps(re: Float64Array, im: Float64Array, t: Tables, inverse: boolean): Steps<void> {
  const n = re.length;
  const sin = inverse ? t.sin : t.minusSin;
  const block = Math.min(n, BLOCK);
  for (let lo = 0; lo < n; lo += block) {
    for (let len = 2; len <= block; len <<= 1) stage(re, im, len, n / len, t.cos, sin, lo, lo + block);
  }
  yield;
  for (let len = 2 * block; len <= n; len <<= 1) {
    stage(re, im, len, n / len, t.cos, sin, 0, n);
    yield;
  }
}

// Elements of the blocks the short stages run on: re and im of 2048 values fill 32 kB.
const BLOCK = 2048;

function bitReverse(re: Float64Array, im: Float64Array, rev: Uint32Array): void {
  for (let i = 1; i < re.length; i++) {
    const j = rev[i];
    if (i < j) {
      let t = re[i]; re[i] = re[j]; re[j] = t;
      t = im[i]; im[i] = im[j]; im[j] = t;
    }
  }
}

/**
 * One radix-2 stage: butterflies of span len/2 with twiddles w_k = cos/sin(∓2πk/len) read from the
 * size-n table at k·stride. (2π/n)·(k·stride) rounds exactly as (2π/len)·k (they differ by a power
 * of two), so the table holds the very values a per-stage cos/sin would give. The butterflies of a
 * stage are independent, so running them block by block (both halves of a butterfly read in order)
 * does not change a bit.
 */
function stage(re: Float64Array, im: Float64Array, len: number, stride: number, cos: Float64Array, sin: Float64Array, from: number, to: number): void {
  const half = len >> 1;
  for (let lo = from; lo < to; lo += len) {
    for (let k = 0, t = 0; k < half; k++, t += stride) {
      const i = lo + k;
      const j = i + half;
      const wr = cos[t];
      const wi = sin[t];
      const rj = re[j];
      const ij = im[j];
      const ri = re[i];
      const ii = im[i];
      const xr = rj * wr - ij * wi;
      const xi = rj * wi + ij * wr;
      re[j] = ri - xr; im[j] = ii - xi;
      re[i] = ri + xr; im[i] = ii + xi;
    }
  }
}

interface Tables {
  cos: Float64Array;
  sin: Float64Array;
  minusSin: Float64Array;
  /** rev[i]: i with its log2(n) bits reversed. */
  rev: Uint32Array;
}

// Twiddles from cos/sin per index (not by repeated multiplication) so the error does not grow with
// n; computed once per size, since every chain of a run has the same length. sin(−x) = −sin(x)
// exactly, so the forward transform's table is the negated one.
const TABLES = new Map<number, Tables>();

function tables(n: number): Tables {
  let t = TABLES.get(n);
  if (t === undefined) {
    const half = n >> 1;
    const cos = new Float64Array(half);
    const sin = new Float64Array(half);
    const minusSin = new Float64Array(half);
    const ang = (2 * Math.PI) / n;
    for (let k = 0; k < half; k++) {
      cos[k] = Math.cos(ang * k);
      sin[k] = Math.sin(ang * k);
      minusSin[k] = -sin[k];
    }
    const rev = new Uint32Array(n);
    for (let i = 1, j = 0; i < n; i++) {
      let bit = n >> 1;
      for (; j & bit; bit >>= 1) j ^= bit;
      j ^= bit;
      rev[i] = j;
    }
    t = { cos, sin, minusSin, rev };
    if (TABLES.size >= 4) TABLES.delete(TABLES.keys().next().value!);
    TABLES.set(n, t);
  }
  return t;
}

/**
 * Biased autocovariance of x at lags 0 … n−1: acov[t] = (1/n) Σ_{i<n−t} (x_i − x̄)(x_{i+t} − x̄),
 * the estimate Geyer (1992) recommends. The centred series is zero-padded to a power of two ≥ 2n,
 * so the circular correlation the FFT computes equals the linear one.
 */
export function autocovariance(x: ArrayLike<number>): Float64Array {
  return runSteps(autocovarianceSteps(x));
}

/**
 * `autocovariance` with the yield points of its two FFTs. Each FFT's input is written straight to
 * its bit-reversed place (the values `fftSteps` would permute there).
 */
export function* autocovarianceSteps(x: ArrayLike<number>): Steps<Float64Array> {
  const n = x.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i];
  m /= n;
  let size = 1;
  while (size < 2 * n) size <<= 1;
  const t = tables(size);
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  centredReversed(x, m, re, t.rev);
  yield;
  yield* stagesSteps(re, im, t, false);
  const power = new Float64Array(size);
  powerReversed(re, im, power, t.rev);
  im.fill(0);
  yield;
  yield* stagesSteps(power, im, t, true);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = power[k] / (size * n);
  return out;
}

function centredReversed(x: ArrayLike<number>, m: number, re: Float64Array, rev: Uint32Array): void {
  for (let i = 0; i < x.length; i++) re[rev[i]] = x[i] - m;
}

function powerReversed(re: Float64Array, im: Float64Array, power: Float64Array, rev: Uint32Array): void {
  for (let i = 0; i < re.length; i++) power[rev[i]] = re[i] * re[i] + im[i] * im[i];
}

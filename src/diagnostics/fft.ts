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
 * Only the stages of span `first` … `last` run: the caller does the others itself when it can do
 * them cheaper (see lagSumsSteps).
 */
function* stagesSteps(re: Float64Array, im: Float64Array, t: Tables, inverse: boolean, first = 2, last = re.length): Steps<void> {
  const n = re.length;
  const sin = inverse ? t.sin : t.minusSin;
  const block = Math.min(n, BLOCK);
  const short = Math.min(block, last);
  for (let lo = 0; lo < n; lo += block) {
    for (let len = first; len <= short; len <<= 1) stage(re, im, len, n / len, t.cos, sin, lo, lo + block);
  }
  yield;
  for (let len = Math.max(2 * block, first); len <= last; len <<= 1) {
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
  if (len === 2) return stage2(re, im, cos[0], sin[0], from, to);
  if (len === 4) return stage4(re, im, cos[0], sin[0], cos[stride], sin[stride], from, to);
  const half = len >> 1;
  // `butterfly`'s body, written out: calling it here measured ~7 % slower summaries (1,500 quantities).
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

// `stage` of span 2 and 4 without the inner loop, whose few turns cost more than their butterflies:
// the same expressions on the same operands (a twiddle read once is the same value).
function stage2(re: Float64Array, im: Float64Array, wr: number, wi: number, from: number, to: number): void {
  for (let i = from; i < to; i += 2) butterfly(re, im, i, i + 1, wr, wi);
}

function stage4(re: Float64Array, im: Float64Array, wr0: number, wi0: number, wr1: number, wi1: number, from: number, to: number): void {
  for (let i = from; i < to; i += 4) {
    butterfly(re, im, i, i + 2, wr0, wi0);
    butterfly(re, im, i + 1, i + 3, wr1, wi1);
  }
}

function butterfly(re: Float64Array, im: Float64Array, i: number, j: number, wr: number, wi: number): void {
  const rj = re[j];
  const ij = im[j];
  const ri = re[i];
  const ii = im[i];
  const xr = rj * wr - ij * wi;
  const xi = rj * wi + ij * wr;
  re[j] = ri - xr; im[j] = ii - xi;
  re[i] = ri + xr; im[i] = ii + xi;
}

/**
 * The last stage (span n) of an inverse FFT, only for the real parts of the outputs below `count`
 * ≤ n/2: the butterflies' other halves and imaginary parts are never read (a correlation's lags
 * below the series' length).
 */
function lastStageLow(re: Float64Array, im: Float64Array, cos: Float64Array, sin: Float64Array, count: number): void {
  const half = re.length >> 1;
  for (let k = 0; k < count; k++) {
    const j = k + half;
    re[k] = re[k] + (re[j] * cos[k] - im[j] * sin[k]);
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

/** `autocovariance` with the yield points of its two FFTs. */
export function* autocovarianceSteps(x: ArrayLike<number>): Steps<Float64Array> {
  const n = x.length;
  const p = yield* lagSumsSteps(x);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) out[k] = p[k] / (p.length * n);
  giveBack(p);
  return out;
}

/** Adds autocovariance(x)[t] / m to sum[t] for t < n (an average over m chains), with the same yield points. */
export function* addAutocovarianceSteps(x: ArrayLike<number>, sum: Float64Array, m: number): Steps<void> {
  const n = x.length;
  const p = yield* lagSumsSteps(x);
  addScaled(p, n, p.length * n, m, sum);
  giveBack(p);
}

/**
 * The circular autocorrelation sums of the centred, zero-padded x (size·n times the
 * autocovariance at lags below n) in a borrowed buffer of the padded size, to give back. The
 * first FFT's input is written straight to its place after the first stage (centredFirstStage),
 * the power spectrum to its bit-reversed place in the same buffer, and the inverse's last stage
 * computes only the lags wanted (lastStageLow): the bits of two whole FFTs.
 */
function* lagSumsSteps(x: ArrayLike<number>): Steps<Float64Array> {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let size = 1;
  while (size < 2 * n) size <<= 1;
  const t = tables(size);
  const re = borrow(size);
  const im = borrow(size);
  centredFirstStage(x, mean, re, t.rev);
  yield;
  yield* stagesSteps(re, im, t, false, 4);
  powerReversed(re, im, t.rev);
  im.fill(0);
  yield;
  yield* stagesSteps(re, im, t, true, 2, size >> 1);
  lastStageLow(re, im, t.cos, t.sin, n);
  giveBack(im);
  return re;
}

// Free zeroed scratch buffers: the diagnostics of a 15,000-parameter run compute 240,000
// autocovariances, and fresh buffers for each were a tenth of their time in the collector. A buffer
// is taken for one autocovariance and given back after it; one taken by a computation that is
// abandoned (a cancelled run) is simply collected. Taking and giving back, rather than one shared
// buffer, keeps two interleaved computations (yielding generators) apart.
const FREE: Float64Array[] = [];

function borrow(size: number): Float64Array {
  for (let i = FREE.length - 1; i >= 0; i--) {
    if (FREE[i].length === size) {
      const b = FREE[i];
      FREE[i] = FREE[FREE.length - 1];
      FREE.pop();
      return b;
    }
  }
  return new Float64Array(size);
}

function giveBack(b: Float64Array): void {
  b.fill(0);
  if (FREE.length < 8) FREE.push(b);
}

/**
 * The centred x in bit-reversed order after the first (span-2) stage of the forward FFT. With the
 * padding to ≥ 2n, x_i (i < n ≤ size/2) goes to an even place p = rev[i] and p + 1 holds padding
 * (+0), so with w = (cos 0, −sin 0) = (1, −0) that butterfly gives exactly re[p] = v + 0,
 * re[p+1] = v − 0 = v and imaginary parts +0 (the sum turns a −0 into +0, as the butterfly does).
 */
function centredFirstStage(x: ArrayLike<number>, m: number, re: Float64Array, rev: Uint32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i] - m;
    const p = rev[i];
    re[p] = v + 0;
    re[p + 1] = v;
  }
}

/** re[rev[i]] = |z_i|² for z = re + i·im, in place (rev is its own inverse, so pairs swap). */
function powerReversed(re: Float64Array, im: Float64Array, rev: Uint32Array): void {
  for (let i = 0; i < re.length; i++) {
    const j = rev[i];
    if (j < i) continue;
    const pi = re[i] * re[i] + im[i] * im[i];
    const pj = re[j] * re[j] + im[j] * im[j];
    re[j] = pi;
    re[i] = pj;
  }
}

/** sum[k] += (p[k] / scale) / m, the autocovariance's two divisions in their order. */
function addScaled(p: Float64Array, n: number, scale: number, m: number, sum: Float64Array): void {
  for (let k = 0; k < n; k++) sum[k] += p[k] / scale / m;
}

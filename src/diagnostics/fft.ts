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
  const n = re.length;
  // bit-reversal permutation
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i]; re[i] = re[j]; re[j] = t;
      t = im[i]; im[i] = im[j]; im[j] = t;
    }
  }
  yield;
  const sign = inverse ? 1 : -1;
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const ang = (sign * 2 * Math.PI) / len;
    // Twiddles from cos/sin per index (not by repeated multiplication) so the error does not grow with n.
    for (let k = 0; k < half; k++) {
      const wr = Math.cos(ang * k);
      const wi = Math.sin(ang * k);
      for (let i = k; i < n; i += len) {
        const j = i + half;
        const xr = re[j] * wr - im[j] * wi;
        const xi = re[j] * wi + im[j] * wr;
        re[j] = re[i] - xr; im[j] = im[i] - xi;
        re[i] += xr; im[i] += xi;
      }
    }
    yield;
  }
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
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i];
  m /= n;
  let size = 1;
  while (size < 2 * n) size <<= 1;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  for (let i = 0; i < n; i++) re[i] = x[i] - m;
  yield* fftSteps(re, im);
  for (let i = 0; i < size; i++) {
    re[i] = re[i] * re[i] + im[i] * im[i];
    im[i] = 0;
  }
  yield* fftSteps(re, im, true);
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) out[t] = re[t] / (size * n);
  return out;
}

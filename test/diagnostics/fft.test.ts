import { describe, expect, it } from 'vitest';
import { autocovariance, fftInPlace } from '../../src/diagnostics/fft.js';
import { uniforms } from './prng.js';

/** O(n²) reference: (1/n) Σ_{i<n−t} (x_i − x̄)(x_{i+t} − x̄). */
function directAcov(x: Float64Array): Float64Array {
  const n = x.length;
  const m = x.reduce((a, b) => a + b, 0) / n;
  const out = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    let s = 0;
    for (let i = 0; i + t < n; i++) s += (x[i] - m) * (x[i + t] - m);
    out[t] = s / n;
  }
  return out;
}

describe('FFT autocovariance', () => {
  it('equals the direct sum on awkward lengths', () => {
    const u = uniforms(7);
    for (const n of [1, 2, 3, 7, 13, 37, 129, 1000]) {
      const x = Float64Array.from({ length: n }, () => u() * 10 - 3);
      const a = autocovariance(x);
      const b = directAcov(x);
      for (let t = 0; t < n; t++) expect(Math.abs(a[t] - b[t])).toBeLessThan(1e-12 * (1 + Math.abs(b[0])));
    }
  });

  it('gives the bits of two whole FFTs of the padded centred series (its first and last stages are cut short)', () => {
    const u = uniforms(8);
    for (const n of [1, 2, 3, 5, 500, 1025, 1500, 5000]) {
      const x = Float64Array.from({ length: n }, (_, i) => (i % 7 === 3 ? x0(i) : u() * 10 - 3));
      let m = 0;
      for (let i = 0; i < n; i++) m += x[i];
      m /= n;
      let size = 1;
      while (size < 2 * n) size <<= 1;
      const re = new Float64Array(size);
      const im = new Float64Array(size);
      for (let i = 0; i < n; i++) re[i] = x[i] - m;
      fftInPlace(re, im);
      const power = re.map((r, i) => r * r + im[i] * im[i]);
      im.fill(0);
      fftInPlace(power, im, true);
      const expected = Array.from({ length: n }, (_, k) => power[k] / (size * n));
      const got = autocovariance(x);
      expect(Array.from(got).every((v, k) => Object.is(v, expected[k])), `n = ${n}`).toBe(true);
    }
    // repeated values: centred values of exactly ±0
    function x0(i: number): number {
      return i % 2 ? 0 : -0;
    }
  });

  it('by hand: x = [1, 2, 3, 4]', () => {
    // centred [−1.5, −0.5, 0.5, 1.5]; lag 0: (2.25+0.25+0.25+2.25)/4 = 1.25;
    // lag 1: (0.75 − 0.25 + 0.75)/4 = 0.3125; lag 2: (−0.75 − 0.75)/4 = −0.375; lag 3: −2.25/4 = −0.5625
    const a = autocovariance([1, 2, 3, 4]);
    expect(Array.from(a).map((v) => +v.toFixed(12))).toEqual([1.25, 0.3125, -0.375, -0.5625]);
  });

  it('inverse(forward(x)) / n = x', () => {
    const u = uniforms(3);
    const n = 64;
    const re = Float64Array.from({ length: n }, () => u());
    const im = Float64Array.from({ length: n }, () => u());
    const re0 = re.slice();
    const im0 = im.slice();
    fftInPlace(re, im);
    fftInPlace(re, im, true);
    for (let i = 0; i < n; i++) {
      expect(re[i] / n).toBeCloseTo(re0[i], 13);
      expect(im[i] / n).toBeCloseTo(im0[i], 13);
    }
  });
});

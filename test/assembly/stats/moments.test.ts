import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/random/index.js';
import { Arena } from '../../../src/wasm/index.js';

let a: Arena;
beforeAll(async () => {
  a = await Arena.create();
});

const SIZES = [1, 2, 3, 7, 13, 37, 129];

function randF32(n: number, rng: Rng, scale = 1, offset = 0): Float32Array {
  return Float32Array.from({ length: n }, () => offset + scale * (2 * rng.uniform() - 1));
}

describe('moments_update_f64', () => {
  it('matches the two-pass mean and Σ(x − mean)² after each of many samples, and touches nothing past n', () => {
    for (const n of SIZES) {
      const rng = new Rng(n, 4);
      const mark = a.mark();
      const mean = a.putF64(new Float64Array(n + 2).fill(0).fill(-9, n));
      const m2 = a.putF64(new Float64Array(n + 2).fill(0).fill(-9, n));
      const x = a.allocF32(n);
      // Large offset, small spread: the case where E[x²] − mean² would cancel.
      const xs: Float32Array[] = [];
      for (let c = 1; c <= 11; c++) {
        const v = randF32(n, rng, 1e-3, 10);
        xs.push(v);
        a.putF32(v, x);
        a.k.moments_update_f64(mean, m2, x, n, c);
        const got = a.getF64(mean, n + 2);
        const gotM2 = a.getF64(m2, n + 2);
        expect(Array.from(got.subarray(n))).toEqual([-9, -9]);
        expect(Array.from(gotM2.subarray(n))).toEqual([-9, -9]);
        for (let i = 0; i < n; i++) {
          let mu = 0;
          for (const s of xs) mu += s[i];
          mu /= xs.length;
          let ss = 0;
          for (const s of xs) ss += (s[i] - mu) ** 2;
          expect(Math.abs(got[i] - mu)).toBeLessThan(1e-13);
          expect(Math.abs(gotM2[i] - ss)).toBeLessThan(1e-9 * ss + 1e-20);
        }
      }
      a.reset(mark);
    }
  });
});

describe('swag_deviation_f32', () => {
  it('writes f32(x − mean) and nothing past n', () => {
    for (const n of SIZES) {
      const rng = new Rng(n, 5);
      const mark = a.mark();
      const xs = randF32(n, rng);
      const mu = Float64Array.from({ length: n }, () => rng.uniform());
      const dev = a.putF32(new Float32Array(n + 3).fill(-7));
      a.k.swag_deviation_f32(dev, a.putF32(xs), a.putF64(mu), n);
      const got = a.getF32(dev, n + 3);
      expect(Array.from(got.subarray(n))).toEqual([-7, -7, -7]);
      expect(Array.from(got.subarray(0, n))).toEqual(Array.from(xs, (v, i) => Math.fround(v - mu[i])));
      a.reset(mark);
    }
  });
});

describe('swag_std_f32', () => {
  it('is the standard deviation √max(m2/count, eps), not the variance', () => {
    const m2 = a.putF64([0.04 * 4, 0, 9 * 4, 1e-30]);
    const out = a.allocF32(4);
    a.k.swag_std_f32(out, m2, 4, 4, 1e-12);
    const got = Array.from(a.getF32(out, 4));
    expect(got[0]).toBeCloseTo(0.2, 6);
    expect(got[1]).toBeCloseTo(1e-6, 10);
    expect(got[2]).toBeCloseTo(3, 6);
    expect(got[3]).toBeCloseTo(1e-6, 10);
  });
});

describe('swag_sample_f32', () => {
  it('is mean + a·σ⊙z₁ + b·Σ_k z₂[k]·D[k,:] for D stored rank × n', () => {
    for (const n of SIZES) {
      for (const rank of [0, 1, 3, 20]) {
        const rng = new Rng(n * 100 + rank, 6);
        const mark = a.mark();
        const mean = randF32(n, rng);
        const sigma = randF32(n, rng, 0.5, 0.5);
        const dev = randF32(n * rank, rng);
        const z = randF32(n + rank, rng, 2);
        const A = 0.7;
        const B = 0.3;
        const out = a.putF32(new Float32Array(n + 3).fill(-7));
        a.k.swag_sample_f32(out, a.putF32(mean), a.putF32(sigma), a.putF32(dev), a.putF32(z), n, rank, A, B);
        const got = a.getF32(out, n + 3);
        expect(Array.from(got.subarray(n))).toEqual([-7, -7, -7]);
        for (let i = 0; i < n; i++) {
          let low = 0;
          for (let k = 0; k < rank; k++) low += z[n + k] * dev[k * n + i];
          const ref = mean[i] + A * sigma[i] * z[i] + B * low;
          expect(Math.abs(got[i] - ref)).toBeLessThan(1e-5 * (1 + rank));
        }
        a.reset(mark);
      }
    }
  });

  it('does not depend on where an element sits (SIMD body vs scalar tail give the same bits)', () => {
    const n = 9;
    const rank = 5;
    const rng = new Rng(77, 6);
    const mean = randF32(n, rng);
    const sigma = randF32(n, rng, 0.5, 0.5);
    const dev = randF32(n * rank, rng);
    const z = randF32(n + rank, rng, 2);
    const mark = a.mark();
    const out = a.allocF32(n);
    a.k.swag_sample_f32(out, a.putF32(mean), a.putF32(sigma), a.putF32(dev), a.putF32(z), n, rank, 0.7, 0.3);
    const full = a.getF32(out, n);
    // Element 8 is in the scalar tail for n = 9; as element 0 of a 1-element problem it is too, so
    // compare element 0 (SIMD body) computed alone as a 1-element problem (scalar path).
    const dev0 = Float32Array.from({ length: rank }, (_, k) => dev[k * n]);
    const z0 = Float32Array.from([z[0], ...z.subarray(n)]);
    const out1 = a.allocF32(1);
    a.k.swag_sample_f32(out1, a.putF32(mean.subarray(0, 1)), a.putF32(sigma.subarray(0, 1)), a.putF32(dev0), a.putF32(z0), 1, rank, 0.7, 0.3);
    expect(a.getF32(out1, 1)[0]).toBe(full[0]);
    a.reset(mark);
  });
});

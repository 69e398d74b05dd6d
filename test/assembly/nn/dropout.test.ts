import { beforeAll, describe, expect, it } from 'vitest';
import { Arena } from '../../../src/wasm/index.js';
import { randF32 } from './ref.js';

let a: Arena;
beforeAll(async () => {
  a = await Arena.create();
});

function mask(n: number, p: number, key: [number, number, number, number, number]): Float32Array {
  const mark = a.mark();
  const out = a.putF32(new Float32Array(n + 3).fill(-7));
  a.k.dropout_mask_f32(out, n, p, ...key);
  const r = a.getF32(out, n + 3);
  a.reset(mark);
  expect(Array.from(r.subarray(n))).toEqual([-7, -7, -7]);
  return r.subarray(0, n);
}

function uniforms(n: number, key: [number, number, number, number, number]): Float32Array {
  const mark = a.mark();
  const out = a.allocF32(n);
  a.k.rng_uniform_f32(out, n, ...key);
  const r = a.getF32(out, n);
  a.reset(mark);
  return r;
}

describe('dropout_mask_f32', () => {
  it('drops element i exactly when uniform i < p, and scales kept ones by 1/(1−p)', () => {
    for (const n of [1, 7, 13, 16, 37, 129]) {
      for (const p of [0.1, 0.5, 0.7]) {
        const key: [number, number, number, number, number] = [n, 3, 1, 2, 3];
        const m = mask(n, p, key);
        const u = uniforms(n, key);
        const keep = Math.fround(1 / (1 - Math.fround(p)));
        expect(Array.from(m)).toEqual(Array.from(u, (v) => (v < Math.fround(p) ? 0 : keep)));
      }
    }
  });

  it('drops at rate p with mean 1', () => {
    const n = 100_003;
    const p = 0.3;
    const m = mask(n, p, [42, 0, 7, 0, 0]);
    let dropped = 0;
    let sum = 0;
    for (const v of m) {
      if (v === 0) dropped++;
      sum += v;
    }
    expect(Math.abs(dropped / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    expect(Math.abs(sum / n - 1)).toBeLessThan(5 * Math.sqrt(p / (1 - p) / n));
  });

  it('keeps everything at p = 0 and drops everything at p = 1', () => {
    expect(mask(37, 0, [1, 2, 3, 4, 5]).every((v) => v === 1)).toBe(true);
    expect(mask(37, 1, [1, 2, 3, 4, 5]).every((v) => Object.is(v, 0))).toBe(true);
  });

  it('differs between counters (steps) and is reproducible for the same one', () => {
    const m1 = mask(129, 0.5, [9, 9, 1, 0, 0]);
    expect(Array.from(mask(129, 0.5, [9, 9, 1, 0, 0]))).toEqual(Array.from(m1));
    const m2 = mask(129, 0.5, [9, 9, 2, 0, 0]);
    let same = 0;
    for (let i = 0; i < 129; i++) if (m1[i] === m2[i]) same++;
    expect(same).toBeLessThan(100);
  });
});

describe('mul_f32', () => {
  it('multiplies elementwise, in place too', () => {
    for (const n of [1, 3, 7, 13, 37, 129]) {
      const x = randF32(n, n);
      const y = randF32(n, n + 1);
      const mark = a.mark();
      const px = a.putF32(x);
      const py = a.putF32(y);
      const out = a.allocF32(n);
      a.k.mul_f32(out, px, py, n);
      const want = Array.from(x, (v, i) => Math.fround(v * y[i]));
      expect(Array.from(a.getF32(out, n))).toEqual(want);
      a.k.mul_f32(px, px, py, n);
      expect(Array.from(a.getF32(px, n))).toEqual(want);
      a.reset(mark);
    }
  });
});

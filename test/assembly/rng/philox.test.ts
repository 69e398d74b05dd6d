import { beforeAll, describe, expect, it } from 'vitest';
import { Arena } from '../../../src/wasm/index.js';
import { philox4x32, uniformF32OfWord, uniformF64OfWords } from '../../../src/random/index.js';

type Fill = 'rng_bits_u32' | 'rng_uniform_f32' | 'rng_normal_f32' | 'rng_uniform_f64' | 'rng_normal_f64';
const PI_KEY = [0xa4093822, 0x299f31d0] as const;
const PI_CTR = [0x85a308d3, 0x13198a2e, 0x03707344] as const;

let a: Arena;
beforeAll(async () => {
  a = await Arena.create();
});

/** Runs a fill of n elements and copies the result out (u32 as numbers for bits). */
function fill(name: Fill, n: number, k0: number, k1: number, c1 = 0, c2 = 0, c3 = 0): Float64Array {
  const m = a.mark();
  const f64 = name.endsWith('f64');
  const p = f64 ? a.allocF64(n + 2) : a.allocF32(n + 4);
  // Sentinels after the end catch writes past n.
  if (f64) a.f64(p, n + 2).fill(-7);
  else a.f32(p, n + 4).fill(-7);
  a.k[name](p, n, k0, k1, c1, c2, c3);
  const out = f64 ? a.getF64(p, n + 2) : name === 'rng_bits_u32' ? Float64Array.from(a.u32(p, n + 4)) : Float64Array.from(a.getF32(p, n + 4));
  const tail = out.subarray(n);
  if (name === 'rng_bits_u32') expect(Array.from(tail)).toEqual(new Array(4).fill(new Uint32Array(new Float32Array([-7]).buffer)[0]));
  else expect(Array.from(tail).every((v) => v === -7)).toBe(true);
  a.reset(m);
  return out.slice(0, n);
}

/** Word j of the stream, from the TypeScript mirror. */
function words(n: number, k0: number, k1: number, c1 = 0, c2 = 0, c3 = 0): Uint32Array {
  const w = new Uint32Array(Math.ceil(n / 4) * 4);
  for (let b = 0; b < w.length / 4; b++) w.set(philox4x32(b, c1, c2, c3, k0, k1), 4 * b);
  return w.subarray(0, n);
}

function moments(x: ArrayLike<number>): { mean: number; variance: number; skew: number; kurt: number } {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  const mean = s / x.length;
  let m2 = 0, m3 = 0, m4 = 0;
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - mean;
    m2 += d * d;
    m3 += d * d * d;
    m4 += d * d * d * d;
  }
  m2 /= x.length; m3 /= x.length; m4 /= x.length;
  return { mean, variance: m2, skew: m3 / m2 ** 1.5, kurt: m4 / (m2 * m2) };
}

describe('Philox4x32-10 block function (wasm)', () => {
  it('matches the Random123 known-answer vector for counter and key all zero', () => {
    expect(Array.from(fill('rng_bits_u32', 4, 0, 0))).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
  });

  it('is bit-identical to the TypeScript mirror for every length 1..70 and several keys', () => {
    const keys = [[0, 0, 0, 0, 0], [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [...PI_KEY, ...PI_CTR]];
    for (const [k0, k1, c1, c2, c3] of keys) {
      const ref = words(70, k0, k1, c1, c2, c3);
      for (let n = 1; n <= 70; n++) {
        expect(Array.from(fill('rng_bits_u32', n, k0, k1, c1, c2, c3))).toEqual(Array.from(ref.subarray(0, n)));
      }
    }
  });

  it('changes every word when the key, stream or any counter word changes', () => {
    const base = fill('rng_bits_u32', 64, 1, 2, 3, 4, 5);
    for (const args of [[2, 2, 3, 4, 5], [1, 3, 3, 4, 5], [1, 2, 4, 4, 5], [1, 2, 3, 5, 5], [1, 2, 3, 4, 6]]) {
      const other = fill('rng_bits_u32', 64, ...(args as [number, number, number, number, number]));
      let same = 0;
      for (let i = 0; i < 64; i++) if (other[i] === base[i]) same++;
      expect(same).toBeLessThan(2);
    }
  });
});

describe('fills', () => {
  const fills: Fill[] = ['rng_bits_u32', 'rng_uniform_f32', 'rng_normal_f32', 'rng_uniform_f64', 'rng_normal_f64'];

  it('give element i independently of n: every fill is a prefix of a longer one', () => {
    for (const f of fills) {
      const long = fill(f, 129, 11, 12, 13, 14, 15);
      for (const n of [1, 2, 3, 5, 7, 8, 13, 16, 17, 37, 64, 100]) {
        expect(Array.from(fill(f, n, 11, 12, 13, 14, 15)), `${f} n=${n}`).toEqual(Array.from(long.subarray(0, n)));
      }
    }
  });

  it('uniform_f32 is ((w>>>9)+½)·2⁻²³ of word i, strictly inside (0,1)', () => {
    const n = 1037;
    const u = fill('rng_uniform_f32', n, ...PI_KEY, ...PI_CTR);
    const w = words(n, ...PI_KEY, ...PI_CTR);
    for (let i = 0; i < n; i++) expect(u[i]).toBe(uniformF32OfWord(w[i]));
    expect(uniformF32OfWord(0)).toBeGreaterThan(0);
    expect(uniformF32OfWord(0xffffffff)).toBeLessThan(1);
    expect(Math.fround(uniformF32OfWord(0xffffffff))).toBe(uniformF32OfWord(0xffffffff));
  });

  it('uniform_f64 uses words 2i (low) and 2i+1 (high), strictly inside (0,1)', () => {
    const n = 517;
    const u = fill('rng_uniform_f64', n, ...PI_KEY, ...PI_CTR);
    const w = words(2 * n, ...PI_KEY, ...PI_CTR);
    for (let i = 0; i < n; i++) expect(u[i]).toBe(uniformF64OfWords(w[2 * i], w[2 * i + 1]));
    expect(uniformF64OfWords(0, 0)).toBeGreaterThan(0);
    expect(uniformF64OfWords(0xffffffff, 0xffffffff)).toBeLessThan(1);
  });

  it('uniform moments match U(0,1)', () => {
    for (const f of ['rng_uniform_f32', 'rng_uniform_f64'] as const) {
      const n = 200_000;
      const m = moments(fill(f, n, 99, 7));
      // 5 standard errors: var(u)=1/12, var(u²)... loose enough never to flake, tight enough to catch bias.
      expect(Math.abs(m.mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
      expect(Math.abs(m.variance - 1 / 12)).toBeLessThan(5 * Math.sqrt(1 / 180 / n));
      expect(Math.abs(m.skew)).toBeLessThan(0.02);
      expect(Math.abs(m.kurt - 1.8)).toBeLessThan(0.02);
    }
  });

  it('normal_f32 is Box–Muller of word pairs (2j, 2j+1), accurate to f32', () => {
    const n = 4001;
    const z = fill('rng_normal_f32', n, 5, 6, 7, 8, 9);
    const w = words(n + 1, 5, 6, 7, 8, 9);
    let worst = 0;
    for (let j = 0; 2 * j < n; j++) {
      const r = Math.sqrt(-2 * Math.log(uniformF32OfWord(w[2 * j])));
      const t = 2 * Math.PI * uniformF32OfWord(w[2 * j + 1]);
      worst = Math.max(worst, Math.abs(z[2 * j] - r * Math.cos(t)) / (1 + r));
      if (2 * j + 1 < n) worst = Math.max(worst, Math.abs(z[2 * j + 1] - r * Math.sin(t)) / (1 + r));
    }
    expect(worst).toBeLessThan(4e-7);
  });

  it('normal_f64 is Box–Muller of block b for elements 2b, 2b+1, to f64 accuracy', () => {
    const n = 1001;
    const z = fill('rng_normal_f64', n, 5, 6, 7, 8, 9);
    const w = words(2 * n + 4, 5, 6, 7, 8, 9);
    for (let b = 0; 2 * b < n; b++) {
      const r = Math.sqrt(-2 * Math.log(uniformF64OfWords(w[4 * b], w[4 * b + 1])));
      const t = 2 * Math.PI * uniformF64OfWords(w[4 * b + 2], w[4 * b + 3]);
      expect(Math.abs(z[2 * b] - r * Math.cos(t))).toBeLessThan(1e-14 * (1 + r));
      if (2 * b + 1 < n) expect(Math.abs(z[2 * b + 1] - r * Math.sin(t))).toBeLessThan(1e-14 * (1 + r));
    }
  });

  it('normal moments match N(0,1)', () => {
    for (const f of ['rng_normal_f32', 'rng_normal_f64'] as const) {
      const n = 200_000;
      const m = moments(fill(f, n, 2024, 3, 1));
      expect(Math.abs(m.mean)).toBeLessThan(5 / Math.sqrt(n));
      expect(Math.abs(m.variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
      expect(Math.abs(m.skew)).toBeLessThan(5 * Math.sqrt(6 / n));
      expect(Math.abs(m.kurt - 3)).toBeLessThan(5 * Math.sqrt(24 / n));
    }
  });

  it('bernoulli_f32 is 1 exactly where uniform i < p, at rate p', () => {
    for (const [n, p] of [[1, 0.5], [7, 0.3], [129, 0.9], [100_003, 0.25]] as const) {
      const m = a.mark();
      const out = a.allocF32(n);
      a.k.rng_bernoulli_f32(out, n, p, 17, 4, 0, 1, 0);
      const b = a.getF32(out, n);
      a.reset(m);
      const u = fill('rng_uniform_f32', n, 17, 4, 0, 1, 0);
      let ones = 0;
      let wrong = 0;
      for (let i = 0; i < n; i++) {
        if (b[i] !== (u[i] < Math.fround(p) ? 1 : 0)) wrong++;
        ones += b[i];
      }
      expect(wrong).toBe(0);
      if (n > 1000) expect(Math.abs(ones / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    }
    const m = a.mark();
    const out = a.allocF32(37);
    a.k.rng_bernoulli_f32(out, 37, 0, 1, 2, 3, 4, 5);
    expect(a.getF32(out, 37).every((v) => v === 0)).toBe(true);
    a.k.rng_bernoulli_f32(out, 37, 1, 1, 2, 3, 4, 5);
    expect(a.getF32(out, 37).every((v) => v === 1)).toBe(true);
    a.reset(m);
  });
});

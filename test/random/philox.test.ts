import { beforeAll, describe, expect, it } from 'vitest';
import { keyOf, philox4x32, Rng } from '../../src/random/index.js';
import { Arena } from '../../src/wasm/index.js';
import { BdlError } from '../../src/errors.js';

const hex = (a: ArrayLike<number>) => Array.from(a, (x) => x.toString(16).padStart(8, '0')).join(' ');

let a: Arena;
beforeAll(async () => {
  a = await Arena.create();
});

describe('philox4x32', () => {
  // Random123's kat_vectors for philox4x32_10: counter (4 words), key (2 words) → 4 words.
  it('matches the Random123 known-answer vectors', () => {
    expect(hex(philox4x32(0, 0, 0, 0, 0, 0))).toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
    const f = 0xffffffff;
    expect(hex(philox4x32(f, f, f, f, f, f))).toBe('408f276d 41c83b0e a20bc7c6 6d5451fd');
    expect(hex(philox4x32(0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0))).toBe(
      'd16cfe09 94fdcceb 5001e420 24126ea1',
    );
  });
});

describe('keyOf', () => {
  it('maps seeds below 2^32 to (seed, stream) exactly', () => {
    expect(keyOf(0)).toEqual([0, 0]);
    expect(keyOf(42, 7)).toEqual([42, 7]);
    expect(keyOf(0xffffffff, 0xffffffff)).toEqual([0xffffffff, 0xffffffff]);
  });

  it('keeps seeds above 2^32 apart from small neighbours and from each other', () => {
    const seen = new Set<string>();
    for (let hi = 0; hi < 64; hi++) {
      for (let s = 0; s < 8; s++) seen.add(keyOf(hi * 2 ** 32 + 5, s).join(','));
    }
    expect(seen.size).toBe(64 * 8);
    expect(keyOf(2 ** 32, 0)).not.toEqual(keyOf(0, 1));
    expect(keyOf(Number.MAX_SAFE_INTEGER, 3)[0]).toBe(0xffffffff);
  });

  it('rejects seeds and streams that are not whole numbers in range, naming the argument', () => {
    for (const bad of [-1, 0.5, NaN, Infinity, 2 ** 53]) {
      expect(() => keyOf(bad)).toThrow(BdlError);
    }
    expect(() => keyOf(1, -1)).toThrow(/stream/);
    expect(() => keyOf(1, 2 ** 32)).toThrow(/stream/);
    try {
      keyOf(-3);
    } catch (e) {
      expect((e as BdlError).code).toBe('E_ARG');
      expect((e as BdlError).argument).toBe('seed');
    }
  });
});

describe('Rng: the same bits as the wasm fills', () => {
  function wasm(name: 'rng_bits_u32' | 'rng_uniform_f32' | 'rng_uniform_f64', n: number, r: Rng, c: number[]): number[] {
    const m = a.mark();
    const f64 = name === 'rng_uniform_f64';
    const p = f64 ? a.allocF64(n) : a.allocF32(n);
    a.k[name](p, n, r.k0, r.k1, c[0], c[1], c[2]);
    const out = f64 ? Array.from(a.f64(p, n)) : name === 'rng_bits_u32' ? Array.from(a.u32(p, n)) : Array.from(a.f32(p, n));
    a.reset(m);
    return out;
  }

  it('uint32() is word j of rng_bits_u32, across blocks', () => {
    for (const [seed, stream] of [[0, 0], [123456789, 3], [2 ** 40 + 17, 9]]) {
      const c = [4, 5, 6];
      const r = new Rng(seed, stream, c as [number, number, number]);
      const mine = Array.from({ length: 137 }, () => r.uint32());
      expect(mine).toEqual(wasm('rng_bits_u32', 137, r, c));
      expect(r.position).toBe(137);
    }
  });

  it('uniformF32() equals rng_uniform_f32 and uniform() equals rng_uniform_f64', () => {
    const c = [1, 0, 0];
    const r1 = new Rng(77, 2, c as [number, number, number]);
    expect(Array.from({ length: 53 }, () => r1.uniformF32())).toEqual(wasm('rng_uniform_f32', 53, r1, c));
    const r2 = new Rng(77, 2, c as [number, number, number]);
    expect(Array.from({ length: 53 }, () => r2.uniform())).toEqual(wasm('rng_uniform_f64', 53, r2, c));
  });

  it('seek() moves to word 0 of another counter: the stream of a fresh Rng there', () => {
    const r = new Rng(2 ** 40 + 17, 9, [3, 1, 0]);
    r.uint32();
    r.normal();
    for (const c of [[7, 1, 0], [0, 0, 5], [2 ** 32 - 1, 1, 0]] as [number, number, number][]) {
      r.seek(c[0], c[1], c[2]);
      const fresh = new Rng(2 ** 40 + 17, 9, c);
      expect([r.uniform(), r.normal(), r.uint32(), r.uniform()]).toEqual([fresh.uniform(), fresh.normal(), fresh.uint32(), fresh.uniform()]);
      expect(r.position).toBe(fresh.position);
    }
  });

  it('uniform() realigns to an even word after an odd number of uint32()', () => {
    const r = new Rng(5);
    r.uint32();
    const u = r.uniform();
    expect(u).toBe(wasm('rng_uniform_f64', 2, r, [0, 0, 0])[1]);
    expect(r.position).toBe(4);
  });

  it('normal() is close to rng_normal_f64 (Box–Muller on the same words)', () => {
    const r = new Rng(31337, 1);
    const n = 101;
    const m = a.mark();
    const p = a.allocF64(n);
    a.k.rng_normal_f64(p, n, r.k0, r.k1, 0, 0, 0);
    const ref = a.getF64(p, n);
    a.reset(m);
    for (let i = 0; i < n; i++) expect(Math.abs(r.normal() - ref[i])).toBeLessThan(1e-13);
  });
});

describe('Rng: integers and permutations', () => {
  it('int(n) is unbiased (chi-square over 7 and over 2^31 + 1 halves)', () => {
    const r = new Rng(2718);
    const counts = new Array(7).fill(0);
    const draws = 70_000;
    for (let i = 0; i < draws; i++) counts[r.int(7)]++;
    const e = draws / 7;
    const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(22.5); // 6 d.o.f., p ≈ 0.001
    // n just above 2^31: plain w % n would put 2/3 of the draws in the lower half.
    const n = 2 ** 31 + 1;
    let low = 0;
    for (let i = 0; i < 20_000; i++) if (r.int(n) < n / 2) low++;
    expect(Math.abs(low / 20_000 - 0.5)).toBeLessThan(0.02);
    expect(r.int(1)).toBe(0);
    expect(Number.isInteger(r.int(2 ** 32))).toBe(true);
  });

  it('int(n) rejects empty or non-integer ranges', () => {
    const r = new Rng(1);
    for (const bad of [0, -1, 1.5, 2 ** 32 + 1, NaN]) expect(() => r.int(bad)).toThrow(BdlError);
  });

  it('shuffle permutes in place, and every order of 3 items is equally likely', () => {
    const r = new Rng(99, 4);
    const x = Int32Array.from({ length: 37 }, (_, i) => i);
    expect(r.shuffle(x)).toBe(x);
    expect(Array.from(x).sort((p, q) => p - q)).toEqual(Array.from({ length: 37 }, (_, i) => i));
    const counts = new Map<string, number>();
    const draws = 60_000;
    for (let i = 0; i < draws; i++) {
      const k = r.shuffle(new Uint32Array([0, 1, 2])).join('');
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    expect(counts.size).toBe(6);
    const e = draws / 6;
    const chi2 = [...counts.values()].reduce((s, c) => s + (c - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(20.5); // 5 d.o.f., p ≈ 0.001
  });

  it('permutation(n) depends only on (seed, stream)', () => {
    const p1 = new Rng(8, 2).permutation(129);
    expect(Array.from(new Rng(8, 2).permutation(129))).toEqual(Array.from(p1));
    expect(Array.from(new Rng(8, 3).permutation(129))).not.toEqual(Array.from(p1));
    expect(Array.from(p1).sort((p, q) => p - q)).toEqual(Array.from({ length: 129 }, (_, i) => i));
    expect(new Rng(8).permutation(0).length).toBe(0);
    expect(Array.from(new Rng(8).permutation(1))).toEqual([0]);
    expect(() => new Rng(8).permutation(-1)).toThrow(BdlError);
  });
});

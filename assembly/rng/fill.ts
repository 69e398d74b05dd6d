// Turning Philox words into values: one driver for every fill, parameterized by a kind that is a
// constant at each (inlined) call site, so the optimizer keeps only that kind's code.
// Internal: not re-exported by assembly/index.ts.
//
// A group is 4 blocks = 16 words = 64 bytes of output in every kind: 16 f32 values (one word
// each) or 8 f64 values (two words each). Block b therefore always lands at bytes [16b, 16b+16),
// which is what makes element i independent of n.

import { philox4, philox8, philox_setup, R0, R1, R2, R3, R4, R5, R6, R7 } from './philox_core';

export const BITS = 0;
export const UNIFORM = 1;
/** 1 where the uniform is < p, else 0. */
export const BERNOULLI = 2;
/** s where the uniform is ≥ p, else 0 (inverted dropout: s = 1/(1−p)). */
export const KEEP = 3;
export const NORMAL = 4;
export const UNIFORM64 = 5;
export const NORMAL64 = 6;

// p and s splats, loaded inside loops rather than splatted there (V8 re-materializes splats).
const PARAMS: usize = memory.data(32, 16);
// The partial last group of a fill is built here, then copied out.
const TAIL: usize = memory.data(64, 16);

/** Words → f32 uniforms ((w>>>9) + ½)·2⁻²³: 23 random bits, strictly inside (0,1), every step exact. */
@inline function uniform_f32x4(w: v128): v128 {
  const v = f32x4.convert_i32x4_u(i32x4.shr_u(w, 9));
  return f32x4.add(f32x4.mul(v, f32x4.splat(1.1920928955078125e-7)), f32x4.splat(5.9604644775390625e-8));
}

/**
 * One block's words → two f64 uniforms (⌊x/2¹²⌋ + ½)·2⁻⁵², x = w[2j] + 2³²·w[2j+1]: 52 random bits
 * placed in the mantissa of a number in [1,2), then shifted down by 1 − 2⁻⁵³ (exact by Sterbenz).
 */
@inline function uniform_f64x2(w: v128): v128 {
  const one = v128.or(i64x2.shr_u(w, 12), i64x2.splat(0x3ff0000000000000));
  return f64x2.sub(one, f64x2.splat(reinterpret<f64>(0x3fefffffffffffff)));
}

/** ln u for u in (0,1], normal f32: u = 2^e·m with m in [√½, √2), ln m = 2·atanh(s), s = (m−1)/(m+1). */
@inline function log_f32x4(u: v128): v128 {
  let e = i32x4.sub(i32x4.shr_u(u, 23), i32x4.splat(127));
  let m = v128.or(v128.and(u, i32x4.splat(0x007fffff)), i32x4.splat(0x3f800000));
  // Fold m into [√½, √2) so that |s| ≤ 0.1716: the atanh series then needs five terms for 1e-9.
  const big = f32x4.gt(m, f32x4.splat(1.41421356));
  m = v128.bitselect(f32x4.mul(m, f32x4.splat(0.5)), m, big);
  e = i32x4.sub(e, big); // a true lane is −1
  const s = f32x4.div(f32x4.sub(m, f32x4.splat(1)), f32x4.add(m, f32x4.splat(1)));
  const s2 = f32x4.mul(s, s);
  let p = f32x4.splat(<f32>(1.0 / 9.0));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(1.0 / 7.0)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(1.0 / 5.0)));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(<f32>(1.0 / 3.0)));
  const lnm = f32x4.add(f32x4.add(s, s), f32x4.mul(f32x4.add(s, s), f32x4.mul(s2, p)));
  // e·ln2 split in two so the large part is exact (ln2 = hi + lo, hi with few mantissa bits).
  const ef = f32x4.convert_i32x4_s(e);
  return f32x4.add(f32x4.mul(ef, f32x4.splat(0.693145751953125)), f32x4.add(lnm, f32x4.mul(ef, f32x4.splat(1.428606765330187e-6))));
}

// sin and cos of the last sincos_2pi_f32x4 call.
let SIN: v128 = v128.splat<i32>(0);
let COS: v128 = v128.splat<i32>(0);

/** sin and cos of 2πu for u in (0,1): quadrant q = round(4u) exactly, |2π(u − q/4)| ≤ π/4, Taylor. */
@inline function sincos_2pi_f32x4(u: v128): void {
  const q = f32x4.nearest(f32x4.mul(u, f32x4.splat(4)));
  const a = f32x4.mul(f32x4.sub(u, f32x4.mul(q, f32x4.splat(0.25))), f32x4.splat(6.283185307179586));
  const a2 = f32x4.mul(a, a);
  let sp = f32x4.splat(<f32>(1.0 / 362880.0));
  sp = f32x4.add(f32x4.mul(sp, a2), f32x4.splat(<f32>(-1.0 / 5040.0)));
  sp = f32x4.add(f32x4.mul(sp, a2), f32x4.splat(<f32>(1.0 / 120.0)));
  sp = f32x4.add(f32x4.mul(sp, a2), f32x4.splat(<f32>(-1.0 / 6.0)));
  const s = f32x4.add(a, f32x4.mul(a, f32x4.mul(a2, sp)));
  let cp = f32x4.splat(<f32>(-1.0 / 3628800.0));
  cp = f32x4.add(f32x4.mul(cp, a2), f32x4.splat(<f32>(1.0 / 40320.0)));
  cp = f32x4.add(f32x4.mul(cp, a2), f32x4.splat(<f32>(-1.0 / 720.0)));
  cp = f32x4.add(f32x4.mul(cp, a2), f32x4.splat(<f32>(1.0 / 24.0)));
  cp = f32x4.add(f32x4.mul(cp, a2), f32x4.splat(-0.5));
  const c = f32x4.add(f32x4.splat(1), f32x4.mul(a2, cp));
  // Rotate by q quarter turns: odd q swaps sin and cos; the sign bits follow the quadrant.
  const qi = i32x4.trunc_sat_f32x4_s(q);
  const swap = i32x4.ne(v128.and(qi, i32x4.splat(1)), i32x4.splat(0));
  const cosSign = i32x4.shl(v128.and(i32x4.add(qi, i32x4.splat(1)), i32x4.splat(2)), 30);
  const sinSign = i32x4.shl(v128.and(qi, i32x4.splat(2)), 30);
  COS = v128.xor(v128.bitselect(s, c, swap), cosSign);
  SIN = v128.xor(v128.bitselect(c, s, swap), sinSign);
}

/**
 * Box–Muller on two blocks a, b (8 f32 normals, stored at dst): words (2j, 2j+1) →
 * (r·cos θ, r·sin θ), r = √(−2 ln u₁), θ = 2πu₂.
 */
@inline function normals_f32(dst: usize, a: v128, b: v128): void {
  const u1 = uniform_f32x4(i32x4.shuffle(a, b, 0, 2, 4, 6));
  const u2 = uniform_f32x4(i32x4.shuffle(a, b, 1, 3, 5, 7));
  const r = f32x4.sqrt(f32x4.mul(f32x4.splat(-2), log_f32x4(u1)));
  sincos_2pi_f32x4(u2);
  const zc = f32x4.mul(r, COS);
  const zs = f32x4.mul(r, SIN);
  v128.store(dst, i32x4.shuffle(zc, zs, 0, 4, 1, 5));
  v128.store(dst, i32x4.shuffle(zc, zs, 2, 6, 3, 7), 16);
}

/** Box–Muller on one block's two f64 uniforms: (r·cos θ, r·sin θ), full f64 precision. */
@inline function normal_pair_f64(w: v128): v128 {
  const u = uniform_f64x2(w);
  const r = Math.sqrt(-2.0 * Math.log(f64x2.extract_lane(u, 0)));
  const t = 6.283185307179586 * f64x2.extract_lane(u, 1);
  return f64x2(r * Math.cos(t), r * Math.sin(t));
}

/** Word vector → f32 values of a one-word-per-element kind. */
@inline function map_f32(w: v128, kind: i32): v128 {
  if (kind == BITS) return w;
  const u = uniform_f32x4(w);
  if (kind == UNIFORM) return u;
  if (kind == BERNOULLI) return v128.and(f32x4.lt(u, v128.load(PARAMS)), f32x4.splat(1));
  return v128.and(f32x4.ge(u, v128.load(PARAMS)), v128.load(PARAMS, 16)); // KEEP
}

/** The 64 output bytes of blocks a, b, c, d at dst. */
@inline function group(dst: usize, a: v128, b: v128, c: v128, d: v128, kind: i32): void {
  if (kind == NORMAL) {
    normals_f32(dst, a, b);
    normals_f32(dst + 32, c, d);
  } else if (kind == UNIFORM64) {
    v128.store(dst, uniform_f64x2(a));
    v128.store(dst, uniform_f64x2(b), 16);
    v128.store(dst, uniform_f64x2(c), 32);
    v128.store(dst, uniform_f64x2(d), 48);
  } else if (kind == NORMAL64) {
    v128.store(dst, normal_pair_f64(a));
    v128.store(dst, normal_pair_f64(b), 16);
    v128.store(dst, normal_pair_f64(c), 32);
    v128.store(dst, normal_pair_f64(d), 48);
  } else {
    v128.store(dst, map_f32(a, kind));
    v128.store(dst, map_f32(b, kind), 16);
    v128.store(dst, map_f32(c, kind), 32);
    v128.store(dst, map_f32(d, kind), 48);
  }
}

/**
 * Fills `bytes` bytes at out with values of `kind` from key (k0, k1) and counter words (c1, c2, c3);
 * p and s parameterize BERNOULLI and KEEP. Block block0 + b fills bytes [16b, 16b + 16) (block0 = 0:
 * block b fills them; a later block0 continues a stream from there).
 */
@inline export function fill(out: usize, bytes: usize, kind: i32, p: f32, s: f32, k0: u32, k1: u32, c1: u32, c2: u32, c3: u32, block0: u32 = 0): void {
  philox_setup(k0, k1, c1, c2, c3);
  v128.store(PARAMS, f32x4.splat(p));
  v128.store(PARAMS, f32x4.splat(s), 16);
  let o: usize = 0;
  for (; o + 128 <= bytes; o += 128) {
    philox8(block0 + <u32>(o >>> 4));
    group(out + o, R0, R1, R2, R3, kind);
    group(out + o + 64, R4, R5, R6, R7, kind);
  }
  if (o + 64 <= bytes) {
    philox4(block0 + <u32>(o >>> 4));
    group(out + o, R0, R1, R2, R3, kind);
    o += 64;
  }
  if (o < bytes) {
    philox4(block0 + <u32>(o >>> 4));
    group(TAIL, R0, R1, R2, R3, kind);
    memory.copy(out + o, TAIL, bytes - o);
  }
}

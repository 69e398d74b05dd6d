// Philox4x32-10 (Salmon, Moraes, Dror, Shaw: "Parallel random numbers: as easy as 1, 2, 3", SC'11),
// and fills built on it. Counter-based: a block of four 32-bit words is a pure function of
// (counter, key), so any element can be computed alone, in any order, by any worker.
//
// Layout (the ABI): key (k0, k1); counter (c0, c1, c2, c3) with c0 = block index, (c1, c2, c3) from
// the caller. Word j of a fill is lane j&3 of block j>>2.
//   f32 fills (uniform, normal, bernoulli, dropout): element i uses word i.
//   f64 fills: element i uses words 2i (low half) and 2i+1 (high half) = block i>>1, lanes 2(i&1), 2(i&1)+1.
// So element i never depends on n, and a fill of n elements is a prefix of any longer fill.

import { philox4, philox_setup, R0, R1, R2, R3, store_partial, uniform_f32x4 } from './philox_core';

/** out[i] = the raw 32-bit word i (u32). For tests and for integer draws on the TypeScript side. */
export function rng_bits_u32(out: usize, n: i32, k0: u32, k1: u32, c1: u32, c2: u32, c3: u32): void {
  philox_setup(k0, k1, c1, c2, c3);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    philox4(<u32>i >>> 2);
    const p = out + (<usize>i << 2);
    v128.store(p, R0);
    v128.store(p, R1, 16);
    v128.store(p, R2, 32);
    v128.store(p, R3, 48);
  }
  if (i < n) {
    philox4(<u32>i >>> 2);
    store_partial(out + (<usize>i << 2), R0, R1, R2, R3, <usize>(n - i) << 2);
  }
}

/** out[i] ~ U(0,1) in f32, strictly inside: 23 random bits per value (see uniform_f32x4). */
export function rng_uniform_f32(out: usize, n: i32, k0: u32, k1: u32, c1: u32, c2: u32, c3: u32): void {
  philox_setup(k0, k1, c1, c2, c3);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    philox4(<u32>i >>> 2);
    const p = out + (<usize>i << 2);
    v128.store(p, uniform_f32x4(R0));
    v128.store(p, uniform_f32x4(R1), 16);
    v128.store(p, uniform_f32x4(R2), 32);
    v128.store(p, uniform_f32x4(R3), 48);
  }
  if (i < n) {
    philox4(<u32>i >>> 2);
    store_partial(out + (<usize>i << 2), uniform_f32x4(R0), uniform_f32x4(R1), uniform_f32x4(R2), uniform_f32x4(R3), <usize>(n - i) << 2);
  }
}

/** out[i] = 1 with probability p, else 0 (f32): 1 exactly when uniform i < p. */
export function rng_bernoulli_f32(out: usize, n: i32, p: f32, k0: u32, k1: u32, c1: u32, c2: u32, c3: u32): void {
  philox_setup(k0, k1, c1, c2, c3);
  const pv = f32x4.splat(p);
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    philox4(<u32>i >>> 2);
    const q = out + (<usize>i << 2);
    v128.store(q, v128.and(f32x4.lt(uniform_f32x4(R0), pv), one));
    v128.store(q, v128.and(f32x4.lt(uniform_f32x4(R1), pv), one), 16);
    v128.store(q, v128.and(f32x4.lt(uniform_f32x4(R2), pv), one), 32);
    v128.store(q, v128.and(f32x4.lt(uniform_f32x4(R3), pv), one), 48);
  }
  if (i < n) {
    philox4(<u32>i >>> 2);
    store_partial(
      out + (<usize>i << 2),
      v128.and(f32x4.lt(uniform_f32x4(R0), pv), one),
      v128.and(f32x4.lt(uniform_f32x4(R1), pv), one),
      v128.and(f32x4.lt(uniform_f32x4(R2), pv), one),
      v128.and(f32x4.lt(uniform_f32x4(R3), pv), one),
      <usize>(n - i) << 2,
    );
  }
}

// ---- f32 normals: Box–Muller over word pairs (2j, 2j+1) of a block, vectorized log and sincos ----

/** ln u for u in (0,1], normal f32: u = 2^e·m with m in [√½, √2), ln m = 2·atanh(s), s = (m−1)/(m+1). */
@inline function log_f32x4(u: v128): v128 {
  const bits = u;
  let e = i32x4.sub(i32x4.shr_u(bits, 23), i32x4.splat(127));
  let m = v128.or(v128.and(bits, i32x4.splat(0x007fffff)), i32x4.splat(0x3f800000));
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

// sincos(2πu) results of the last sincos_f32x4 call.
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

// The eight normals of two blocks, in element order, after normals_of.
let N0: v128 = v128.splat<i32>(0);
let N1: v128 = v128.splat<i32>(0);

/** Box–Muller on two blocks a, b: words (2j, 2j+1) → (r·cos θ, r·sin θ), r = √(−2 ln u₁), θ = 2πu₂. */
@inline function normals_of(a: v128, b: v128): void {
  const u1 = uniform_f32x4(i32x4.shuffle(a, b, 0, 2, 4, 6));
  const u2 = uniform_f32x4(i32x4.shuffle(a, b, 1, 3, 5, 7));
  const r = f32x4.sqrt(f32x4.mul(f32x4.splat(-2), log_f32x4(u1)));
  sincos_2pi_f32x4(u2);
  const zc = f32x4.mul(r, COS);
  const zs = f32x4.mul(r, SIN);
  N0 = i32x4.shuffle(zc, zs, 0, 4, 1, 5);
  N1 = i32x4.shuffle(zc, zs, 2, 6, 3, 7);
}

/**
 * out[i] ~ N(0,1) in f32. Elements 2j and 2j+1 are the Box–Muller pair of words 2j, 2j+1; |z| ≤ 5.8
 * (the smallest uniform is 2⁻²⁴), a tail mass below 1e-8.
 */
export function rng_normal_f32(out: usize, n: i32, k0: u32, k1: u32, c1: u32, c2: u32, c3: u32): void {
  philox_setup(k0, k1, c1, c2, c3);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    philox4(<u32>i >>> 2);
    const p = out + (<usize>i << 2);
    normals_of(R0, R1);
    v128.store(p, N0);
    v128.store(p, N1, 16);
    normals_of(R2, R3);
    v128.store(p, N0, 32);
    v128.store(p, N1, 48);
  }
  if (i < n) {
    philox4(<u32>i >>> 2);
    const a = R2;
    const b = R3;
    normals_of(R0, R1);
    const z0 = N0;
    const z1 = N1;
    normals_of(a, b);
    store_partial(out + (<usize>i << 2), z0, z1, N0, N1, <usize>(n - i) << 2);
  }
}

// ---- f64 fills: element i from block i>>1, words 2(i&1) and 2(i&1)+1 ----

/**
 * One block's words → two f64 uniforms (⌊x/2¹²⌋ + ½)·2⁻⁵², x = w[2j] + 2³²·w[2j+1]: 52 random bits
 * placed in the mantissa of a number in [1,2), then shifted down by 1 − 2⁻⁵³ (exact by Sterbenz).
 */
@inline function uniform_f64x2(w: v128): v128 {
  const one = v128.or(i64x2.shr_u(w, 12), i64x2.splat(0x3ff0000000000000));
  return f64x2.sub(one, f64x2.splat(reinterpret<f64>(0x3fefffffffffffff)));
}


/** out[i] ~ U(0,1) in f64, strictly inside: 52 random bits plus a half step (see uniform_f64x2). */
export function rng_uniform_f64(out: usize, n: i32, k0: u32, k1: u32, c1: u32, c2: u32, c3: u32): void {
  philox_setup(k0, k1, c1, c2, c3);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    philox4(<u32>i >>> 1);
    const p = out + (<usize>i << 3);
    v128.store(p, uniform_f64x2(R0));
    v128.store(p, uniform_f64x2(R1), 16);
    v128.store(p, uniform_f64x2(R2), 32);
    v128.store(p, uniform_f64x2(R3), 48);
  }
  if (i < n) {
    philox4(<u32>i >>> 1);
    store_partial(out + (<usize>i << 3), uniform_f64x2(R0), uniform_f64x2(R1), uniform_f64x2(R2), uniform_f64x2(R3), <usize>(n - i) << 3);
  }
}

/** Box–Muller on one block's two f64 uniforms: (r·cos θ, r·sin θ), full f64 precision. */
@inline function normal_pair_f64(w: v128): v128 {
  const u = uniform_f64x2(w);
  const r = Math.sqrt(-2.0 * Math.log(f64x2.extract_lane(u, 0)));
  const t = 6.283185307179586 * f64x2.extract_lane(u, 1);
  return f64x2(r * Math.cos(t), r * Math.sin(t));
}

/** out[i] ~ N(0,1) in f64: elements 2b, 2b+1 are the Box–Muller pair of block b; |z| ≤ 8.6. */
export function rng_normal_f64(out: usize, n: i32, k0: u32, k1: u32, c1: u32, c2: u32, c3: u32): void {
  philox_setup(k0, k1, c1, c2, c3);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    philox4(<u32>i >>> 1);
    const p = out + (<usize>i << 3);
    v128.store(p, normal_pair_f64(R0));
    v128.store(p, normal_pair_f64(R1), 16);
    v128.store(p, normal_pair_f64(R2), 32);
    v128.store(p, normal_pair_f64(R3), 48);
  }
  if (i < n) {
    philox4(<u32>i >>> 1);
    store_partial(out + (<usize>i << 3), normal_pair_f64(R0), normal_pair_f64(R1), normal_pair_f64(R2), normal_pair_f64(R3), <usize>(n - i) << 3);
  }
}

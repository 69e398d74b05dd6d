// Random fills from Philox4x32-10 (rng/philox_core.ts). Counter-based: a block of four 32-bit words
// is a pure function of (counter, key), so any element can be computed alone, in any order, by any
// worker.
//
// Layout (the ABI): key (k0, k1); counter (c0, c1, c2, c3) with c0 = block index, (c1, c2, c3) from
// the caller. Word j of a fill is lane j&3 of block j>>2.
//   f32 fills (bits, uniform, normal, bernoulli, dropout): element i uses word i.
//   f64 fills: element i uses words 2i (low half) and 2i+1 (high half) = block i>>1, lanes 2(i&1), 2(i&1)+1.
// So element i never depends on n, and a fill of n elements is a prefix of any longer fill.

import { BERNOULLI, BITS, fill, NORMAL, NORMAL64, UNIFORM, UNIFORM64 } from './fill';

/** out[i] = the raw 32-bit word i (u32). For tests and for integer draws on the TypeScript side. */
export function rng_bits_u32(out: usize, n: i32, k0: u32, k1: u32, c1: u32, c2: u32, c3: u32): void {
  fill(out, <usize>n << 2, BITS, 0, 0, k0, k1, c1, c2, c3);
}

/** out[i] ~ U(0,1) in f32, strictly inside: ((w>>>9) + ½)·2⁻²³ of word i (23 random bits). */
export function rng_uniform_f32(out: usize, n: i32, k0: u32, k1: u32, c1: u32, c2: u32, c3: u32): void {
  fill(out, <usize>n << 2, UNIFORM, 0, 0, k0, k1, c1, c2, c3);
}

/** out[i] = 1 with probability p, else 0 (f32): 1 exactly when uniform i (as above) < p. */
export function rng_bernoulli_f32(out: usize, n: i32, p: f32, k0: u32, k1: u32, c1: u32, c2: u32, c3: u32): void {
  fill(out, <usize>n << 2, BERNOULLI, p, 0, k0, k1, c1, c2, c3);
}

/**
 * out[i] ~ N(0,1) in f32. Elements 2j and 2j+1 are the Box–Muller pair of uniforms 2j, 2j+1 (in f32,
 * with vectorized log and sincos, within 4e-7·(1+r) of the exact transform); |z| ≤ 5.8 since the
 * smallest uniform is 2⁻²⁴, a tail mass below 1e-8.
 */
export function rng_normal_f32(out: usize, n: i32, k0: u32, k1: u32, c1: u32, c2: u32, c3: u32): void {
  fill(out, <usize>n << 2, NORMAL, 0, 0, k0, k1, c1, c2, c3);
}

/** out[i] ~ U(0,1) in f64, strictly inside: (⌊x/2¹²⌋ + ½)·2⁻⁵², x = word 2i + 2³²·word 2i+1. */
export function rng_uniform_f64(out: usize, n: i32, k0: u32, k1: u32, c1: u32, c2: u32, c3: u32): void {
  fill(out, <usize>n << 3, UNIFORM64, 0, 0, k0, k1, c1, c2, c3);
}

/**
 * out[i] ~ N(0,1) in f64: elements 2b, 2b+1 are the Box–Muller pair (cos, sin) of the two f64
 * uniforms of block b, with f64 Math; |z| ≤ 8.6.
 */
export function rng_normal_f64(out: usize, n: i32, k0: u32, k1: u32, c1: u32, c2: u32, c3: u32): void {
  fill(out, <usize>n << 3, NORMAL64, 0, 0, k0, k1, c1, c2, c3);
}

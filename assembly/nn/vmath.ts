// f32x4 transcendental functions for the activations: exp, expm1, tanh, sigmoid, and the normal CDF and
// density for exact GELU. Relative error a few f32 ulps (tests hold them to ≤ 4e-7 of float64;
// Φ near x ≈ −1 is the worst, where 0.5 − ½erf cancels). Clamps use pmin/pmax: one instruction
// each where min/max cost eight in V8, and a NaN input still comes out NaN. Internal: not re-exported.
//
// Speed: every constant is broadcast from a table in linear memory (load32_splat) rather than written
// as f32x4.splat / v128.const, because V8 11.3 rebuilds each v128 constant inside the loop at every
// use (several instructions each, ~20 constants per call). Results travel as return values, never
// through v128 globals, which V8 keeps in memory. bench/activations.mjs measures these.

import { madd } from '../blas/simd';

// The constant table, in the order of the C_ indices below.
const TABLE: usize = memory.data<f32>([
  1.4426950408889634, // log2 e
  12582912, // 1.5·2²³
  // ln 2 = L2H + L2L with L2H on 16 bits, so k·L2H is exact for |k| < 2⁸.
  0.693145751953125, 1.428606765330187e-6,
  // Taylor coefficients of eʳ − 1 − r, divided by r², highest first.
  <f32>(1.0 / 5040.0), <f32>(1.0 / 720.0), <f32>(1.0 / 120.0), <f32>(1.0 / 24.0), <f32>(1.0 / 6.0), 0.5,
  1, -104, -0.5, 15, 0.3989422804014327,
  // ½ + ½·erf series (Q) and Mills-ratio fit (G), highest first; see normal_cdf.
  4.547059648745613e-9, -8.245334829725378e-8, 1.3319387032633303e-6, -1.888931251900723e-5,
  2.3086937523231058e-4, -2.3746564309609086e-3, 1.9947114020071634e-2, -1.3298076013381088e-1,
  7.978845608028654e-1,
  -1.5540450215912135e-4, 5.836682404569276e-4, -4.167860317534193e-4, -9.337367924042077e-4,
  1.9300419896406918e-3, -1.813686901225669e-3, 1.6686909238275347e-3, -6.781199317403516e-4,
  -3.775469049151316e-3, 1.3243498341109494e-2, -2.6181321130589543e-2, 3.1130526108781247e-2,
  1.2031558334435519e-2, -2.1369236538715414e-1, 8.427384516605674e-1,
  // tanh's rational fit (see tanh_f32x4): P, then Q after its leading coefficient 1, highest first;
  // the clamp.
  8.003146234614178e-08, -5.602982855634764e-05, 0.04062870144844055, 12.80473804473877,
  566.3845825195312, 4384.04443359375,
  104.1787338256836, 2027.7305908203125, 4384.04443359375,
  9,
  -0.34657359027997264, // −½ln 2
  -9,
], 16);
const C_LOG2E = 0;
const C_MAGIC = 1;
const C_L2H = 2;
const C_L2L = 3;
const C_EXPM1 = 4; // 6 coefficients
const C_HALF = C_EXPM1 + 5; // the last of them, ½
const C_ONE = 10;
const C_MINUS_104 = 11;
const C_MINUS_HALF = 12;
const C_FIFTEEN = 13;
const C_INV_SQRT_2PI = 14;
const C_Q = 15; // 9 coefficients
const C_G = 24; // 15 coefficients
const C_TANH_P = 39; // 6 coefficients
const C_TANH_Q = 45; // 3 coefficients (monic: the leading 1 is not stored)
const C_NINE = 48;
const C_MINUS_HALF_LN2 = 49;
const C_MINUS_NINE = 50;

// Integer lane constants.
const ITABLE: usize = memory.data<i32>([0x80000000, 0xfffff000, 127], 16);
const I_SIGN = 0;
const I_HI12 = 1;
const I_BIAS = 2;

/** Constant i of TABLE in all four lanes. */
@inline function c(i: i32): v128 {
  return v128.load32_splat(TABLE + (<usize>i << 2));
}

/** Constant i of ITABLE in all four lanes. */
@inline function ci(i: i32): v128 {
  return v128.load32_splat(ITABLE + (<usize>i << 2));
}

/** t = y·log2e + 1.5·2²³: k = round(y/ln2) sits in t's low mantissa bits (k as float: t − MAGIC). */
@inline function magic_k(y: v128): v128 {
  // Adding 1.5·2²³ rounds to an integer and leaves it in the low mantissa bits: k as a float and as
  // an i32 without the costlier nearest + trunc_sat.
  return f32x4.add(f32x4.mul(y, c(C_LOG2E)), c(C_MAGIC));
}

/** k as i32 lanes from magic_k's t. */
@inline function k_of(t: v128): v128 {
  return i32x4.sub(t, c(C_MAGIC));
}

/** r = y − k·ln2 for t = magic_k(y) (one-word y). */
@inline function reduce1(y: v128, t: v128): v128 {
  const kf = f32x4.sub(t, c(C_MAGIC));
  return f32x4.sub(f32x4.sub(y, f32x4.mul(kf, c(C_L2H))), f32x4.mul(kf, c(C_L2L)));
}

/**
 * r = yhi + ylo − k·ln2 for t = magic_k(yhi + ylo), ylo a small correction carried separately for
 * precision. yhi − k·L2H is exact (Sterbenz) when yhi carries few bits, which is how gauss uses it.
 */
@inline function reduce2(yhi: v128, ylo: v128, t: v128): v128 {
  const kf = f32x4.sub(t, c(C_MAGIC));
  return f32x4.add(f32x4.sub(yhi, f32x4.mul(kf, c(C_L2H))), f32x4.sub(ylo, f32x4.mul(kf, c(C_L2L))));
}

/** 2^k for i32 lanes k in [−126, 127]. */
@inline function pow2i(k: v128): v128 {
  return i32x4.shl(i32x4.add(k, ci(I_BIAS)), 23);
}

/**
 * e^r·2^k from em1 = eʳ − 1, for results down to the subnormals: the scale 2^k is applied in two
 * halves so that results below 2⁻¹²⁶ round once into the subnormals instead of flushing to 0.
 */
@inline function scale_exp(em1: v128, k: v128): v128 {
  const e = f32x4.add(c(C_ONE), em1);
  const k1 = i32x4.shr_s(k, 1);
  return f32x4.mul(f32x4.mul(e, pow2i(k1)), pow2i(i32x4.sub(k, k1)));
}

/**
 * eʳ − 1 for |r| ≤ ½ln2 + ε (Taylor to r⁷: truncation below 6e-9). Polynomials here use Estrin's
 * scheme rather than Horner's: these loops are bound by the latency of their longest chain, which
 * Estrin shortens from n multiply-adds to about log₂ n.
 */
@inline function expm1(r: v128): v128 {
  const r2 = f32x4.mul(r, r);
  const p01 = f32x4.add(f32x4.mul(c(C_EXPM1 + 4), r), c(C_EXPM1 + 5));
  const p23 = f32x4.add(f32x4.mul(c(C_EXPM1 + 2), r), c(C_EXPM1 + 3));
  const p45 = f32x4.add(f32x4.mul(c(C_EXPM1), r), c(C_EXPM1 + 1));
  const p = f32x4.add(f32x4.add(p01, f32x4.mul(p23, r2)), f32x4.mul(p45, f32x4.mul(r2, r2)));
  return f32x4.add(r, f32x4.mul(r2, p));
}

/**
 * tanh x = x·P(x²)/Q(x²) for |x| ≤ 9 (beyond, tanh is within an f32 ulp of 1). P and Q (degrees 5
 * and 3 in x²) are a rational minimax fit of relative error 6e-8 in exact arithmetic (fitted for
 * this library by iterated weighted least squares). About twice the exp-based form's error in two
 * thirds of its time: no range reduction and no scaling, only multiply-adds and one division.
 *
 * Q is monic (its leading coefficient scaled to 1, P by the same factor): one multiplication fewer,
 * and a bias + tanh pass is bound by the multiplier pipes (ten multiplications and a division per
 * vector). Evaluation order: with t = x² and u = t², P = (p₄t + p₅) + u·((p₂t + p₃) + u·(p₀t + p₁))
 * and Q = (q₂t + q₃) + u·(t + q₁). Horner's rule in t has one multiplication fewer but is one
 * dependent chain of five multiply-adds before the division, and the pass then waits on that
 * chain's latency (the out-of-order window holds too few vectors to hide it); pairs in t cut it to
 * three steps. In f32 the error is ≤ 3.6e-7 relative, rms 7.1e-8 (4.2 M inputs in [0, 12] against
 * float64; the f32 coefficients were nudged by an ulp or two to that maximum).
 *
 * The relaxed binary fuses each multiply-add (madd): 14 operations per vector instead of 21 (the
 * division stays), one rounding fewer in each; same maximum error, rms 8.8e-8 (the coefficients were
 * nudged for the unfused order). The plain binary's bits are unchanged by this.
 *
 * Odd by construction: x is clamped to [−9, 9] and x·P(x²)/Q(x²) is odd, and round-to-nearest is
 * symmetric in sign, so tanh(−x) is exactly −tanh(x) (the same bits as evaluating at |x| and
 * putting the sign back, with three fewer operations); NaN stays NaN through pmin and pmax. A loop
 * over many vectors loads the constants once (tanh_consts) and calls tanh_f32x4_k: held in
 * registers they cost no load per vector. bench/activations.mjs, 300×50 bias + tanh: 0.61 ns per
 * element with Horner's order, Q not monic and per-vector constant loads; 0.52 with pairs in t,
 * 0.50 with Q monic (the two measured side by side, one core busy with other work).
 */
@inline export function tanh_f32x4(x: v128): v128 {
  return tanh_f32x4_k(x, tanh_consts(0), tanh_consts(1), tanh_consts(2), tanh_consts(3), tanh_consts(4), tanh_consts(5), tanh_consts(6), tanh_consts(7), tanh_consts(8), tanh_consts(9), tanh_consts(10));
}

/** The constants of tanh_f32x4_k, in its argument order: a loop loads them once, ahead of itself. */
@inline export function tanh_consts(i: i32): v128 {
  return i == 0 ? c(C_NINE) : i == 1 ? c(C_MINUS_NINE) : c(C_TANH_P + i - 2);
}

/** tanh_f32x4 with its constants given (the same operations, so the same bits). */
@inline export function tanh_f32x4_k(x: v128, nine: v128, minusNine: v128, p0: v128, p1: v128, p2: v128, p3: v128, p4: v128, p5: v128, q1: v128, q2: v128, q3: v128): v128 {
  const xc = f32x4.pmax(f32x4.pmin(x, nine), minusNine);
  const x2 = f32x4.mul(xc, xc);
  const x4 = f32x4.mul(x2, x2);
  const p01 = madd(p0, x2, p1);
  const p23 = madd(p2, x2, p3);
  const p45 = madd(p4, x2, p5);
  const p = madd(x4, madd(x4, p01, p23), p45);
  const q01 = f32x4.add(x2, q1);
  const q23 = madd(q2, x2, q3);
  const q = madd(x4, q01, q23);
  return f32x4.div(f32x4.mul(xc, p), q);
}

/**
 * eˣ − 1 for x ≤ 0 (ELU, SELU): the Taylor form directly on [−½ln2, 0], where e^x − 1 would cancel;
 * below, the reduced exponential minus 1 (|result| ≥ 0.29: no cancellation). −1 below −104.
 */
@inline export function expm1_neg_f32x4(x: v128): v128 {
  const y = f32x4.pmax(x, c(C_MINUS_104));
  const t = magic_k(y);
  const far = f32x4.sub(scale_exp(expm1(reduce1(y, t)), k_of(t)), c(C_ONE));
  return v128.bitselect(expm1(x), far, f32x4.gt(x, c(C_MINUS_HALF_LN2)));
}

/** sigmoid x from e = e^−|x| ≤ 1: 1/(1 + e) for x ≥ 0, e/(1 + e) below; never overflows. */
@inline export function sigmoid_f32x4(x: v128): v128 {
  const y = f32x4.pmax(v128.or(x, ci(I_SIGN)), c(C_MINUS_104));
  const t = magic_k(y);
  const e = scale_exp(expm1(reduce1(y, t)), k_of(t));
  const one = c(C_ONE);
  // The sign bit spread over the lane selects the numerator: one division, one rounding.
  const num = v128.bitselect(e, one, i32x4.shr_s(x, 31));
  return f32x4.div(num, f32x4.add(one, e));
}

/** |x| clamped at 15: beyond it φ < 1e-49 and Φ is 0 or 1 in f32; also keeps xh² below finite. */
@inline function gauss_abs(x: v128): v128 {
  return f32x4.pmin(f32x4.abs(x), c(C_FIFTEEN));
}

/**
 * The standard normal density φ at ax = gauss_abs(x): e^(−x²/2) with x² carried exactly as
 * xh² + xl(x + xh) (xh = x on 12 bits), since the rounding of x² alone would cost up to 1e-5
 * relative at x ≈ −13.
 */
@inline function normal_pdf(ax: v128): v128 {
  const xh = v128.and(ax, ci(I_HI12));
  const xl = f32x4.sub(ax, xh);
  const yhi = f32x4.mul(f32x4.mul(xh, xh), c(C_MINUS_HALF));
  const ylo = f32x4.mul(f32x4.mul(xl, f32x4.add(ax, xh)), c(C_MINUS_HALF));
  const t = magic_k(f32x4.add(yhi, ylo));
  const e = scale_exp(expm1(reduce2(yhi, ylo, t)), k_of(t));
  return f32x4.mul(e, c(C_INV_SQRT_2PI));
}

/**
 * The standard normal CDF Φ(x), given ax = gauss_abs(x) and pdf = normal_pdf(ax).
 * For |x| < 1: ½ + ½·erf(x/√2) by its Maclaurin series in x (9 terms, truncation < 5e-9).
 * For |x| ≥ 1: the lower tail Φ(−|x|) = φ(x)·G(u)/|x|, u = 2/|x| − 1, where G is a degree-14
 * least-squares Chebyshev fit (made for this project against 40-digit values) of |x|·Φ(−|x|)/φ(x),
 * the scaled Mills ratio: relative error below 1e-7 in f32.
 */
@inline function normal_cdf(x: v128, ax: v128, pdf: v128): v128 {
  const one = c(C_ONE);
  const xs = f32x4.pmin(ax, one);
  const t = f32x4.mul(xs, xs);
  const t2 = f32x4.mul(t, t);
  const t4 = f32x4.mul(t2, t2);
  // Q's coefficient of t^j is C_Q + 8 − j.
  const q01 = f32x4.add(f32x4.mul(c(C_Q + 7), t), c(C_Q + 8));
  const q23 = f32x4.add(f32x4.mul(c(C_Q + 5), t), c(C_Q + 6));
  const q45 = f32x4.add(f32x4.mul(c(C_Q + 3), t), c(C_Q + 4));
  const q67 = f32x4.add(f32x4.mul(c(C_Q + 1), t), c(C_Q + 2));
  const q03 = f32x4.add(q01, f32x4.mul(q23, t2));
  const q47 = f32x4.add(q45, f32x4.mul(q67, t2));
  const q = f32x4.add(f32x4.add(q03, f32x4.mul(q47, t4)), f32x4.mul(c(C_Q), f32x4.mul(t4, t4)));
  const half_erf = f32x4.mul(f32x4.mul(xs, q), c(C_HALF)); // ½·erf(|x|/√2)

  const s = f32x4.div(one, f32x4.pmax(ax, one));
  const u = f32x4.sub(f32x4.add(s, s), one);
  const u2 = f32x4.mul(u, u);
  const u4 = f32x4.mul(u2, u2);
  // G's coefficient of u^j is C_G + 14 − j.
  const g01 = f32x4.add(f32x4.mul(c(C_G + 13), u), c(C_G + 14));
  const g23 = f32x4.add(f32x4.mul(c(C_G + 11), u), c(C_G + 12));
  const g45 = f32x4.add(f32x4.mul(c(C_G + 9), u), c(C_G + 10));
  const g67 = f32x4.add(f32x4.mul(c(C_G + 7), u), c(C_G + 8));
  const g89 = f32x4.add(f32x4.mul(c(C_G + 5), u), c(C_G + 6));
  const gab = f32x4.add(f32x4.mul(c(C_G + 3), u), c(C_G + 4));
  const gcd = f32x4.add(f32x4.mul(c(C_G + 1), u), c(C_G + 2));
  const g03 = f32x4.add(g01, f32x4.mul(g23, u2));
  const g47 = f32x4.add(g45, f32x4.mul(g67, u2));
  const g8b = f32x4.add(g89, f32x4.mul(gab, u2));
  const gce = f32x4.add(gcd, f32x4.mul(c(C_G), u2));
  const g07 = f32x4.add(g03, f32x4.mul(g47, u4));
  const g8e = f32x4.add(g8b, f32x4.mul(gce, u4));
  const g = f32x4.add(g07, f32x4.mul(g8e, f32x4.mul(u4, u4)));
  const lower = f32x4.mul(f32x4.mul(pdf, g), s); // Φ(−|x|) for |x| ≥ 1

  const signed_half_erf = v128.or(half_erf, v128.and(x, ci(I_SIGN)));
  const tail = v128.bitselect(f32x4.sub(one, lower), lower, f32x4.gt(x, v128.splat<i32>(0)));
  return v128.bitselect(f32x4.add(c(C_HALF), signed_half_erf), tail, f32x4.lt(ax, one));
}

/** GELU x·Φ(x). */
@inline export function gelu_f32x4(x: v128): v128 {
  const ax = gauss_abs(x);
  return f32x4.mul(x, normal_cdf(x, ax, normal_pdf(ax)));
}

/** GELU′ x = Φ(x) + x·φ(x). */
@inline export function gelu_grad_f32x4(x: v128): v128 {
  const ax = gauss_abs(x);
  const pdf = normal_pdf(ax);
  return f32x4.add(normal_cdf(x, ax, pdf), f32x4.mul(x, pdf));
}

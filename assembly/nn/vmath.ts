// f32x4 transcendental functions for the activations: exp, tanh, sigmoid, and the normal CDF and
// density for exact GELU. Relative error a few f32 ulps (tests hold them to ≤ 4e-7 of float64;
// Φ near x ≈ −1 is the worst, where 0.5 − ½erf cancels). Clamps use pmin/pmax: one instruction
// each where min/max cost eight in V8, and a NaN input still comes out NaN. Internal: not re-exported.

const LOG2E: f32 = 1.4426950408889634;
// ln 2 = L2H + L2L with L2H on 16 bits, so k·L2H is exact for |k| < 2⁸.
const L2H: f32 = 0.693145751953125;
const L2L: f32 = 1.428606765330187e-6;
const INV_SQRT_2PI: f32 = 0.3989422804014327;
const MAGIC: f32 = 12582912; // 1.5·2²³

// k of the last expm1_reduced call, as i32 lanes.
let KI: v128 = v128.splat<i32>(0);

/**
 * Reduces y = yhi + ylo (ylo a small correction carried separately for precision) to y = k·ln2 + r,
 * |r| ≤ ½ln2 + ε, and returns eʳ − 1 (Taylor to r⁷: truncation below 6e-9), k in KI.
 * yhi − k·L2H is exact (Sterbenz) when yhi carries few bits, which is how the GELU caller uses it.
 */
@inline function expm1_reduced(yhi: v128, ylo: v128): v128 {
  // Adding 1.5·2²³ rounds to an integer and leaves it in the low mantissa bits: k as a float and as
  // an i32 without the costlier nearest + trunc_sat.
  const t = f32x4.add(f32x4.mul(f32x4.add(yhi, ylo), f32x4.splat(LOG2E)), f32x4.splat(MAGIC));
  const kf = f32x4.sub(t, f32x4.splat(MAGIC));
  const r = f32x4.add(f32x4.sub(yhi, f32x4.mul(kf, f32x4.splat(L2H))), f32x4.sub(ylo, f32x4.mul(kf, f32x4.splat(L2L))));
  KI = i32x4.sub(t, f32x4.splat(MAGIC));
  let p = f32x4.splat(<f32>(1.0 / 5040.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 720.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 120.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 24.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 6.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  return f32x4.add(r, f32x4.mul(f32x4.mul(r, r), p));
}

/** 2^k for i32 lanes k in [−126, 127]. */
@inline function pow2i(k: v128): v128 {
  return i32x4.shl(i32x4.add(k, i32x4.splat(127)), 23);
}

/**
 * e^(yhi + ylo) for yhi + ylo in [−104, 0]: the scale 2^k is applied in two halves so that results
 * below 2⁻¹²⁶ round once into the subnormals instead of flushing to 0.
 */
@inline function exp_neg(yhi: v128, ylo: v128): v128 {
  const e = f32x4.add(f32x4.splat(1), expm1_reduced(yhi, ylo));
  const k1 = i32x4.shr_s(KI, 1);
  return f32x4.mul(f32x4.mul(e, pow2i(k1)), pow2i(i32x4.sub(KI, k1)));
}

/** tanh x = −m/(2 + m) with m = expm1(−2|x|), sign restored: no cancellation near 0. */
@inline export function tanh_f32x4(x: v128): v128 {
  const sign = v128.and(x, i32x4.splat(0x80000000));
  // tanh is 1 in f32 beyond |x| ≈ 9: clamping at −40 keeps 2^k normal.
  const y = f32x4.pmax(f32x4.mul(f32x4.abs(x), f32x4.splat(-2)), f32x4.splat(-40));
  const p = expm1_reduced(y, f32x4.splat(0));
  const s = pow2i(KI);
  const m = f32x4.add(f32x4.mul(s, p), f32x4.sub(s, f32x4.splat(1)));
  return v128.or(f32x4.div(f32x4.neg(m), f32x4.add(f32x4.splat(2), m)), sign);
}

/** sigmoid x from e = e^−|x| ≤ 1: 1/(1 + e) for x ≥ 0, e/(1 + e) below; never overflows. */
@inline export function sigmoid_f32x4(x: v128): v128 {
  const e = exp_neg(f32x4.pmax(f32x4.neg(f32x4.abs(x)), f32x4.splat(-104)), f32x4.splat(0));
  const d = f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), e));
  return v128.bitselect(d, f32x4.mul(e, d), f32x4.ge(x, f32x4.splat(0)));
}

// Φ(x) and φ(x) of the last gauss_f32x4 call.
export let CDF: v128 = v128.splat<i32>(0);
export let PDF: v128 = v128.splat<i32>(0);

/**
 * The standard normal CDF Φ and density φ of x.
 * φ: e^(−x²/2) with x² carried exactly as xh² + xl(x + xh) (xh = x on 12 bits), since the rounding
 * of x² alone would cost up to 1e-5 relative at x ≈ −13.
 * Φ for |x| < 1: ½ + ½·erf(x/√2) by its Maclaurin series in x (9 terms, truncation < 5e-9).
 * Φ for |x| ≥ 1: the lower tail Φ(−|x|) = φ(x)·G(u)/|x|, u = 2/|x| − 1, where G is a degree-14
 * least-squares Chebyshev fit (made for this project against 40-digit values) of |x|·Φ(−|x|)/φ(x),
 * the scaled Mills ratio: relative error below 1e-7 in f32.
 */
@inline export function gauss_f32x4(x: v128): void {
  // Beyond 15, φ < 1e-49 and Φ is 0 or 1 in f32; the clamp also keeps xh² finite.
  const ax = f32x4.pmin(f32x4.abs(x), f32x4.splat(15));
  const xh = v128.and(ax, i32x4.splat(0xfffff000));
  const xl = f32x4.sub(ax, xh);
  const yhi = f32x4.mul(f32x4.mul(xh, xh), f32x4.splat(-0.5));
  const ylo = f32x4.mul(f32x4.mul(xl, f32x4.add(ax, xh)), f32x4.splat(-0.5));
  const pdf = f32x4.mul(exp_neg(yhi, ylo), f32x4.splat(INV_SQRT_2PI));

  const xs = f32x4.pmin(ax, f32x4.splat(1));
  const t = f32x4.mul(xs, xs);
  let q = f32x4.splat(4.547059648745613e-9);
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(-8.245334829725378e-8));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(1.3319387032633303e-6));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(-1.888931251900723e-5));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(2.3086937523231058e-4));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(-2.3746564309609086e-3));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(1.9947114020071634e-2));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(-1.3298076013381088e-1));
  q = f32x4.add(f32x4.mul(q, t), f32x4.splat(7.978845608028654e-1));
  const half_erf = f32x4.mul(f32x4.mul(xs, q), f32x4.splat(0.5)); // ½·erf(|x|/√2)

  const s = f32x4.div(f32x4.splat(1), f32x4.pmax(ax, f32x4.splat(1)));
  const u = f32x4.sub(f32x4.add(s, s), f32x4.splat(1));
  let g = f32x4.splat(-1.5540450215912135e-4);
  g = f32x4.add(f32x4.mul(g, u), f32x4.splat(5.836682404569276e-4));
  g = f32x4.add(f32x4.mul(g, u), f32x4.splat(-4.167860317534193e-4));
  g = f32x4.add(f32x4.mul(g, u), f32x4.splat(-9.337367924042077e-4));
  g = f32x4.add(f32x4.mul(g, u), f32x4.splat(1.9300419896406918e-3));
  g = f32x4.add(f32x4.mul(g, u), f32x4.splat(-1.813686901225669e-3));
  g = f32x4.add(f32x4.mul(g, u), f32x4.splat(1.6686909238275347e-3));
  g = f32x4.add(f32x4.mul(g, u), f32x4.splat(-6.781199317403516e-4));
  g = f32x4.add(f32x4.mul(g, u), f32x4.splat(-3.775469049151316e-3));
  g = f32x4.add(f32x4.mul(g, u), f32x4.splat(1.3243498341109494e-2));
  g = f32x4.add(f32x4.mul(g, u), f32x4.splat(-2.6181321130589543e-2));
  g = f32x4.add(f32x4.mul(g, u), f32x4.splat(3.1130526108781247e-2));
  g = f32x4.add(f32x4.mul(g, u), f32x4.splat(1.2031558334435519e-2));
  g = f32x4.add(f32x4.mul(g, u), f32x4.splat(-2.1369236538715414e-1));
  g = f32x4.add(f32x4.mul(g, u), f32x4.splat(8.427384516605674e-1));
  const lower = f32x4.mul(f32x4.mul(pdf, g), s); // Φ(−|x|) for |x| ≥ 1

  const signed_half_erf = v128.or(half_erf, v128.and(x, i32x4.splat(0x80000000)));
  const tail = v128.bitselect(f32x4.sub(f32x4.splat(1), lower), lower, f32x4.gt(x, f32x4.splat(0)));
  CDF = v128.bitselect(f32x4.add(f32x4.splat(0.5), signed_half_erf), tail, f32x4.lt(ax, f32x4.splat(1)));
  PDF = pdf;
}

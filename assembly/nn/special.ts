// Scalar special functions for the nn kernels, in f64 so that the f32 results they feed are
// correctly rounded or nearly so. Internal: not re-exported by assembly/index.ts.

const SQRT1_2: f64 = 0.7071067811865476;
const INV_SQRT_2PI: f64 = 0.3989422804014327;

/** log(1 + eˣ) without overflow or cancellation: max(x,0) + log1p(e^−|x|). */
@inline export function softplus(x: f64): f64 {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** 1/(1 + e^−x), evaluated on the side where the exponential cannot overflow. */
@inline export function sigmoid(x: f64): f64 {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** f32 sigmoid with the same overflow-free split (Mathf.exp is within 1 ulp). */
@inline export function sigmoidf(x: f32): f32 {
  if (x >= 0) return 1 / (1 + Mathf.exp(-x));
  const e = Mathf.exp(x);
  return e / (1 + e);
}

/** erf(t) for 0 ≤ t ≤ 1: its Maclaurin series, 13 terms (truncation below 7e-12). */
@inline function erf_small(t: f64): f64 {
  const u = t * t;
  let p = 9.422759064650411e-11;
  p = p * u - 1.2290555301717928e-9;
  p = p * u + 1.4807192815879218e-8;
  p = p * u - 1.6365844691234924e-7;
  p = p * u + 1.6462114365889248e-6;
  p = p * u - 1.492565035840625e-5;
  p = p * u + 1.2055332981789664e-4;
  p = p * u - 8.548327023450853e-4;
  p = p * u + 5.223977625442188e-3;
  p = p * u - 2.6866170645131252e-2;
  p = p * u + 1.1283791670955126e-1;
  p = p * u - 3.7612638903183754e-1;
  p = p * u + 1.1283791670955126;
  return t * p;
}

/**
 * erfc(t) for t ≥ 1 as e^−t²·h(1/t)/t, where h(s) = t·eᵗ²·erfc(t) is smooth on s in (0, 1]:
 * a degree-16 least-squares Chebyshev fit in x = 2s − 1 (fitted for this project against 40-digit
 * erfc), relative error below 2e-10. Underflows cleanly to 0 for t > 27.
 */
@inline function erfc_large(t: f64): f64 {
  const s = 1 / t;
  const x = 2 * s - 1;
  let h = 6.306663534484193e-6;
  h = h * x - 1.6926639243142188e-5;
  h = h * x - 1.677307955420188e-6;
  h = h * x + 5.028922950272347e-5;
  h = h * x - 6.924793060972159e-5;
  h = h * x + 4.5814483515816956e-5;
  h = h * x + 6.737005398667136e-6;
  h = h * x - 1.5846619636075555e-4;
  h = h * x + 4.734826425719166e-4;
  h = h * x - 8.166549355179012e-4;
  h = h * x + 6.351511024445594e-4;
  h = h * x + 1.328113939431655e-3;
  h = h * x - 6.797207909059218e-3;
  h = h * x + 1.4870331664309084e-2;
  h = h * x - 9.158316971866177e-3;
  h = h * x - 8.360550527562687e-2;
  h = h * x + 0.510791352592821;
  return Math.exp(-t * t) * h * s;
}

/** Φ(x), the standard normal CDF, with small relative error in both tails. */
@inline export function norm_cdf(x: f64): f64 {
  const t = Math.abs(x) * SQRT1_2;
  if (t <= 1) {
    const e = erf_small(t);
    return x < 0 ? 0.5 - 0.5 * e : 0.5 + 0.5 * e;
  }
  const q = 0.5 * erfc_large(t);
  return x < 0 ? q : 1 - q;
}

/** φ(x), the standard normal density. */
@inline export function norm_pdf(x: f64): f64 {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

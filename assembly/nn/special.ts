// Scalar f64 helpers for the losses. Internal: not re-exported by assembly/index.ts.

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

// Running moments of a trajectory of f32 parameter vectors (SWA, SWAG), kept in f64.
//
// SWAG needs σ² = E[θ²] − θ̄². Accumulating E[θ²] and θ̄ separately and subtracting cancels
// catastrophically when σ ≪ |θ̄| (late SGD iterates move little), so the running second moment is
// kept as Welford's sum of squared deviations M2 instead: σ² = M2 / count, the same quantity computed
// without the cancellation.

/** Byte offsets of element i in f32 / f64 arrays. */
@inline function at4(i: i32): usize {
  return <usize>i << 2;
}
@inline function at8(i: i32): usize {
  return <usize>i << 3;
}

/**
 * Welford update with one more sample x (f32, n values): count is the number of samples INCLUDING
 * x (≥ 1). mean ← mean + (x − mean)/count; m2 ← m2 + (x − mean_old)·(x − mean_new). mean, m2: f64.
 */
export function moments_update_f64(mean: usize, m2: usize, x: usize, n: i32, count: i32): void {
  const inv: f64 = 1.0 / <f64>count;
  // Once per collected snapshot, not a hot loop: the invariant splat is left in place.
  const I = f64x2.splat(inv);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const xv = f64x2.promote_low_f32x4(v128.load64_zero(x + at4(i)));
    const m = v128.load(mean + at8(i));
    const d = f64x2.sub(xv, m);
    const mNew = f64x2.add(m, f64x2.mul(d, I));
    v128.store(mean + at8(i), mNew);
    v128.store(m2 + at8(i), f64x2.add(v128.load(m2 + at8(i)), f64x2.mul(d, f64x2.sub(xv, mNew))));
  }
  for (; i < n; i++) {
    const xv = <f64>load<f32>(x + at4(i));
    const m = load<f64>(mean + at8(i));
    const d = xv - m;
    const mNew = m + d * inv;
    store<f64>(mean + at8(i), mNew);
    store<f64>(m2 + at8(i), load<f64>(m2 + at8(i)) + d * (xv - mNew));
  }
}

/** dev[i] = f32(x[i] − mean[i]): one row of SWAG's deviation ring (x f32, mean f64). */
export function swag_deviation_f32(dev: usize, x: usize, mean: usize, n: i32): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const xv = f64x2.promote_low_f32x4(v128.load64_zero(x + at4(i)));
    v128.store64_lane(dev + at4(i), f32x4.demote_f64x2_zero(f64x2.sub(xv, v128.load(mean + at8(i)))), 0);
  }
  if (i < n) store<f32>(dev + at4(i), <f32>(<f64>load<f32>(x + at4(i)) - load<f64>(mean + at8(i))));
}

/**
 * sigma[i] = f32(√max(m2[i]/count, eps)): the STANDARD DEVIATION of the diagonal part (the
 * reference implementations' bug was to use the variance here). m2 f64, sigma f32, count ≥ 1.
 */
export function swag_std_f32(sigma: usize, m2: usize, n: i32, count: i32, eps: f64): void {
  const inv: f64 = 1.0 / <f64>count;
  for (let i = 0; i < n; i++) {
    store<f32>(sigma + at4(i), <f32>Math.sqrt(Math.max(load<f64>(m2 + at8(i)) * inv, eps)));
  }
}

/**
 * One SWAG draw: out = mean + a·(σ ⊙ z₁) + b·Dᵀz₂, where z₁ = z[0, n) and z₂ = z[n, n+rank), and D is
 * the deviation matrix stored rank × n row-major (row k = one deviation). With a = √scale and
 * b = √scale/√(K−1) this is θ̄ + √scale·(σ⊙z₁ + D z₂/√(K−1)) in the paper's column convention.
 * All f32. b = 0 (or rank = 0) gives SWAG-diagonal.
 */
export function swag_sample_f32(out: usize, mean: usize, sigma: usize, dev: usize, z: usize, n: i32, rank: i32, a: f32, b: f32): void {
  const z2 = z + at4(n);
  const rowBytes = at4(n);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    // Σ_k z₂[k]·D[k, i..i+4): the coefficient is splatted from memory (V8 re-materializes
    // register splats inside loops), D read one contiguous quad per row.
    let acc = f32x4.splat(0);
    let p = dev + at4(i);
    for (let k = 0; k < rank; k++) {
      acc = f32x4.add(acc, f32x4.mul(v128.load32_splat(z2 + at4(k)), v128.load(p)));
      p += rowBytes;
    }
    const diag = f32x4.mul(v128.load(sigma + at4(i)), v128.load(z + at4(i)));
    const r = f32x4.add(v128.load(mean + at4(i)), f32x4.add(f32x4.mul(diag, f32x4.splat(a)), f32x4.mul(acc, f32x4.splat(b))));
    v128.store(out + at4(i), r);
  }
  for (; i < n; i++) {
    let acc: f32 = 0;
    for (let k = 0; k < rank; k++) acc += load<f32>(z2 + at4(k)) * load<f32>(dev + at4(k * n + i));
    const diag = load<f32>(sigma + at4(i)) * load<f32>(z + at4(i));
    store<f32>(out + at4(i), load<f32>(mean + at4(i)) + (diag * a + acc * b));
  }
}

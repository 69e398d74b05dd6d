// f64x2 building blocks shared by the linalg kernels. Not part of the ABI: index.ts does not
// re-export this file. Raw loads are unchecked: callers (TypeScript) validate shapes.

/** Byte offset of element i of an f64 array. */
@inline export function at(i: i32): usize {
  return <usize>i << 3;
}

/** a·b + c; fused where the relaxed binary allows it (rounding may then differ in the last bit). */
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_madd(a, b, c);
  return f64x2.add(f64x2.mul(a, b), c);
}

/** c − a·b. */
@inline export function nmadd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f64x2.relaxed_nmadd(a, b, c);
  return f64x2.sub(c, f64x2.mul(a, b));
}

@inline export function hsum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** Σ x[i]·y[i] over n contiguous f64s; two accumulators hide the add latency. */
@inline export function dot64(x: usize, y: usize, n: i32): f64 {
  let a0 = f64x2.splat(0);
  let a1 = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = at(i);
    a0 = madd(v128.load(x + o), v128.load(y + o), a0);
    a1 = madd(v128.load(x + o, 16), v128.load(y + o, 16), a1);
  }
  if (i + 2 <= n) {
    const o = at(i);
    a0 = madd(v128.load(x + o), v128.load(y + o), a0);
    i += 2;
  }
  let s = hsum(f64x2.add(a0, a1));
  if (i < n) s += load<f64>(x + at(i)) * load<f64>(y + at(i));
  return s;
}

// One static slot to broadcast scalars through memory: V8 re-materializes a register splat inside
// loops (TOOLCHAIN.md), a splat loaded from memory it keeps.
// Four slots, so up to four broadcasts can be live at once.
const SPLAT_SLOTS: usize = memory.data(32, 16);

/** Broadcasts v to both lanes by way of memory slot `slot` (0..3). */
@inline export function splat64(v: f64, slot: i32 = 0): v128 {
  const p = SPLAT_SLOTS + at(slot);
  store<f64>(p, v);
  return v128.load64_splat(p);
}

/** y[i] += alpha·x[i] over n contiguous f64s. */
@inline export function axpy64(y: usize, alpha: f64, x: usize, n: i32): void {
  const av = splat64(alpha);
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    const o = at(i);
    v128.store(y + o, madd(av, v128.load(x + o), v128.load(y + o)));
  }
  if (i < n) store<f64>(y + at(i), load<f64>(y + at(i)) + alpha * load<f64>(x + at(i)));
}

/** x[i] *= alpha over n contiguous f64s. */
@inline export function scal64(x: usize, alpha: f64, n: i32): void {
  for (let i = 0; i < n; i++) store<f64>(x + at(i), load<f64>(x + at(i)) * alpha);
}

/**
 * One Householder reflector H = I − t·v·vᵀ (v of m values) applied from the right to `rows` rows of
 * m contiguous values each, the first at x and the next ld bytes on: x_r ← x_r − t·(x_r·v)·vᵀ.
 */
@inline export function reflectRows(x: usize, rows: i32, ld: usize, v: usize, t: f64, m: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + <usize>r * ld;
    const s = dot64(xr, v, m);
    if (s != 0) axpy64(xr, -t * s, v, m);
  }
}

/**
 * C[4×2] −= the horizontal sums of a 4×2 tile's accumulators (row r's two columns in ar0, ar1): the
 * end of the register-tiled symmetric updates (Cholesky's trailing block, the tridiagonal panel's).
 */
@inline export function subTile4x2(c: usize, ld: usize, a00: v128, a01: v128, a10: v128, a11: v128, a20: v128, a21: v128, a30: v128, a31: v128): void {
  store<f64>(c, load<f64>(c) - hsum(a00));
  store<f64>(c, load<f64>(c, 8) - hsum(a01), 8);
  c += ld;
  store<f64>(c, load<f64>(c) - hsum(a10));
  store<f64>(c, load<f64>(c, 8) - hsum(a11), 8);
  c += ld;
  store<f64>(c, load<f64>(c) - hsum(a20));
  store<f64>(c, load<f64>(c, 8) - hsum(a21), 8);
  c += ld;
  store<f64>(c, load<f64>(c) - hsum(a30));
  store<f64>(c, load<f64>(c, 8) - hsum(a31), 8);
}

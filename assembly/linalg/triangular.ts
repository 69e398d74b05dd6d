// Solves with a lower-triangular L (row-major n×n; its upper triangle is never read).
// Every loop walks rows of L, which are contiguous: L·x = b by dot products (forward), Lᵀ·x = b
// by axpys of row i into the unknowns before it (backward), so neither needs a transposed copy.
import { at, axpy64, dot64, scal64 } from './simd64';

/** x = L⁻¹·b (trans = 0) or x = L⁻ᵀ·b (trans = 1), vectors of length n; x may equal b. */
export function trsv_f64_lower(x: usize, l: usize, b: usize, n: i32, trans: i32): void {
  if (x != b) memory.copy(x, b, at(n));
  if (trans == 0) {
    for (let i = 0; i < n; i++) {
      const ri = l + at(i * n);
      store<f64>(x + at(i), (load<f64>(x + at(i)) - dot64(ri, x, i)) / load<f64>(ri + at(i)));
    }
  } else {
    for (let i = n - 1; i >= 0; i--) {
      const ri = l + at(i * n);
      const xi = load<f64>(x + at(i)) / load<f64>(ri + at(i));
      store<f64>(x + at(i), xi);
      axpy64(x, -xi, ri, i);
    }
  }
}

/**
 * X = L⁻¹·B (trans = 0) or X = L⁻ᵀ·B (trans = 1) for B, X n×nrhs (row-major); x may equal b.
 * Works on whole rows of X, so each step is a contiguous axpy of length nrhs.
 */
export function trsm_f64_lower(x: usize, l: usize, b: usize, n: i32, nrhs: i32, trans: i32): void {
  if (nrhs == 1) {
    trsv_f64_lower(x, l, b, n, trans);
    return;
  }
  if (x != b) memory.copy(x, b, at(n * nrhs));
  trsm_f64_lower_rows(x, l, n, nrhs, trans, 0, n);
}

/**
 * Steps [from, to) of `trsm_f64_lower` (nrhs > 1) in place on x, which holds B before step 0: step t
 * finishes row t of X (trans = 0) or row n − 1 − t (trans = 1). Steps run in order give the bits of
 * one whole call; a caller that must stay responsive runs them a few at a time.
 */
export function trsm_f64_lower_rows(x: usize, l: usize, n: i32, nrhs: i32, trans: i32, from: i32, to: i32): void {
  const ld = at(nrhs);
  if (trans == 0) {
    for (let i = from; i < to; i++) {
      const ri = l + at(i * n);
      const xi = x + <usize>i * ld;
      for (let k = 0; k < i; k++) axpy64(xi, -load<f64>(ri + at(k)), x + <usize>k * ld, nrhs);
      scal64(xi, 1 / load<f64>(ri + at(i)), nrhs);
    }
  } else {
    for (let t = from; t < to; t++) {
      const i = n - 1 - t;
      const ri = l + at(i * n);
      const xi = x + <usize>i * ld;
      scal64(xi, 1 / load<f64>(ri + at(i)), nrhs);
      for (let k = 0; k < i; k++) axpy64(x + <usize>k * ld, -load<f64>(ri + at(k)), xi, nrhs);
    }
  }
}

/**
 * Steps [from, to) of X = L⁻ᵀ, i.e. `trsm_f64_lower_rows` with trans = 1 on x holding the identity
 * before step 0, doing a third of its work: row i of L⁻ᵀ is zero left of column i, so row i's scaling
 * and its updates of the rows above start at column i rounded down to even. The skipped terms are
 * exact zeros (+0 plus ±0 stays +0), and an even start keeps the whole-row loop's f64x2 pairs and tail
 * (a relaxed build fuses the pairs, not the tail), so the bits are the whole-row loop's.
 */
export function trsm_f64_lower_inverse_t_rows(x: usize, l: usize, n: i32, from: i32, to: i32): void {
  const ld = at(n);
  for (let t = from; t < to; t++) {
    const i = n - 1 - t;
    const c0 = i & ~1;
    const w = n - c0;
    const ri = l + at(i * n);
    const xi = x + <usize>i * ld + at(c0);
    scal64(xi, 1 / load<f64>(ri + at(i)), w);
    for (let k = 0; k < i; k++) axpy64(x + <usize>k * ld + at(c0), -load<f64>(ri + at(k)), xi, w);
  }
}

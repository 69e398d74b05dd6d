// Solves with a lower-triangular L (row-major n×n; its upper triangle is never read).
// Every loop walks rows of L, which are contiguous: L·x = b by dot products (forward), Lᵀ·x = b
// by axpys of row i into the unknowns before it (backward), so neither needs a transposed copy.
import { at, axpy64, dot64, scal64 } from './simd64';
import { NC, packedProduct, packedWorkspace } from './tiles';

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

// Blocked forms, for large n: block rows of TB, the coupling to the other rows as one level-3
// product (tiles.ts, where nearly all the work is, at the Cholesky's speed), and only the small
// triangle inside the block row solved by axpys. The row-by-row kernels above stream every earlier
// row of X once per row of X (memory-bound at a few thousand rows); here each pass over X's rows
// serves TB rows. Steps: the product over ranges of its NC-column blocks (any split gives the same
// bits, as each element still takes its slices of the shared dimension in order), then the block's
// triangle. Their arithmetic is not the row-by-row kernels': results agree to rounding, not bits.

/** Rows per block of the blocked triangular kernels. */
const TB = 64;

/** The block height of `trsm_f64_lower_block_*` and `trtri_f64_lower_t_*` (block rows start at multiples of it). */
export function trsm_f64_block(): i32 {
  return TB;
}

/** NC: the width of the column blocks the product steps count in. */
export function trsm_f64_product_block(): i32 {
  return NC;
}

/** Scratch of the blocked products (`work`), in f64s: one block row's slice of each operand, packed. */
export function trsm_f64_block_workspace(): i32 {
  return packedWorkspace(TB);
}

/**
 * X = L⁻¹·B (B, X n×nrhs, in place in x), block row [i0, i0 + TB) ∩ [0, n) (i0 a multiple of TB),
 * its product part over the column blocks [j0, j1) of NC: X_I −= L[I, 0:i0]·X[0:i0] (work:
 * trsm_f64_block_workspace() f64s). Run over all
 * column blocks, then `trsm_f64_lower_block_diag`, for i0 = 0, TB, 2·TB, …: rows before i0 are final.
 */
export function trsm_f64_lower_block_product(x: usize, l: usize, n: i32, nrhs: i32, i0: i32, j0: i32, j1: i32, work: usize): void {
  if (i0 == 0) return;
  const rows = min(TB, n - i0);
  const ldx = at(nrhs);
  packedProduct(x + <usize>i0 * ldx, ldx, l + at(i0 * n), at(n), 8, x, ldx, rows, nrhs, i0, -1.0, j0 * NC, j1 * NC, false, work);
}

/** Block row i0's triangle: X_I ← L_II⁻¹·X_I, forward substitution over its rows (after its product). */
export function trsm_f64_lower_block_diag(x: usize, l: usize, n: i32, nrhs: i32, i0: i32): void {
  const i1 = min(i0 + TB, n);
  const ldx = at(nrhs);
  for (let i = i0; i < i1; i++) {
    const ri = l + at(i * n);
    const xi = x + <usize>i * ldx;
    for (let k = i0; k < i; k++) axpy64(xi, -load<f64>(ri + at(k)), x + <usize>k * ldx, nrhs);
    scal64(xi, 1 / load<f64>(ri + at(i)), nrhs);
  }
}

/**
 * X = L⁻ᵀ (n×n, upper triangular) in x, which holds the identity before the first call. Block rows
 * go bottom-up: block row I = [i0, i0 + TB) needs only X's rows from c0 = min(i0 + TB, n) on, final
 * by then, as Lᵀ·X = I gives X_I = L_IIᵀ⁻¹·(E_I − L[c0:, I]ᵀ·X[c0:, c0:]). This is the product part
 * over the column blocks [j0, j1) (NC columns each, counted from c0): X[I, c0:] −= L[c0:, I]ᵀ·X[c0:, c0:]
 * (work: trsm_f64_block_workspace() f64s).
 * X's rows below are upper triangular, so the product skips the slices that hold only their zeros.
 */
export function trtri_f64_lower_t_block_product(x: usize, l: usize, n: i32, i0: i32, j0: i32, j1: i32, work: usize): void {
  const c0 = min(i0 + TB, n);
  const m = n - c0;
  if (m <= 0) return;
  const ld = at(n);
  // A(r, p) = L[c0 + p][i0 + r]: L's columns of the block, read down its rows (the syrk access).
  packedProduct(x + <usize>i0 * ld + at(c0), ld, l + <usize>c0 * ld + at(i0), 8, ld, x + <usize>c0 * ld + at(c0), ld, c0 - i0, m, m, -1.0, j0 * NC, j1 * NC, true, work);
}

/**
 * Block row i0's triangle of X = L⁻ᵀ (after its product): back substitution with L_IIᵀ, row i of X
 * (zero left of column i) scaled by 1/L[i][i], then taken from the block's rows above it.
 */
export function trtri_f64_lower_t_block_diag(x: usize, l: usize, n: i32, i0: i32): void {
  const i1 = min(i0 + TB, n);
  const ld = at(n);
  for (let i = i1 - 1; i >= i0; i--) {
    const ri = l + at(i * n);
    const xi = x + <usize>i * ld + at(i);
    const w = n - i;
    scal64(xi, 1 / load<f64>(ri + at(i)), w);
    for (let k = i0; k < i; k++) axpy64(x + <usize>k * ld + at(i), -load<f64>(ri + at(k)), xi, w);
  }
}

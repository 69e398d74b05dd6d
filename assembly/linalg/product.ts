// f64 matrix products for curvature matrices: C = α·AᵀA (+ βC) and C = A·B (+ βC).
// Both run tiles.ts' register-tiled outer-product loop.
import { at } from './simd64';
import { NC, product } from './tiles';

/** C = beta·C over len values; beta = 0 overwrites (NaN in C does not survive). */
@inline function scaleC(c: usize, len: i32, beta: f64): void {
  if (beta == 0) memory.fill(c, 0, at(len));
  else if (beta != 1) for (let i = 0; i < len; i++) store<f64>(c + at(i), load<f64>(c + at(i)) * beta);
}

/**
 * Symmetric rank-k update C = alpha·AᵀA + beta·C, with A m×n and C n×n, both triangles filled
 * (the curvature JᵀJ from a Jacobian J). beta = 0 overwrites C.
 */
export function syrk_f64(c: usize, a: usize, m: i32, n: i32, alpha: f64, beta: f64): void {
  const ld = at(n);
  // Only the lower triangle is accumulated; the mirror below rebuilds the upper one from it.
  scaleC(c, n * n, beta);
  product(c, ld, a, 8, ld, a, ld, n, n, m, alpha, true);
  mirror(c, n);
}

@inline function mirror(c: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) store<f64>(c + at(i * n + j), load<f64>(c + at(j * n + i)));
  }
}

/** C = A·B + beta·C with A m×k, B k×n, C m×n (row-major). beta = 0 overwrites C. */
export function gemm_f64_nn(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, beta: f64): void {
  scaleC(c, m * n, beta);
  product(c, at(n), a, at(k), 8, b, at(n), m, n, k, 1.0, false);
}

/** Columns of C per block of `syrk_f64_lower_add` (NC). */
export function syrk_f64_block(): i32 {
  return NC;
}

/**
 * C's lower triangle += alpha·AᵀA over C's column blocks [block0, block1) (NC columns each), A m×n,
 * C n×n; the upper triangle is left as it is (`mirror_lower_f64` fills it). All blocks, then the
 * mirror, give the bits of `syrk_f64(c, a, m, n, alpha, 1)`: a caller can pause between blocks.
 */
export function syrk_f64_lower_add(c: usize, a: usize, m: i32, n: i32, alpha: f64, block0: i32, block1: i32): void {
  const ld = at(n);
  product(c, ld, a, 8, ld, a, ld, n, n, m, alpha, true, block0 * NC, block1 * NC);
}

/** C's upper triangle from its lower one (n×n). */
export function mirror_lower_f64(c: usize, n: i32): void {
  mirror(c, n);
}

/**
 * Rows [row0, row1) of C = A·B (beta 0) for B k×n upper triangular (zero below its diagonal), A m×k:
 * the bits of those rows of `gemm_f64_nn(c, a, b, m, n, k, 0)` when row0 is a multiple of 4 and
 * row1 is one too or m (a row keeps its 4-row tile), with the zero slices of B skipped.
 */
export function gemm_f64_nn_upper_rows(c: usize, a: usize, b: usize, m: i32, n: i32, k: i32, row0: i32, row1: i32): void {
  const rows = min(row1, m) - row0;
  if (rows <= 0) return;
  const cr = c + <usize>row0 * at(n);
  scaleC(cr, rows * n, 0);
  product(cr, at(n), a + <usize>row0 * at(k), at(k), 8, b, at(n), rows, n, k, 1.0, false, 0, i32.MAX_VALUE, true);
}

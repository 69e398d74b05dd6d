// f64 matrix products for curvature matrices: C = α·AᵀA (+ βC) and C = A·B (+ βC).
// Both run one register-tiled outer-product loop: a 4×4 block of C lives in eight f64x2
// accumulators while p runs over a cache-sized slice of the shared dimension.
import { at, madd, splat64 } from './simd64';

/** Slice of the shared dimension kept hot per pass (KC rows of B ≈ KC·NC·8 bytes in L2). */
const KC = 256;
/** Width of the column block of C and B per pass (a multiple of 4). */
const NC = 128;

/**
 * C[4×4] += alpha·Σ_p A(r, p)·B(p, j) for one tile. A(r, p) sits at a + r·ars + p·aps (bytes), so
 * the same loop serves A (gemm, rows contiguous in p) and Aᵀ (syrk, rows contiguous in r).
 */
@inline function tile4x4(c: usize, ldc: usize, a: usize, ars: usize, aps: usize, b: usize, ldb: usize, np: i32, alpha: f64): void {
  let c00 = f64x2.splat(0), c01 = f64x2.splat(0);
  let c10 = f64x2.splat(0), c11 = f64x2.splat(0);
  let c20 = f64x2.splat(0), c21 = f64x2.splat(0);
  let c30 = f64x2.splat(0), c31 = f64x2.splat(0);
  for (let p = 0; p < np; p++) {
    const b0 = v128.load(b);
    const b1 = v128.load(b, 16);
    const a0 = v128.load64_splat(a);
    c00 = madd(a0, b0, c00);
    c01 = madd(a0, b1, c01);
    const a1 = v128.load64_splat(a + ars);
    c10 = madd(a1, b0, c10);
    c11 = madd(a1, b1, c11);
    const a2 = v128.load64_splat(a + 2 * ars);
    c20 = madd(a2, b0, c20);
    c21 = madd(a2, b1, c21);
    const a3 = v128.load64_splat(a + 3 * ars);
    c30 = madd(a3, b0, c30);
    c31 = madd(a3, b1, c31);
    a += aps;
    b += ldb;
  }
  const al = splat64(alpha);
  v128.store(c, madd(al, c00, v128.load(c)));
  v128.store(c, madd(al, c01, v128.load(c, 16)), 16);
  c += ldc;
  v128.store(c, madd(al, c10, v128.load(c)));
  v128.store(c, madd(al, c11, v128.load(c, 16)), 16);
  c += ldc;
  v128.store(c, madd(al, c20, v128.load(c)));
  v128.store(c, madd(al, c21, v128.load(c, 16)), 16);
  c += ldc;
  v128.store(c, madd(al, c30, v128.load(c)));
  v128.store(c, madd(al, c31, v128.load(c, 16)), 16);
}

/** The same product for a ragged edge block (rows × cols < 4×4), plainly. */
function edge(c: usize, ldc: usize, a: usize, ars: usize, aps: usize, b: usize, ldb: usize, rows: i32, cols: i32, np: i32, alpha: f64): void {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < cols; j++) {
      let s = 0.0;
      let pa = a + <usize>r * ars;
      let pb = b + at(j);
      for (let p = 0; p < np; p++) {
        s += load<f64>(pa) * load<f64>(pb);
        pa += aps;
        pb += ldb;
      }
      const pc = c + <usize>r * ldc + at(j);
      store<f64>(pc, load<f64>(pc) + alpha * s);
    }
  }
}

/**
 * C (m×n, row stride ldc bytes) += alpha·Σ_p A(i, p)·B(p, j) over p < k. With `lower`, only tiles
 * touching the lower triangle (j ≤ i) are computed (square C). `jFrom` (a multiple of NC) and `jTo`
 * restrict it to C's column blocks in between: every element still receives its slices of p in
 * ascending order, so running the blocks in pieces gives the bits of one call. `upperB` skips the
 * slices of p an upper-triangular B holds only zeros in: each would add a sum of ±0 products, +0,
 * to an element that starts at +0 and so can never be −0 — the same bits, half the work for B square.
 */
function product(c: usize, ldc: usize, a: usize, ars: usize, aps: usize, b: usize, ldb: usize, m: i32, n: i32, k: i32, alpha: f64, lower: bool, jFrom: i32 = 0, jTo: i32 = i32.MAX_VALUE, upperB: bool = false): void {
  const jEnd = min(n, jTo);
  for (let pc = 0; pc < k; pc += KC) {
    const kc = min(KC, k - pc);
    for (let jc = jFrom; jc < jEnd; jc += NC) {
      const je = min(jc + NC, n);
      // An upper-triangular B is zero from row je on in these columns: the slice would add exact zeros.
      if (upperB && pc >= je) continue;
      for (let i0 = lower ? jc : 0; i0 < m; i0 += 4) {
        const ih = min(4, m - i0);
        const jend = lower ? min(je, i0 + 4) : je;
        const ai = a + <usize>i0 * ars + <usize>pc * aps;
        const ci = c + <usize>i0 * ldc;
        for (let j0 = jc; j0 < jend; j0 += 4) {
          const jw = min(4, jend - j0);
          const bj = b + <usize>pc * ldb + at(j0);
          if (ih == 4 && jw == 4) tile4x4(ci + at(j0), ldc, ai, ars, aps, bj, ldb, kc, alpha);
          else edge(ci + at(j0), ldc, ai, ars, aps, bj, ldb, ih, jw, kc, alpha);
        }
      }
    }
  }
}

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

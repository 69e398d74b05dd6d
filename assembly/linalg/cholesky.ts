// Cholesky factorization A = L·Lᵀ of a symmetric positive-definite matrix (row-major, lower L),
// and what follows from L: solves, the inverse, the log-determinant.
//
// The factorization is blocked, right-looking: a panel of NB columns is factored with short
// contiguous dot products (rows are contiguous in row-major storage), then the trailing lower
// triangle takes the panel's rank-NB update, where nearly all the work is, in a 4×2 register tile.
import { at, axpy64, dot64, madd, scal64, splat64, subTile4x2 } from './simd64';
import { trsm_f64_lower } from './triangular';

/** Panel width: the trailing update reads rows of NB doubles (512 bytes). Must be even. */
const NB = 64;

/**
 * Factors A = L·Lᵀ (A n×n symmetric positive definite; only its lower triangle is read). Writes L
 * with a zero upper triangle; l may equal a (in place). Returns 0, or j + 1 when the j-th pivot is
 * not positive (or not finite): A is then not numerically positive definite and l is garbage.
 */
export function cholesky_f64(l: usize, a: usize, n: i32): i32 {
  cholesky_f64_prepare(l, a, n);
  for (let k0 = 0; k0 < n; k0 += NB) {
    const info = cholesky_f64_panel(l, n, k0);
    if (info != 0) return info;
    cholesky_f64_update(l, n, k0, k0 + NB, n);
  }
  return 0;
}

// The same factorization as steps, for a caller that must stay responsive (cancel, report progress)
// on a large matrix: prepare, then for k0 = 0, NB, 2·NB, … below n: the panel at k0, then its
// trailing update over row ranges [i0, i1) that split [k0 + NB, n) at multiples of 4 after k0 + NB.
// Each entry then sees exactly the operations of `cholesky_f64`, in the same order: the same bits.

/** The panel width of the steps. */
export function cholesky_f64_block(): i32 {
  return NB;
}

/** Copies A's lower triangle into l and zeroes l's upper triangle (l may equal a). */
export function cholesky_f64_prepare(l: usize, a: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const row = <usize>i * n;
    if (l != a) memory.copy(l + at(<i32>row), a + at(<i32>row), at(i + 1));
    memory.fill(l + at(<i32>row + i + 1), 0, at(n - i - 1));
  }
}

/** Factors the panel of columns [k0, k0 + NB) ∩ [0, n); returns 0 or the failing pivot's row + 1. */
export function cholesky_f64_panel(l: usize, n: i32, k0: i32): i32 {
  return factorPanel(l, n, k0, min(NB, n - k0));
}

/**
 * The panel at k0's update of trailing rows [i0, i1) (i0 ≥ k0 + NB; i0 − k0 − NB a multiple of 4,
 * and so i1 unless i1 = n, so that the rows form the same 4-row tiles as one whole update).
 */
export function cholesky_f64_update(l: usize, n: i32, k0: i32, i0: i32, i1: i32): void {
  const kb = min(NB, n - k0);
  if (k0 + kb < n && i0 < i1) updateTrailing(l, n, k0, kb, i0, min(i1, n));
}

/**
 * Columns [k0, k0+kb) of L for all rows i ≥ k0, given that earlier panels' updates have been applied:
 * L[i][j] = (A[i][j] − Σ_{k0≤p<j} L[i][p]·L[j][p]) / L[j][j].
 */
function factorPanel(l: usize, n: i32, k0: i32, kb: i32): i32 {
  const kend = k0 + kb;
  for (let i = k0; i < n; i++) {
    const ri = l + at(i * n);
    const jend = min(i, kend);
    for (let j = k0; j < jend; j++) {
      const rj = l + at(j * n);
      const v = load<f64>(ri + at(j)) - dot64(ri + at(k0), rj + at(k0), j - k0);
      store<f64>(ri + at(j), v / load<f64>(rj + at(j)));
    }
    if (i < kend) {
      const d = load<f64>(ri + at(i)) - dot64(ri + at(k0), ri + at(k0), i - k0);
      // `!(d > 0)` also catches NaN; a zero or negative pivot means "not positive definite".
      if (!(d > 0) || d == Infinity) return i + 1;
      store<f64>(ri + at(i), Math.sqrt(d));
    }
  }
  return 0;
}

/** L[i][j] −= Σ_{p in panel} L[i][p]·L[j][p] for t0 ≤ j ≤ i, rows i in [first, end) (t0 = k0 + kb; kb is even). */
function updateTrailing(l: usize, n: i32, k0: i32, kb: i32, first: i32, end: i32): void {
  const t0 = k0 + kb;
  const ld = at(n);
  const pan = at(k0);
  let i0 = first;
  for (; i0 + 4 <= end; i0 += 4) {
    const r0 = l + <usize>i0 * ld + pan;
    let j = t0;
    // Full 4×2 tiles strictly below the 4×4 diagonal block.
    for (; j + 2 <= i0; j += 2) {
      const s0 = l + <usize>j * ld + pan;
      const s1 = s0 + ld;
      let a00 = f64x2.splat(0), a01 = f64x2.splat(0);
      let a10 = f64x2.splat(0), a11 = f64x2.splat(0);
      let a20 = f64x2.splat(0), a21 = f64x2.splat(0);
      let a30 = f64x2.splat(0), a31 = f64x2.splat(0);
      for (let p = 0; p < kb; p += 2) {
        const o = at(p);
        const b0 = v128.load(s0 + o);
        const b1 = v128.load(s1 + o);
        const x0 = v128.load(r0 + o);
        a00 = madd(x0, b0, a00);
        a01 = madd(x0, b1, a01);
        const x1 = v128.load(r0 + ld + o);
        a10 = madd(x1, b0, a10);
        a11 = madd(x1, b1, a11);
        const x2 = v128.load(r0 + 2 * ld + o);
        a20 = madd(x2, b0, a20);
        a21 = madd(x2, b1, a21);
        const x3 = v128.load(r0 + 3 * ld + o);
        a30 = madd(x3, b0, a30);
        a31 = madd(x3, b1, a31);
      }
      const c = l + <usize>i0 * ld + at(j);
      subTile4x2(c, ld, a00, a01, a10, a11, a20, a21, a30, a31);
    }
    // What is left: an odd column before the diagonal block, and the block's lower triangle.
    for (let r = 0; r < 4; r++) {
      const i = i0 + r;
      for (let jj = j; jj <= i; jj++) updateOne(l, n, pan, i, jj, kb);
    }
  }
  for (; i0 < end; i0++) {
    for (let j = t0; j <= i0; j++) updateOne(l, n, pan, i0, j, kb);
  }
}


@inline function updateOne(l: usize, n: i32, pan: usize, i: i32, j: i32, kb: i32): void {
  const ld = at(n);
  const c = l + <usize>i * ld + at(j);
  store<f64>(c, load<f64>(c) - dot64(l + <usize>i * ld + pan, l + <usize>j * ld + pan, kb));
}

/** log det A = 2·Σ log L[i][i], from the Cholesky factor. */
export function chol_logdet_f64(l: usize, n: i32): f64 {
  let s = 0.0;
  for (let i = 0; i < n; i++) s += Math.log(load<f64>(l + at(i * n + i)));
  return 2 * s;
}

/** X = A⁻¹·B given L (A = L·Lᵀ); B and X are n×nrhs; x may equal b. */
export function chol_solve_f64(x: usize, l: usize, b: usize, n: i32, nrhs: i32): void {
  trsm_f64_lower(x, l, b, n, nrhs, 0);
  trsm_f64_lower(x, l, x, n, nrhs, 1);
}

/**
 * A⁻¹ (full symmetric n×n) given L, in two in-place sweeps over out's lower triangle: W = L⁻¹, then
 * A⁻¹ = Wᵀ·W. n³/3 multiply-adds, no scratch. out may equal l.
 */
export function chol_inverse_f64(out: usize, l: usize, n: i32): void {
  if (out != l) {
    for (let i = 0; i < n; i++) memory.copy(out + at(i * n), l + at(i * n), at(i + 1));
  }
  invertLower(out, n);
  gramLower(out, n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) store<f64>(out + at(i * n + j), load<f64>(out + at(j * n + i)));
  }
}

/** Rows finished together by the inverse's sweeps: each row of W read from memory serves all of them. */
const RB = 4;

/**
 * W = L⁻¹ in place. Row i of L·W = I gives W[i][j] = −t[j]/L[i][i] with t = Σ_{k<i} L[i][k]·W[k][·].
 * Accumulating t in row i itself is safe in increasing k: step k writes only positions ≤ k, and
 * position k still holds L[i][k] when step k reads it. Rows go in blocks of RB: the steps with k
 * before the block are shared (one pass over W[k] feeds RB rows), the rest run row by row.
 */
function invertLower(w: usize, n: i32): void {
  const ld = at(n);
  let i0 = 0;
  for (; i0 + RB <= n; i0 += RB) {
    const r0 = w + <usize>i0 * ld;
    for (let k = 0; k < i0; k++) {
      const rk = w + <usize>k * ld;
      const wkk = load<f64>(rk + at(k));
      const s0 = load<f64>(r0 + at(k));
      const s1 = load<f64>(r0 + ld + at(k));
      const s2 = load<f64>(r0 + 2 * ld + at(k));
      const s3 = load<f64>(r0 + 3 * ld + at(k));
      store<f64>(r0 + at(k), s0 * wkk);
      store<f64>(r0 + ld + at(k), s1 * wkk);
      store<f64>(r0 + 2 * ld + at(k), s2 * wkk);
      store<f64>(r0 + 3 * ld + at(k), s3 * wkk);
      axpy4(r0, ld, s0, s1, s2, s3, rk, k);
    }
    for (let i = i0; i < i0 + RB; i++) invertRow(w, n, i, i0);
  }
  for (; i0 < n; i0++) invertRow(w, n, i0, 0);
}

/** Steps k in [k0, i) of row i of invertLower, then the row's final scaling. */
@inline function invertRow(w: usize, n: i32, i: i32, k0: i32): void {
  const ri = w + at(i * n);
  for (let k = k0; k < i; k++) {
    const rk = w + at(k * n);
    const s = load<f64>(ri + at(k));
    store<f64>(ri + at(k), s * load<f64>(rk + at(k)));
    axpy64(ri, s, rk, k);
  }
  const inv = 1 / load<f64>(ri + at(i));
  scal64(ri, -inv, i);
  store<f64>(ri + at(i), inv);
}

/**
 * Lower triangle of Wᵀ·W in place for lower-triangular W. Row i needs W's rows k ≥ i only, so
 * rows finish in increasing i: C[i][0..i] = W[i][i]·W[i][0..i] + Σ_{k>i} W[k][i]·W[k][0..i].
 * In blocks of RB rows: the terms from rows inside the block come first, in increasing i (each
 * reads only later rows, still unmodified); then one shared pass over the rows k after the block.
 */
function gramLower(w: usize, n: i32): void {
  const ld = at(n);
  for (let i0 = 0; i0 < n; i0 += RB) {
    const iend = min(i0 + RB, n);
    for (let i = i0; i < iend; i++) {
      const ri = w + <usize>i * ld;
      scal64(ri, load<f64>(ri + at(i)), i + 1);
      for (let k = i + 1; k < iend; k++) {
        const rk = w + <usize>k * ld;
        axpy64(ri, load<f64>(rk + at(i)), rk, i + 1);
      }
    }
    if (iend - i0 < RB) {
      for (let i = i0; i < iend; i++) {
        const ri = w + <usize>i * ld;
        for (let k = iend; k < n; k++) axpy64(ri, load<f64>(w + <usize>k * ld + at(i)), w + <usize>k * ld, i + 1);
      }
      continue;
    }
    const r0 = w + <usize>i0 * ld;
    for (let k = iend; k < n; k++) {
      const rk = w + <usize>k * ld;
      const s0 = load<f64>(rk + at(i0));
      const s1 = load<f64>(rk + at(i0 + 1));
      const s2 = load<f64>(rk + at(i0 + 2));
      const s3 = load<f64>(rk + at(i0 + 3));
      // Columns [0, i0] are common to the four rows; row i0 + r also takes columns i0+1..i0+r.
      axpy4(r0, ld, s0, s1, s2, s3, rk, i0 + 1);
      for (let r = 1; r < RB; r++) {
        const sr = load<f64>(rk + at(i0 + r));
        const rr = r0 + <usize>r * ld;
        for (let j = i0 + 1; j <= i0 + r; j++) store<f64>(rr + at(j), load<f64>(rr + at(j)) + sr * load<f64>(rk + at(j)));
      }
    }
  }
}

/** Rows y_r = y0 + r·ld (r < 4) take y_r[0..len) += s_r·x[0..len): x is read once for all four. */
@inline function axpy4(y0: usize, ld: usize, s0: f64, s1: f64, s2: f64, s3: f64, x: usize, len: i32): void {
  const a0 = splat64(s0, 0);
  const a1 = splat64(s1, 1);
  const a2 = splat64(s2, 2);
  const a3 = splat64(s3, 3);
  const y1 = y0 + ld;
  const y2 = y1 + ld;
  const y3 = y2 + ld;
  let j = 0;
  for (; j + 2 <= len; j += 2) {
    const o = at(j);
    const xv = v128.load(x + o);
    v128.store(y0 + o, madd(a0, xv, v128.load(y0 + o)));
    v128.store(y1 + o, madd(a1, xv, v128.load(y1 + o)));
    v128.store(y2 + o, madd(a2, xv, v128.load(y2 + o)));
    v128.store(y3 + o, madd(a3, xv, v128.load(y3 + o)));
  }
  if (j < len) {
    const o = at(j);
    const xs = load<f64>(x + o);
    store<f64>(y0 + o, load<f64>(y0 + o) + s0 * xs);
    store<f64>(y1 + o, load<f64>(y1 + o) + s1 * xs);
    store<f64>(y2 + o, load<f64>(y2 + o) + s2 * xs);
    store<f64>(y3 + o, load<f64>(y3 + o) + s3 * xs);
  }
}

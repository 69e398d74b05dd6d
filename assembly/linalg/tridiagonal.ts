// Householder reduction of a symmetric matrix to tridiagonal form, Qᵀ·A·Q = T: the first stage of
// eigh_f64 (eigh.ts), and on its own what a caller needs for shifted solves (householder.ts applies Q).
// Two forms with one output layout (d, e, τ, and v_k in row k of w right of the diagonal): the
// unblocked one, column by column, and from n = 256 on the blocked one, in panels.
import { at, axpy64, dot64, hsum, madd, scal64, splat64, subTile4x2 } from './simd64';

/**
 * Householder tridiagonalization, columns k in [k0, min(k1, n − 1)) of w (n×n, the symmetric matrix
 * in its lower triangle on the first call, overwritten by the reflectors); d, e, τ as tridiagonalize
 * writes them, p is scratch. The range reaching k1 ≥ n − 1 also stores d[n−1] and e[n−1] = 0.
 */
export function eigh_f64_reduce(w: usize, d: usize, e: usize, tau: usize, p: usize, n: i32, k0: i32, k1: i32): void {
  tridiagonalize(w, d, e, tau, p, n, k0, min(k1, n - 1));
  if (k1 >= n - 1) {
    store<f64>(d + at(n - 1), load<f64>(w + at(n * n - 1)));
    store<f64>(e + at(n - 1), 0);
  }
}

/**
 * Qᵀ·A·Q = T by reflectors H_k = I − τ_k·v_k·v_kᵀ acting on indices k+1..n−1, on the lower
 * triangle only. x (column k below the diagonal) is copied into row k right of the diagonal, where
 * v_k then stays for formQt. The symmetric product p = τ·A₂₂·v takes one pass over the lower rows
 * (a dot product for p_i and an axpy into p_j<i per row), the rank-2 update A₂₂ −= v·wᵀ + w·vᵀ another.
 * Writes d (diagonal), e (e[k] = T[k][k+1]) and τ for columns k in [k0, k1); eigh_f64_reduce
 * stores d[n−1] and e[n−1] = 0 after the last column.
 */
function tridiagonalize(w: usize, d: usize, e: usize, tau: usize, p: usize, n: i32, k0: i32, k1: i32): void {
  for (let k = k0; k < k1; k++) {
    const rk = w + at(k * n);
    store<f64>(d + at(k), load<f64>(rk + at(k)));
    store<f64>(tau + at(k), 0);
    const m = n - k - 1;
    const x = rk + at(k + 1);
    const t = reflector(x, w + at((k + 1) * n + k), at(n), m, e + at(k));
    if (t == 0) continue; // already tridiagonal in this column
    store<f64>(tau + at(k), t);
    // p = τ·A₂₂·v;  w = p − (τ/2)(pᵀv)·v;  A₂₂ −= v·wᵀ + w·vᵀ.
    const a22 = w + at((k + 1) * n + k + 1);
    const ld = at(n);
    memory.fill(p, 0, at(m));
    for (let i = 0; i < m; i++) {
      const ri = a22 + <usize>i * ld;
      const vi = load<f64>(x + at(i));
      const s = dot64(ri, x, i) + load<f64>(ri + at(i)) * vi;
      axpy64(p, vi, ri, i);
      store<f64>(p + at(i), load<f64>(p + at(i)) + s);
    }
    scal64(p, t, m);
    const kk = 0.5 * t * dot64(p, x, m);
    axpy64(p, -kk, x, m);
    for (let i = 0; i < m; i++) {
      const ri = a22 + <usize>i * ld;
      axpy64(ri, -load<f64>(x + at(i)), p, i + 1);
      axpy64(ri, -load<f64>(p + at(i)), x, i + 1);
    }
  }
}

/**
 * The reflector of one column: x (m values) ← the column's m values below the diagonal (col, ld bytes
 * apart), then H = I − τ·v·vᵀ with H·x = β·e₀ is made in place (x ← v, v[0] = 1) and β stored at e.
 * Returns τ; 0 when x is already a multiple of e₀ (then no reflector, and *e = x[0]).
 */
@inline function reflector(x: usize, col: usize, ld: usize, m: i32, e: usize): f64 {
  for (let i = 0; i < m; i++) store<f64>(x + at(i), load<f64>(col + <usize>i * ld));
  const x0 = load<f64>(x);
  // Scale before squaring so tiny or huge entries neither underflow nor overflow.
  let scale = 0.0;
  for (let i = 1; i < m; i++) scale = max(scale, Math.abs(load<f64>(x + at(i))));
  if (scale == 0) {
    store<f64>(e, x0);
    return 0;
  }
  scale = max(scale, Math.abs(x0));
  let ss = 0.0;
  for (let i = 0; i < m; i++) {
    const t = load<f64>(x + at(i)) / scale;
    ss += t * t;
  }
  const norm = scale * Math.sqrt(ss);
  const beta = x0 >= 0 ? -norm : norm;
  const t = (beta - x0) / beta;
  const inv = 1 / (x0 - beta);
  store<f64>(x, 1);
  for (let i = 1; i < m; i++) store<f64>(x + at(i), load<f64>(x + at(i)) * inv);
  store<f64>(e, beta);
  return t;
}

// The blocked reduction (LAPACK's dsytrd/dlatrd, lower): the same reflectors, in panels of RB columns.
// A column of the unblocked one streams the trailing matrix twice (the symmetric product, then the
// rank-2 update); here each column reads it once for its product — corrected for the panel's earlier
// reflectors through V and W (the reflectors and their w = τ·(A·v − …) of the unblocked update) — and
// the whole panel's update, A₂₂ −= V·Wᵀ + W·Vᵀ, is one rank-2·RB pass in register tiles. Y holds the
// panel as n rows of [V_r | W_r] (2·RB values each), zero outside the panel's reflectors, so every
// correction is one 2·RB-long dot product of a row of Y. Results agree with the unblocked kernel to
// rounding (not bits), and its layout of w, d, e, τ is kept: form_qt and householder_apply read it.
//
// Run: for k0 = 0, RB, 2·RB, … below n − 1: panel columns in ranges [j0, j1) from 0 to its width
// jb = min(RB, n − 1 − k0), then its update over row ranges that split [k0 + jb, n) at multiples of 4
// after k0 + jb; finally eigh_f64_reduce(…, n − 1, n) for d[n−1] and e[n−1].

/** Panel width of the blocked reduction (even: the update's f64x2 pairs). */
const RB = 32;
/** From this order on eigh_f64 (and the steps, src/linalg/eigh.ts) reduce in panels; below, the saving is small. */
const BLOCKED_FROM = 256;

/** The panel width to reduce an n×n matrix with: RB, or 0 for the unblocked reduction (small n). */
export function eigh_f64_reduce_block(n: i32): i32 {
  return n >= BLOCKED_FROM ? RB : 0;
}

/** Scratch of the blocked reduction (y), in f64s: Y (n × 2·RB) and two vectors of 2·RB. */
export function eigh_f64_reduce_workspace(n: i32): i32 {
  return (n + 2) * 2 * RB;
}

/**
 * The panel at k0 (a multiple of RB), its columns c = k0 + j for j in [j0, min(j1, jb)): each column
 * brought up to date with the panel's earlier reflectors, its reflector (as eigh_f64_reduce makes it),
 * and its rows of V and W in y. Arguments as eigh_f64_reduce's; y: eigh_f64_reduce_workspace(n) f64s,
 * kept between the calls of one panel (j0 = 0 clears it).
 */
export function eigh_f64_reduce_panel(w: usize, d: usize, e: usize, tau: usize, p: usize, y: usize, n: i32, k0: i32, j0: i32, j1: i32): void {
  const jb = min(RB, n - 1 - k0);
  const ldy = at(2 * RB);
  if (j0 == 0) memory.fill(y, 0, <usize>n * ldy);
  const u = y + <usize>n * ldy;
  const z = u + ldy;
  for (let j = j0; j < min(j1, jb); j++) panelColumn(w, d, e, tau, p, y, u, z, n, k0 + j, j);
}

/** Column c (the panel's j-th) of the blocked reduction; u and z: 2·RB scratch each. */
function panelColumn(w: usize, d: usize, e: usize, tau: usize, p: usize, y: usize, u: usize, z: usize, n: i32, c: i32, j: i32): void {
  const ld = at(n);
  const ldy = at(2 * RB);
  const rc = w + <usize>c * ld;
  if (j > 0) {
    // A[r][c] −= V_r·W_cᵀ + W_r·V_cᵀ for r ≥ c: a dot of Y_r with u = [W_c | V_c].
    const yc = y + <usize>c * ldy;
    memory.copy(u, yc + at(RB), at(RB));
    memory.copy(u + at(RB), yc, at(RB));
    for (let r = c; r < n; r++) {
      const a = w + <usize>r * ld + at(c);
      store<f64>(a, load<f64>(a) - dot64(y + <usize>r * ldy, u, 2 * RB));
    }
  }
  store<f64>(d + at(c), load<f64>(rc + at(c)));
  store<f64>(tau + at(c), 0);
  const m = n - c - 1;
  const x = rc + at(c + 1);
  const t = reflector(x, w + at((c + 1) * n + c), ld, m, e + at(c));
  if (t == 0) return; // already tridiagonal in this column: no reflector, V and W stay 0
  store<f64>(tau + at(c), t);
  symvLower(p, w + <usize>(c + 1) * ld + at(c + 1), ld, x, m);
  const y1 = y + <usize>(c + 1) * ldy;
  if (j > 0) {
    // The panel's pending update: p −= V·(Wᵀv) + W·(Vᵀv), from z = Σ v_r·Y_r = [Vᵀv | Wᵀv].
    memory.fill(z, 0, ldy);
    for (let i = 0; i < m; i++) axpy64(z, load<f64>(x + at(i)), y1 + <usize>i * ldy, 2 * RB);
    memory.copy(u, z + at(RB), at(RB));
    memory.copy(u + at(RB), z, at(RB));
    for (let i = 0; i < m; i++) store<f64>(p + at(i), load<f64>(p + at(i)) - dot64(y1 + <usize>i * ldy, u, 2 * RB));
  }
  // w = τ·p − (τ/2)(τ·pᵀv)·v, as the unblocked reduction; V and W's column j from row c + 1 on.
  scal64(p, t, m);
  const kk = 0.5 * t * dot64(p, x, m);
  axpy64(p, -kk, x, m);
  for (let i = 0; i < m; i++) {
    const yi = y1 + <usize>i * ldy;
    store<f64>(yi + at(j), load<f64>(x + at(i)));
    store<f64>(yi + at(RB + j), load<f64>(p + at(i)));
  }
}

/**
 * p = A·x for the symmetric m×m A stored in its lower triangle (rows ld bytes apart), in one pass over
 * it: each element serves p_i (row i's dot with x) and p_j (its mirror's axpy). Four rows go
 * together, so each load of x and each load and store of p serves four rows of A: the loop is then
 * bound by A's stream, not by the loads and stores of the vectors (the row-by-row loop ran at a
 * third of the speed).
 */
function symvLower(p: usize, a: usize, ld: usize, x: usize, m: i32): void {
  memory.fill(p, 0, at(m));
  let i0 = 0;
  for (; i0 + 4 <= m; i0 += 4) {
    const r0 = a + <usize>i0 * ld;
    const r1 = r0 + ld;
    const r2 = r1 + ld;
    const r3 = r2 + ld;
    const x0 = load<f64>(x + at(i0));
    const x1 = load<f64>(x + at(i0 + 1));
    const x2 = load<f64>(x + at(i0 + 2));
    const x3 = load<f64>(x + at(i0 + 3));
    const v0 = splat64(x0, 0);
    const v1 = splat64(x1, 1);
    const v2 = splat64(x2, 2);
    const v3 = splat64(x3, 3);
    let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
    for (let j = 0; j < i0; j += 2) {
      const o = at(j);
      const xv = v128.load(x + o);
      let pv = v128.load(p + o);
      const a0 = v128.load(r0 + o);
      s0 = madd(a0, xv, s0);
      pv = madd(v0, a0, pv);
      const a1 = v128.load(r1 + o);
      s1 = madd(a1, xv, s1);
      pv = madd(v1, a1, pv);
      const a2 = v128.load(r2 + o);
      s2 = madd(a2, xv, s2);
      pv = madd(v2, a2, pv);
      const a3 = v128.load(r3 + o);
      s3 = madd(a3, xv, s3);
      pv = madd(v3, a3, pv);
      v128.store(p + o, pv);
    }
    // The 4×4 block on the diagonal, its lower triangle: both roles of each off-diagonal element.
    const a10 = load<f64>(r1 + at(i0));
    const a20 = load<f64>(r2 + at(i0));
    const a21 = load<f64>(r2 + at(i0 + 1));
    const a30 = load<f64>(r3 + at(i0));
    const a31 = load<f64>(r3 + at(i0 + 1));
    const a32 = load<f64>(r3 + at(i0 + 2));
    const d0 = hsum(s0) + load<f64>(r0 + at(i0)) * x0 + a10 * x1 + a20 * x2 + a30 * x3;
    const d1 = hsum(s1) + a10 * x0 + load<f64>(r1 + at(i0 + 1)) * x1 + a21 * x2 + a31 * x3;
    const d2 = hsum(s2) + a20 * x0 + a21 * x1 + load<f64>(r2 + at(i0 + 2)) * x2 + a32 * x3;
    const d3 = hsum(s3) + a30 * x0 + a31 * x1 + a32 * x2 + load<f64>(r3 + at(i0 + 3)) * x3;
    store<f64>(p + at(i0), load<f64>(p + at(i0)) + d0);
    store<f64>(p + at(i0 + 1), load<f64>(p + at(i0 + 1)) + d1);
    store<f64>(p + at(i0 + 2), load<f64>(p + at(i0 + 2)) + d2);
    store<f64>(p + at(i0 + 3), load<f64>(p + at(i0 + 3)) + d3);
  }
  for (; i0 < m; i0++) {
    const ri = a + <usize>i0 * ld;
    const vi = load<f64>(x + at(i0));
    const s = dot64(ri, x, i0) + load<f64>(ri + at(i0)) * vi;
    axpy64(p, vi, ri, i0);
    store<f64>(p + at(i0), load<f64>(p + at(i0)) + s);
  }
}

/**
 * The panel at k0's update of the trailing lower triangle, rows [i0, i1) (i0 − k0 − jb a multiple of
 * 4, and so i1 unless i1 = n): A[i][j] −= V_i·W_jᵀ + W_i·V_jᵀ for k0 + jb ≤ j ≤ i.
 */
export function eigh_f64_reduce_update(w: usize, y: usize, n: i32, k0: i32, i0: i32, i1: i32): void {
  const t0 = k0 + min(RB, n - 1 - k0);
  const end = min(i1, n);
  const ld = at(n);
  const ldy = at(2 * RB);
  let r0 = i0;
  for (; r0 + 4 <= end; r0 += 4) {
    const x0 = y + <usize>r0 * ldy;
    let j = t0;
    for (; j + 2 <= r0; j += 2) {
      const s0 = y + <usize>j * ldy;
      const s1 = s0 + ldy;
      let a00 = f64x2.splat(0), a01 = f64x2.splat(0);
      let a10 = f64x2.splat(0), a11 = f64x2.splat(0);
      let a20 = f64x2.splat(0), a21 = f64x2.splat(0);
      let a30 = f64x2.splat(0), a31 = f64x2.splat(0);
      // Σ of row i's V half against row j's W half, then its W half against j's V half.
      for (let q = 0; q < RB; q += 2) {
        const o = at(q);
        const b0 = v128.load(s0 + o, RB * 8);
        const b1 = v128.load(s1 + o, RB * 8);
        const v0 = v128.load(x0 + o);
        a00 = madd(v0, b0, a00);
        a01 = madd(v0, b1, a01);
        const v1 = v128.load(x0 + ldy + o);
        a10 = madd(v1, b0, a10);
        a11 = madd(v1, b1, a11);
        const v2 = v128.load(x0 + 2 * ldy + o);
        a20 = madd(v2, b0, a20);
        a21 = madd(v2, b1, a21);
        const v3 = v128.load(x0 + 3 * ldy + o);
        a30 = madd(v3, b0, a30);
        a31 = madd(v3, b1, a31);
      }
      for (let q = 0; q < RB; q += 2) {
        const o = at(q);
        const b0 = v128.load(s0 + o);
        const b1 = v128.load(s1 + o);
        const v0 = v128.load(x0 + o, RB * 8);
        a00 = madd(v0, b0, a00);
        a01 = madd(v0, b1, a01);
        const v1 = v128.load(x0 + ldy + o, RB * 8);
        a10 = madd(v1, b0, a10);
        a11 = madd(v1, b1, a11);
        const v2 = v128.load(x0 + 2 * ldy + o, RB * 8);
        a20 = madd(v2, b0, a20);
        a21 = madd(v2, b1, a21);
        const v3 = v128.load(x0 + 3 * ldy + o, RB * 8);
        a30 = madd(v3, b0, a30);
        a31 = madd(v3, b1, a31);
      }
      const cc = w + <usize>r0 * ld + at(j);
      subTile4x2(cc, ld, a00, a01, a10, a11, a20, a21, a30, a31);
    }
    for (let r = 0; r < 4; r++) {
      const i = r0 + r;
      for (let jj = j; jj <= i; jj++) updateOne(w, y, n, i, jj);
    }
  }
  for (; r0 < end; r0++) {
    for (let j = t0; j <= r0; j++) updateOne(w, y, n, r0, j);
  }
}


/** A[i][j] −= V_i·W_jᵀ + W_i·V_jᵀ. */
@inline function updateOne(w: usize, y: usize, n: i32, i: i32, j: i32): void {
  const ldy = at(2 * RB);
  const yi = y + <usize>i * ldy;
  const yj = y + <usize>j * ldy;
  const c = w + <usize>i * at(n) + at(j);
  store<f64>(c, load<f64>(c) - (dot64(yi, yj + at(RB), RB) + dot64(yi + at(RB), yj, RB)));
}

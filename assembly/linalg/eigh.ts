// Symmetric eigendecomposition A = V·Λ·Vᵀ: Householder reduction to tridiagonal form, then
// implicit QL iterations with Wilkinson-type shifts.
//
// Layout choice: the eigenvectors are carried as the ROWS of a matrix Z (Z = Vᵀ) while they are
// built, so that forming Qᵀ and every Givens rotation of the QL sweeps touch contiguous rows
// (f64x2 over j). One transpose at the end gives the promised layout vecs[i·n + j] = V[i][j].
import { at, madd, nmadd, reflectRows, splat64 } from './simd64';
import { eigh_f64_reduce, eigh_f64_reduce_block, eigh_f64_reduce_panel, eigh_f64_reduce_update, eigh_f64_reduce_workspace } from './tridiagonal';

/** Iterations allowed per eigenvalue before giving up (typically 1–3 are needed). */
const MAX_ITER = 60;
const EPS = 2.220446049250313e-16;

/** Scratch needed by eigh_f64, in f64 values: a copy of A, three vectors of length n, and from n = 256 on the blocked reduction's. */
export function eigh_workspace_f64(n: i32): usize {
  const y = eigh_f64_reduce_block(n) > 0 ? <usize>eigh_f64_reduce_workspace(n) : 0;
  return <usize>n * <usize>n + 3 * <usize>n + y;
}

/**
 * Eigenvalues (ascending, into vals[n]) and orthonormal eigenvectors (columns of vecs, n×n
 * row-major: vecs[i·n + j] is component i of eigenvector j) of the symmetric matrix a (only its
 * lower triangle is read). work holds eigh_workspace_f64(n) f64s; a is not modified unless a == work,
 * which saves a copy (A is then overwritten). vecs == 0 asks for the eigenvalues alone: no Qᵀ and no
 * rotations of it, O(n²) after the reduction instead of O(n³) (a log-determinant needs no vectors).
 * Returns 0, or l + 1 when the QL iteration for eigenvalue l did not converge.
 *
 * It is the composition of the range kernels below, each called once over its whole range: a caller
 * that runs them in pieces (src/linalg/eigh.ts, eighSteps) gets these bits.
 */
export function eigh_f64(vals: usize, vecs: usize, a: usize, n: i32, work: usize): i32 {
  if (n <= 0) return 0;
  const w = work;
  const e = w + at(n * n);
  const tau = e + at(n);
  const tmp = tau + at(n);
  if (a != w) memory.copy(w, a, at(n * n));
  if (eigh_f64_reduce_block(n) > 0) reduceBlocked(w, vals, e, tau, tmp, tmp + at(n), n);
  else eigh_f64_reduce(w, vals, e, tau, tmp, n, 0, n);
  if (vecs != 0) {
    eigh_f64_form_qt_init(vecs, n, 0, n);
    eigh_f64_form_qt(vecs, w, tau, n, 0, n);
  }
  const floor = eigh_f64_ql_floor(vals, e, n);
  for (let l = 0; l < n; ) {
    l = eigh_f64_ql(vals, e, vecs, n, floor, l, i32.MAX_VALUE);
    if (l < 0) return -l;
  }
  eigh_f64_sort(vals, vecs, n, 0, n);
  if (vecs != 0) eigh_f64_transpose(vecs, n, 0, n);
  return 0;
}

// The stages as range kernels. Run in order — reduce over k = 0..n−2 (tridiagonal.ts: eigh_f64_reduce,
// its last range, k1 ≥ n − 1, also writing d[n−1] and e[n−1]; from n = 256 on, the blocked reduction's
// panels and updates, then eigh_f64_reduce(…, n − 1, n)); with vectors, form_qt_init over rows, then form_qt over k descending;
// ql_floor once, then ql from l = 0 until it returns n; sort over i = 0..n−1; with vectors,
// transpose over i = 0..n−1 — with ranges that tile each stage, they do the operations of eigh_f64
// in its order, so they give its bits. w, d, e, tau and p are n², n, n, n and n f64s.

/** Rows [i0, min(i1, n)) of Z = I (n×n): the start of formQt. */
export function eigh_f64_form_qt_init(z: usize, n: i32, i0: i32, i1: i32): void {
  i1 = min(i1, n);
  if (i0 >= i1) return;
  memory.fill(z + at(i0 * n), 0, at((i1 - i0) * n));
  for (let i = i0; i < i1; i++) store<f64>(z + at(i * n + i), 1);
}

/** Z ← Z·H_k for k = min(k1, n − 1) − 1 down to k0 (formQt's descending k): call with ranges from the top down. */
export function eigh_f64_form_qt(z: usize, w: usize, tau: usize, n: i32, k0: i32, k1: i32): void {
  formQt(z, w, tau, n, k0, min(k1, n - 1));
}

/** The deflation floor ε·‖T‖∞ of the QL sweeps, from the tridiagonal (d, e) before any sweep. */
export function eigh_f64_ql_floor(d: usize, e: usize, n: i32): f64 {
  // ‖T‖∞: the scale of the rounding errors the Householder reduction and every sweep leave behind.
  let tnorm = 0.0;
  for (let i = 0; i < n; i++) {
    const below = i > 0 ? Math.abs(load<f64>(e + at(i - 1))) : 0.0;
    tnorm = max(tnorm, Math.abs(load<f64>(d + at(i))) + Math.abs(load<f64>(e + at(i))) + below);
  }
  return EPS * tnorm;
}

/**
 * The QL iteration's eigenvalues l = l0, l0 + 1, … (each to convergence, whole: its sweeps and their
 * counter belong to it), stopping after the first l at which more than `budget` units have been
 * spent (a sweep over the block [l, m] costs m − l + 1: its search and its rotations) or at l = n.
 * floor is eigh_f64_ql_floor's. Returns the next l to run (n when done), or −(l + 1) when
 * eigenvalue l did not converge. z == 0: no rotations of vectors.
 */
export function eigh_f64_ql(d: usize, e: usize, z: usize, n: i32, floor: f64, l0: i32, budget: i32): i32 {
  return implicitQL(d, e, z, n, floor, l0, budget);
}

/** Selection sort's positions i in [i0, min(i1, n − 1)) (ascending d, rows of z moved along; z == 0: none). */
export function eigh_f64_sort(d: usize, z: usize, n: i32, i0: i32, i1: i32): void {
  sortAscending(d, z, n, i0, min(i1, n - 1));
}

/** Z ← Zᵀ in place, the swaps of rows i in [i0, i1) with the columns right of their diagonal. */
export function eigh_f64_transpose(z: usize, n: i32, i0: i32, i1: i32): void {
  transposeInPlace(z, n, i0, min(i1, n));
}

/**
 * Z = Qᵀ = H_{n−2}···H_0, accumulated as Z ← Z·H_k for k descending from Z = I
 * (eigh_f64_form_qt_init): Z is then still the identity outside rows and columns > k, so each step
 * touches rows k+1.. and columns k+1.. only. This call: k = k1 − 1 down to k0.
 */
function formQt(z: usize, w: usize, tau: usize, n: i32, k0: i32, k1: i32): void {
  const ld = at(n);
  for (let k = k1 - 1; k >= k0; k--) {
    const t = load<f64>(tau + at(k));
    if (t == 0) continue;
    reflectRows(z + <usize>(k + 1) * ld + at(k + 1), n - k - 1, ld, w + at(k * n + k + 1), t, n - k - 1);
  }
}

/**
 * Diagonalizes the symmetric tridiagonal (d, e) by implicit QL sweeps (shift from the leading 2×2
 * block, chased upward by Givens rotations), applying each rotation to rows i, i+1 of z.
 * d ends as the eigenvalues (unsorted). z == 0 skips the rotations (eigenvalues only). This call:
 * eigenvalues l from l0 on, until more than `budget` units are spent (see eigh_f64_ql). Returns the
 * next l, or −(l + 1) if eigenvalue l fails to converge.
 */
function implicitQL(d: usize, e: usize, z: usize, n: i32, floor: f64, l0: i32, budget: i32): i32 {
  const ld = at(n);
  let spent: i64 = 0;
  for (let l = l0; l < n; l++) {
    if (spent > <i64>budget) return l;
    let iter = 0;
    while (true) {
      // The first negligible off-diagonal at or after l splits off an unreduced block [l, m]:
      // negligible beside its two diagonal neighbours, or beside ‖T‖. The second test matters for a
      // cluster of eigenvalues at the rounding level (a rank-deficient Gram or GGN matrix: d and e all
      // ≈ ε‖T‖): there the sweeps, which mix in the large block, keep e at ≈ ε‖T‖ and the relative
      // test alone (e ≤ ε·|d|, d itself ≈ ε‖T‖) is never met. Deflating at ε‖T‖ is backward stable
      // (EISPACK's tql2 test): each eigenvalue stays within a few ε‖A‖, as the reduction already allows.
      let m = l;
      for (; m < n - 1; m++) {
        const dd = Math.abs(load<f64>(d + at(m))) + Math.abs(load<f64>(d + at(m + 1)));
        const em = Math.abs(load<f64>(e + at(m)));
        if (em <= EPS * dd || em <= floor || em < 1e-300) break;
      }
      spent += <i64>(m - l + 1);
      if (m == l) break;
      if (++iter > MAX_ITER) return -(l + 1);
      const dl = load<f64>(d + at(l));
      const el = load<f64>(e + at(l));
      let g = (load<f64>(d + at(l + 1)) - dl) / (2 * el);
      let r = Math.hypot(g, 1);
      g = load<f64>(d + at(m)) - dl + el / (g + (g >= 0 ? r : -r));
      let s = 1.0;
      let c = 1.0;
      let p = 0.0;
      let underflow = false;
      for (let i = m - 1; i >= l; i--) {
        const f = s * load<f64>(e + at(i));
        const b = c * load<f64>(e + at(i));
        r = Math.hypot(f, g);
        store<f64>(e + at(i + 1), r);
        if (r == 0) {
          // The rotation vanished: the block splits here; restart on what is left.
          store<f64>(d + at(i + 1), load<f64>(d + at(i + 1)) - p);
          store<f64>(e + at(m), 0);
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = load<f64>(d + at(i + 1)) - p;
        r = (load<f64>(d + at(i)) - g) * s + 2 * c * b;
        p = s * r;
        store<f64>(d + at(i + 1), g + p);
        g = c * r - b;
        if (z != 0) rotateRows(z + <usize>i * ld, z + <usize>(i + 1) * ld, c, s, n);
      }
      if (underflow) continue;
      store<f64>(d + at(l), load<f64>(d + at(l)) - p);
      store<f64>(e + at(l), g);
      store<f64>(e + at(m), 0);
    }
  }
  return n;
}

/** (zi, zj) ← (c·zi − s·zj, s·zi + c·zj) over n contiguous values. */
@inline function rotateRows(zi: usize, zj: usize, c: f64, s: f64, n: i32): void {
  const cv = splat64(c, 0);
  const sv = splat64(s, 1);
  let k = 0;
  for (; k + 2 <= n; k += 2) {
    const o = at(k);
    const a = v128.load(zi + o);
    const b = v128.load(zj + o);
    v128.store(zi + o, nmadd(sv, b, f64x2.mul(cv, a)));
    v128.store(zj + o, madd(sv, a, f64x2.mul(cv, b)));
  }
  if (k < n) {
    const o = at(k);
    const a = load<f64>(zi + o);
    const b = load<f64>(zj + o);
    store<f64>(zi + o, c * a - s * b);
    store<f64>(zj + o, s * a + c * b);
  }
}

/**
 * Selection sort of the eigenvalues, moving the matching rows of z along (O(n²) swaps at most; z == 0:
 * none). This call: positions i in [i0, i1), i1 ≤ n − 1.
 */
function sortAscending(d: usize, z: usize, n: i32, i0: i32, i1: i32): void {
  const ld = at(n);
  for (let i = i0; i < i1; i++) {
    let kmin = i;
    let vmin = load<f64>(d + at(i));
    for (let k = i + 1; k < n; k++) {
      const v = load<f64>(d + at(k));
      if (v < vmin) {
        vmin = v;
        kmin = k;
      }
    }
    if (kmin == i) continue;
    store<f64>(d + at(kmin), load<f64>(d + at(i)));
    store<f64>(d + at(i), vmin);
    if (z == 0) continue;
    const zi = z + <usize>i * ld;
    const zk = z + <usize>kmin * ld;
    for (let j = 0; j < n; j++) {
      const t = load<f64>(zi + at(j));
      store<f64>(zi + at(j), load<f64>(zk + at(j)));
      store<f64>(zk + at(j), t);
    }
  }
}

/** Z ← Zᵀ, this call's share: rows i in [i0, i1) swapped with the columns right of their diagonal. */
function transposeInPlace(z: usize, n: i32, i0: i32, i1: i32): void {
  for (let i = i0; i < i1; i++) {
    for (let j = i + 1; j < n; j++) {
      const p = z + at(i * n + j);
      const q = z + at(j * n + i);
      const t = load<f64>(p);
      store<f64>(p, load<f64>(q));
      store<f64>(q, t);
    }
  }
}

/** The whole blocked reduction, each kernel over its whole range (the steps split them: the same bits). */
function reduceBlocked(w: usize, d: usize, e: usize, tau: usize, p: usize, y: usize, n: i32): void {
  const nb = eigh_f64_reduce_block(n);
  for (let k0 = 0; k0 < n - 1; k0 += nb) {
    eigh_f64_reduce_panel(w, d, e, tau, p, y, n, k0, 0, nb);
    eigh_f64_reduce_update(w, y, n, k0, k0 + min(nb, n - 1 - k0), n);
  }
  eigh_f64_reduce(w, d, e, tau, p, n, n - 1, n);
}

/** Symmetric eigendecomposition over the compute core (Householder tridiagonalization + implicit QL). */
import { BdlError } from '../errors.js';
import type { Arena } from '../wasm/arena.js';
import type { Work } from './work.js';
import { checkSize } from './memory.js';
import { checkFiniteSquare, checkSquare } from './validate.js';

export interface EighResult {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** Orthonormal eigenvectors as columns, n×n row-major: vectors[i·n + j] = component i of vector j. */
  vectors: Float64Array;
}

/**
 * A = V·diag(values)·Vᵀ for symmetric A (n×n row-major). A is symmetrized as (A + Aᵀ)/2 on the way
 * in, so rounding asymmetry is harmless; the caller's array is not modified.
 */
export function eigh(arena: Arena, a: ArrayLike<number>, n: number, opts: { budget?: number; name?: string } = {}): EighResult {
  return drain(eighSteps(arena, a, n, opts));
}

/** The eigenvalues of symmetric A, ascending: `eigh` without the O(n³) of the eigenvectors (about 2× faster at n = 1000). */
export function eigvalsh(arena: Arena, a: ArrayLike<number>, n: number, opts: { budget?: number; name?: string } = {}): Float64Array {
  return drain(eigvalshSteps(arena, a, n, opts));
}

/**
 * `eigh` as steps of about STEP_WORK multiply-adds each: the core's `eigh_f64` run stage by stage
 * (reduction, Qᵀ, QL, sort, transpose), each stage in ranges — the same operations in the same
 * order, so the same bits. It keeps the matrix in the arena between steps, so whoever suspends it
 * must be the only work keeping arena memory across awaits (posterior/arena-hold.ts); closing the
 * generator early frees that memory. The checks run on the first `next()`, before any work.
 */
export function eighSteps(arena: Arena, a: ArrayLike<number>, n: number, opts: { budget?: number; name?: string } = {}): Work<EighResult> {
  return decomposeSteps(arena, a, n, true, opts) as Work<EighResult>;
}

/** `eigvalsh` as steps (see eighSteps): the eigenvalues, ascending, with the bits of `eigvalsh`. */
export function* eigvalshSteps(arena: Arena, a: ArrayLike<number>, n: number, opts: { budget?: number; name?: string } = {}): Work<Float64Array> {
  return (yield* decomposeSteps(arena, a, n, false, opts)).values;
}

/** Multiply-adds per step: a few milliseconds of the core's f64 work (as cholesky.ts). */
const STEP_WORK = 1 << 22;

/**
 * Work units of one unit of the QL budget (a Givens rotation with a row of the deflation search).
 * Without vectors, its scalar work (a hypot, a division, a dozen flops): measured at about 64
 * multiply-adds of the reduction's. With vectors, its rotation of two rows of Z: 3n while Z stays in
 * the last-level cache; once Z (8n² bytes) outgrows it, each rotation streams a row from memory,
 * measured at ≈ 8× that (n = 3151, Z 79 MB, against n = 1201, Z 11.5 MB).
 */
const qlUnitCost = (n: number, vectors: boolean) => (!vectors ? 64 : 8 * n * n <= CACHED_BYTES ? 3 * n : 24 * n);

/** The size of Z below which the QL rotations are counted as cached: a typical last-level cache. */
const CACHED_BYTES = 16 * 2 ** 20;

function* decomposeSteps(arena: Arena, a: ArrayLike<number>, n: number, vectors: boolean, opts: { budget?: number; name?: string }): Work<{ values: Float64Array; vectors?: Float64Array }> {
  const name = opts.name ?? 'a';
  checkSquare(a, n, name);
  checkSize(n, 8, `${name} (eigendecomposition)`, { matrices: vectors ? 2 : 1, budget: opts.budget });
  checkFiniteSquare(a, n, name, true);
  const k = arena.k;
  const mark = arena.mark();
  try {
    // eigh_f64's workspace, its parts apart: the reduced matrix (reflectors), e, τ and scratch.
    const pw = arena.allocF64(n * n);
    const pe = arena.allocF64(n);
    const ptau = arena.allocF64(n);
    const pp = arena.allocF64(n);
    const pv = arena.allocF64(n);
    const pz = vectors ? arena.allocF64(n * n) : 0;
    // The checks' pass over A (n² values) apart from the first step of work.
    yield;
    yield* reduceSteps(arena, a, n, pw, pv, pe, ptau, pp);
    if (vectors) {
      // Z = I in row ranges (n² stores, the first touch of its memory).
      for (let i0 = 0; i0 < n; ) {
        const i1 = Math.min(n, i0 + Math.max(1, Math.floor(STEP_WORK / n)));
        k.eigh_f64_form_qt_init(pz, n, i0, i1);
        i0 = i1;
        yield;
      }
      // Qᵀ, k descending: reflector k costs ≈ 2(n − k − 1)².
      for (let k1 = n - 1; k1 > 0; ) {
        let k0 = k1;
        for (let work = 0; k0 > 0 && work < STEP_WORK; k0--) work += 2 * (n - k0) ** 2;
        k.eigh_f64_form_qt(pz, pw, ptau, n, k0, k1);
        k1 = k0;
        yield;
      }
    }
    yield* qlSteps(arena, pv, pe, pz, n, vectors, name);
    if (vectors) {
      // Row i swaps n − i − 1 pairs, one side strided (a cache miss each): counted 8 units a pair.
      for (let i0 = 0; i0 < n; ) {
        let i1 = i0;
        for (let work = 0; i1 < n && work < STEP_WORK; i1++) work += 8 * (n - i1);
        k.eigh_f64_transpose(pz, n, i0, i1);
        i0 = i1;
        yield;
      }
    }
    return { values: arena.getF64(pv, n), ...(vectors && { vectors: arena.getF64(pz, n * n) }) };
  } finally {
    arena.reset(mark);
  }
}

/**
 * (A + Aᵀ)/2's lower triangle into pw, then its Householder reduction to the tridiagonal (pv, pe)
 * with the reflectors left in pw and τ in ptau (pp: scratch): `eigh_f64`'s first stage, as steps.
 */
function* reduceSteps(arena: Arena, a: ArrayLike<number>, n: number, pw: number, pv: number, pe: number, ptau: number, pp: number): Work<void> {
  const k = arena.k;
  // Work units: 32 an element of the symmetrization, 2(n − k − 1)² + n for column k's reduction.
  const reduction = (c: number) => 2 * (n - c - 1) ** 2 + n;
  let total = 16 * n * (n + 1);
  for (let c = 0; c < n - 1; c++) total += reduction(c);
  let done = 0;
  // (A + Aᵀ)/2's lower triangle, the only part the core reads, in row ranges: a JavaScript loop
  // that reads A by columns too (and runs unoptimized on a first call), counted 32 units an element.
  for (let i0 = 0; i0 < n; ) {
    let i1 = i0;
    for (let work = 0; i1 < n && work < STEP_WORK; i1++) work += 32 * (i1 + 1);
    const m = arena.f64(pw, n * n);
    for (let i = i0; i < i1; i++) {
      for (let j = 0; j <= i; j++) m[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
      done += 32 * (i + 1);
    }
    i0 = i1;
    yield done / total;
  }
  const nb = k.eigh_f64_reduce_block(n);
  if (nb > 0) return yield* blockedReduceSteps(arena, n, pw, pv, pe, ptau, pp, nb, done, total);
  // Reduction: column k costs ≈ 2(n − k − 1)² (the symmetric product and the rank-2 update).
  for (let k0 = 0; ; ) {
    let k1 = k0;
    for (let work = 0; k1 < n - 1 && work < STEP_WORK; k1++) work += reduction(k1);
    k.eigh_f64_reduce(pw, pv, pe, ptau, pp, n, k0, k1); // the range reaching n − 1 stores d[n−1], e[n−1]
    for (let c = k0; c < k1; c++) done += reduction(c);
    yield Math.min(1, done / total);
    if (k1 >= n - 1) break;
    k0 = k1;
  }
}

/**
 * The core's blocked reduction (panels of nb columns, `eigh_f64_reduce_panel` then
 * `eigh_f64_reduce_update`) as steps of about STEP_WORK multiply-adds; its scratch (the panel's V and
 * W, 2·nb·n values) is freed at the end. Progress continues from `done` of `total` in the units of
 * reduceSteps, whose unblocked column costs ≈ 2(n − k − 1)² the blocked one's cover.
 */
function* blockedReduceSteps(arena: Arena, n: number, pw: number, pv: number, pe: number, ptau: number, pp: number, nb: number, done: number, total: number): Work<void> {
  const k = arena.k;
  const rest = total - done;
  // Column c: its product with the trailing matrix (m² for m = n − c − 1) and the panel's corrections;
  // the panel's update: 2·nb per element of the trailing lower triangle.
  const column = (c: number) => (n - c - 1) ** 2 + 4 * nb * (n - c);
  let units = 0;
  for (let k0 = 0; k0 < n - 1; k0 += nb) {
    const t0 = k0 + Math.min(nb, n - 1 - k0);
    for (let c = k0; c < t0; c++) units += column(c);
    units += nb * (n - t0) * (n - t0 + 1);
  }
  let spent = 0;
  const progress = () => Math.min(1, (done + (rest * spent) / units) / total);
  const mark = arena.mark();
  try {
    const py = arena.allocF64(k.eigh_f64_reduce_workspace(n));
    for (let k0 = 0; k0 < n - 1; k0 += nb) {
      const jb = Math.min(nb, n - 1 - k0);
      for (let j0 = 0; j0 < jb; ) {
        let j1 = j0;
        for (let work = 0; j1 < jb && work < STEP_WORK; j1++) work += column(k0 + j1);
        k.eigh_f64_reduce_panel(pw, pv, pe, ptau, pp, py, n, k0, j0, j1);
        for (let j = j0; j < j1; j++) spent += column(k0 + j);
        j0 = j1;
        yield progress();
      }
      const t0 = k0 + jb;
      for (let i0 = t0; i0 < n; ) {
        let i1 = i0;
        // Rows i0..i0+3 cost 2·nb·(i − t0 + 1) each.
        for (let work = 0; i1 < n && work < STEP_WORK; i1 += 4) work += 8 * nb * (i1 - t0 + 3);
        i1 = Math.min(i1, n);
        k.eigh_f64_reduce_update(pw, py, n, k0, i0, i1);
        spent += nb * ((i1 - t0) * (i1 - t0 + 1) - (i0 - t0) * (i0 - t0 + 1));
        i0 = i1;
        yield progress();
      }
    }
    k.eigh_f64_reduce(pw, pv, pe, ptau, pp, n, n - 1, n); // d[n−1] and e[n−1]
    yield 1;
  } finally {
    arena.reset(mark);
  }
}

/**
 * The QL iteration on the tridiagonal (pv, pe), rotating Z's rows when `vectors`, then the sort: the
 * eigenvalues ascending in pv (Z's rows moved along), as steps.
 */
function* qlSteps(arena: Arena, pv: number, pe: number, pz: number, n: number, vectors: boolean, name: string): Work<void> {
  const k = arena.k;
  // QL: whole eigenvalues per call, until the core has spent the step's budget.
  const floor = k.eigh_f64_ql_floor(pv, pe, n);
  const budget = Math.max(1, Math.floor(STEP_WORK / qlUnitCost(n, vectors)));
  for (let l = 0; l < n; ) {
    l = k.eigh_f64_ql(pv, pe, pz, n, floor, l, budget);
    if (l < 0) {
      throw new BdlError(
        'E_NONFINITE',
        `${name}: expected the QL iteration to converge, found eigenvalue ${-l - 1} unconverged after 60 sweeps. Rescale the matrix (entries near the f64 range limits) and retry.`,
        name,
      );
    }
    // Eigenvalues found over all: the sort after it is a small part.
    yield l / n;
  }
  // Selection sort: position i scans n − i values and, with vectors, may swap two rows of n.
  for (let i0 = 0; i0 < n - 1; ) {
    let i1 = i0;
    for (let work = 0; i1 < n - 1 && work < STEP_WORK; i1++) work += n - i1 + (vectors ? 2 * n : 0);
    k.eigh_f64_sort(pv, pz, n, i0, i1);
    i0 = i1;
    yield;
  }
}

/**
 * A = Q·T·Qᵀ kept as the reduction leaves it: T's diagonal `d` and off-diagonal `e` (e[i] = T[i][i+1],
 * e[n−1] = 0), and, in the arena, Q's reflectors (`w`, n×n: v_k in row k right of the diagonal) and
 * τ (`tau`, n). For a family of shifted systems (s·A + λI)⁻¹ = Q·(s·T + λI)⁻¹·Qᵀ: one reduction, no
 * eigenvectors (forming Q and rotating it: several times the blocked reduction's time at n = 3,151).
 */
export interface Tridiagonal {
  readonly n: number;
  readonly d: Float64Array;
  readonly e: Float64Array;
  readonly w: number;
  readonly tau: number;
}

/**
 * The reduction of symmetric A (n×n row-major, symmetrized as (A + Aᵀ)/2) as steps: `eigh`'s first
 * stage, the same bits. Its arena memory is allocated on the caller's mark and kept (the reflectors
 * are the result): the caller resets it.
 */
export function* tridiagonalSteps(arena: Arena, a: ArrayLike<number>, n: number, opts: { budget?: number; name?: string } = {}): Work<Tridiagonal> {
  const name = opts.name ?? 'a';
  checkSquare(a, n, name);
  checkSize(n, 8, `${name} (tridiagonalization)`, { budget: opts.budget });
  checkFiniteSquare(a, n, name, true);
  const w = arena.allocF64(n * n);
  const pe = arena.allocF64(n);
  const tau = arena.allocF64(n);
  const pp = arena.allocF64(n);
  const pv = arena.allocF64(n);
  yield;
  yield* reduceSteps(arena, a, n, w, pv, pe, tau, pp);
  return { n, d: arena.getF64(pv, n), e: arena.getF64(pe, n), w, tau };
}

/** The eigenvalues of T (ascending) as steps: with T from `tridiagonalSteps(a)`, the bits of `eigvalsh(a)`. */
export function* tridiagonalEigenvalueSteps(arena: Arena, t: Tridiagonal, name = 'a'): Work<Float64Array> {
  const mark = arena.mark();
  try {
    const pv = arena.putF64(t.d);
    const pe = arena.putF64(t.e);
    yield* qlSteps(arena, pv, pe, 0, t.n, false, name);
    return arena.getF64(pv, t.n);
  } finally {
    arena.reset(mark);
  }
}

/** X ← X·Q in place for `rows` rows of X (n wide, at arena address x), as steps over Q's reflectors. */
export function* applyQSteps(arena: Arena, t: Tridiagonal, x: number, rows: number): Work<void> {
  const n = t.n;
  for (let k0 = 0; k0 < n - 1; ) {
    let k1 = k0;
    for (let work = 0; k1 < n - 1 && work < STEP_WORK; k1++) work += 2 * rows * (n - k1);
    arena.k.householder_apply_rows_f64(x, rows, t.w, t.tau, n, k0, k1);
    k0 = k1;
    yield;
  }
}

/** Runs steps to their end without yielding (the synchronous form of a stepwise computation). */
function drain<T>(g: Work<T>): T {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

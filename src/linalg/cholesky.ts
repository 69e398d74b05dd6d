/**
 * Cholesky factorization and what follows from the factor (solves, inverse, log-determinant),
 * over the compute core's f64 kernels. Inputs are copied into the arena; nothing the caller passed
 * is modified, and every result is a fresh Float64Array.
 */
import { argError, BdlError, describe } from '../errors.js';
import type { Arena } from '../wasm/arena.js';
import type { Work } from './work.js';
import { checkSize, type SizeOptions } from './memory.js';
import { checkFiniteSquare, checkSquare } from './validate.js';
import * as exact from '../random/exact-math.js';

export interface CholeskyOptions {
  /**
   * Base relative jitter ε (default 1e-10). When A is not numerically positive definite, the
   * factorization is retried on A + ε·mean(diag A)·10^k·I for k = 0, 1, …, `maxTries` − 1.
   * `false` disables the retries.
   */
  jitter?: number | false;
  /** Retries with growing jitter (default 7: up to 1e-4·mean(diag) with the default ε). */
  maxTries?: number;
  /** Memory budget in bytes (see checkSize). */
  budget?: SizeOptions['budget'];
  /** The argument's name in error messages (default "a"). */
  name?: string;
}

export interface CholeskyResult {
  /** Lower factor, n×n row-major with a zero upper triangle: L·Lᵀ = A + jitter·I. */
  l: Float64Array;
  /** The absolute amount added to the diagonal: 0 when A factored as given. */
  jitter: number;
}

const DEFAULT_JITTER = 1e-10;
const DEFAULT_TRIES = 7;

/**
 * Factors the symmetric positive-definite A (n×n, row-major; only its lower triangle is read) as
 * L·Lᵀ. A matrix that is PSD but numerically singular is retried with a growing diagonal jitter,
 * and the jitter actually used is REPORTED in the result, so callers can tell the user. Throws
 * BdlError('E_NOT_PD') if no tried jitter helps, E_NONFINITE on NaN/∞, E_MEMORY when n is too large.
 */
export function cholesky(arena: Arena, a: ArrayLike<number>, n: number, opts: CholeskyOptions = {}): CholeskyResult {
  return drain(choleskySteps(arena, a, n, opts));
}

/**
 * `cholesky` as steps of about STEP_WORK multiply-adds each (the core's blocked factorization run
 * panel by panel, its trailing updates a few rows at a time): the same operations in the same
 * order, so the same bits. It keeps the matrix in the arena between steps, so whoever suspends it
 * must be the only work keeping arena memory across awaits (posterior/arena-hold.ts); closing the
 * generator early frees that memory.
 */
export function* choleskySteps(arena: Arena, a: ArrayLike<number>, n: number, opts: CholeskyOptions = {}): Work<CholeskyResult> {
  const name = opts.name ?? 'a';
  checkSquare(a, n, name);
  checkSize(n, 8, `${name} (Cholesky)`, { budget: opts.budget });
  checkFiniteSquare(a, n, name, false);
  const eps = opts.jitter === false ? 0 : (opts.jitter ?? DEFAULT_JITTER);
  const tries = opts.jitter === false ? 0 : (opts.maxTries ?? DEFAULT_TRIES);
  if (!(eps >= 0) || !Number.isFinite(eps)) {
    throw argError('E_ARG', 'jitter', 'a non-negative number or false', describe(opts.jitter), 'Use e.g. 1e-10 (relative to the mean diagonal).');
  }

  let meanDiag = 0;
  for (let i = 0; i < n; i++) meanDiag += Math.abs(a[i * n + i]) / n;
  const scale = meanDiag > 0 ? meanDiag : 1;
  // The checks' pass over A apart from its copy into the arena (each ~10⁷ values at n = 3,151).
  yield;

  const mark = arena.mark();
  try {
    // One n×n region, factored in place; a retry copies A in again (O(n²), cheap next to O(n³)).
    const p = arena.putF64(a);
    yield;
    let info = yield* factorSteps(arena, p, n);
    let jitter = 0;
    for (let k = 0; info !== 0 && k < tries; k++) {
      jitter = eps * scale * 10 ** k;
      arena.putF64(a, p);
      const m = arena.f64(p, n * n);
      for (let i = 0; i < n; i++) m[i * n + i] += jitter;
      yield;
      info = yield* factorSteps(arena, p, n);
    }
    if (info !== 0) {
      const tried = jitter > 0 ? `even after adding up to ${jitter.toExponential(2)}·I (${(jitter / scale).toExponential(0)} × mean diagonal)` : 'with jitter retries disabled';
      throw new BdlError(
        'E_NOT_PD',
        `${name}: expected a symmetric positive-definite ${n}×${n} matrix, found a non-positive pivot at row ${info - 1} ${tried}. ` +
          'Check the matrix for asymmetry or wrong values, increase the prior precision, or use a positive semi-definite curvature (GGN or empirical Fisher).',
        name,
      );
    }
    // The last panel's step apart from the copy out (8n² bytes).
    yield;
    return { l: arena.getF64(p, n * n), jitter };
  } finally {
    arena.reset(mark);
  }
}

/** Multiply-adds per step: a few milliseconds of the core's f64 work. */
const STEP_WORK = 1 << 22;

/**
 * `cholesky_f64` in place at p, as the core's steps: per panel of NB columns, the panel (one step),
 * then its trailing update in row ranges of about STEP_WORK multiply-adds that start at multiples
 * of 4 after the panel (the core's 4-row tiles). Returns the core's info (0, or failing row + 1).
 * No checks, no jitter: for a caller that owns the matrix in the arena.
 */
export function* factorSteps(arena: Arena, p: number, n: number): Work<number> {
  const k = arena.k;
  const NB = k.cholesky_f64_block();
  // The share of the work done once the first c columns are factored: the rest is (n − c)³/3.
  const done = (c: number) => 1 - (1 - Math.min(c, n) / n) ** 3;
  k.cholesky_f64_prepare(p, p, n);
  for (let k0 = 0; k0 < n; k0 += NB) {
    const info = k.cholesky_f64_panel(p, n, k0);
    if (info !== 0) return info;
    yield done(k0);
    const t0 = k0 + NB;
    for (let i0 = t0; i0 < n; ) {
      let i1 = i0;
      // Row i's update costs (i − t0 + 1)·NB multiply-adds.
      for (let work = 0; i1 < n && work < STEP_WORK; i1 += 4) work += 4 * (i1 - t0 + 3) * NB;
      i1 = Math.min(i1, n);
      k.cholesky_f64_update(p, n, k0, i0, i1);
      i0 = i1;
      yield done(k0) + (done(t0) - done(k0)) * ((i1 - t0) / (n - t0)) ** 2;
    }
  }
  return 0;
}

/**
 * X ← L⁻¹·X (trans 0) or L⁻ᵀ·X (trans 1) in place at arena addresses (L n×n lower, X n×nrhs), as
 * steps of about STEP_WORK multiply-adds. trans 1 gives the bits of one `trsm_f64_lower` call; trans 0
 * with several right-hand sides runs the core's blocked solve (`blockedSolveSteps`), whose rounding
 * differs from `trsm_f64_lower`'s in the last bits.
 */
export function* triangularSolveSteps(arena: Arena, x: number, l: number, n: number, nrhs: number, trans: 0 | 1): Work<void> {
  const k = arena.k;
  // One right-hand side is the core's trsv (different arithmetic): O(n²), one step.
  if (nrhs === 1) {
    k.trsm_f64_lower(x, l, x, n, 1, trans);
    return;
  }
  if (trans === 0) return yield* blockedSolveSteps(arena, x, l, n, nrhs);
  for (let t0 = 0; t0 < n; ) {
    let t1 = t0;
    // Step t touches row i = n − 1 − t, at i·nrhs multiply-adds.
    for (let work = 0; t1 < n && work < STEP_WORK; t1++) work += (n - t1) * nrhs;
    k.trsm_f64_lower_rows(x, l, n, nrhs, trans, t0, t1);
    t0 = t1;
    yield;
  }
}

/**
 * X ← L⁻¹·X by block rows of the core's `trsm_f64_block()`: each block row's product with the rows
 * before it (level 3) in ranges of its column blocks of about STEP_WORK multiply-adds, then its
 * triangle. Yields the share of the work done.
 */
function* blockedSolveSteps(arena: Arena, x: number, l: number, n: number, nrhs: number): Work<void> {
  const k = arena.k;
  const TB = k.trsm_f64_block();
  const NC = k.trsm_f64_product_block();
  const blocks = Math.ceil(nrhs / NC);
  const total = (n * n * nrhs) / 2;
  const mark = arena.mark();
  try {
    const scratch = arena.allocF64(k.trsm_f64_block_workspace());
    for (let i0 = 0; i0 < n; i0 += TB) {
      const rows = Math.min(TB, n - i0);
      // A column block of the product costs rows·i0·NC multiply-adds.
      const per = Math.max(1, Math.floor(STEP_WORK / Math.max(1, rows * i0 * NC)));
      for (let j0 = 0; i0 > 0 && j0 < blocks; j0 += per) {
        k.trsm_f64_lower_block_product(x, l, n, nrhs, i0, j0, j0 + per, scratch);
        yield Math.min(1, ((i0 * i0 + 2 * i0 * rows * Math.min(1, (j0 + per) / blocks)) * nrhs) / 2 / total);
      }
      k.trsm_f64_lower_block_diag(x, l, n, nrhs, i0);
    }
  } finally {
    arena.reset(mark);
  }
}

/**
 * X = L⁻ᵀ written at x (n×n; L n×n lower at l), as steps: the core's blocked inverse, bottom block row
 * first (`trtri_f64_lower_t_block_product` in ranges of its column blocks of about STEP_WORK
 * multiply-adds, then `trtri_f64_lower_t_block_diag`). Its rounding differs in the last bits from
 * `triangularSolveSteps(arena, x, l, n, n, 1)` on the identity; it runs at the Cholesky's speed
 * (the row-by-row solve streamed X once per row: ~5× slower at n = 3,151).
 */
export function* inverseTransposeSteps(arena: Arena, x: number, l: number, n: number): Work<void> {
  const k = arena.k;
  const I = arena.f64(x, n * n);
  I.fill(0);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  yield;
  const TB = k.trsm_f64_block();
  const NC = k.trsm_f64_product_block();
  // Block row i0 costs about rows·m²/2 multiply-adds (m = n − c0: X's rows below are triangular), its triangle rows²·(n − i0).
  const cost = (i0: number) => {
    const c0 = Math.min(i0 + TB, n);
    return ((c0 - i0) * (n - c0) ** 2) / 2 + (c0 - i0) ** 2 * (n - i0);
  };
  const last = Math.floor((n - 1) / TB) * TB;
  let total = 0;
  for (let i0 = last; i0 >= 0; i0 -= TB) total += cost(i0);
  let done = 0;
  const mark = arena.mark();
  try {
    const scratch = arena.allocF64(k.trsm_f64_block_workspace());
    for (let i0 = last; i0 >= 0; i0 -= TB) {
      const rows = Math.min(TB, n - i0);
      const m = n - i0 - rows;
      const blocks = Math.ceil(m / NC);
      for (let j0 = 0; j0 < blocks; ) {
        let j1 = j0;
        // Column block j costs about rows·NC·min(m, (j + 1)·NC) (the triangle of X's rows below).
        for (let work = 0; j1 < blocks && work < STEP_WORK; j1++) work += rows * NC * Math.min(m, (j1 + 1) * NC);
        k.trtri_f64_lower_t_block_product(x, l, n, i0, j0, j1, scratch);
        j0 = j1;
        yield Math.min(1, (done + (cost(i0) * j1) / blocks) / total);
      }
      k.trtri_f64_lower_t_block_diag(x, l, n, i0);
      done += cost(i0);
      yield Math.min(1, done / total);
    }
  } finally {
    arena.reset(mark);
  }
}

/** Runs steps to their end without yielding (the synchronous form of a stepwise computation). */
function drain<T>(g: Work<T>): T {
  for (;;) {
    const r = g.next();
    if (r.done) return r.value;
  }
}

/** X = A⁻¹·B from A's Cholesky factor L; b holds n values or an n×nrhs row-major matrix. */
export function solve(arena: Arena, l: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  checkSquare(l, n, 'l');
  if (b.length === 0 || b.length % n !== 0) {
    throw argError('E_SHAPE', 'b', `a multiple of n = ${n} values (n×nrhs, row-major)`, describe(b), 'Pass one right-hand side per column.');
  }
  const nrhs = b.length / n;
  const mark = arena.mark();
  try {
    const pl = arena.putF64(l);
    const pb = arena.putF64(b);
    arena.k.chol_solve_f64(pb, pl, pb, n, nrhs);
    return arena.getF64(pb, b.length);
  } finally {
    arena.reset(mark);
  }
}

/** A⁻¹ (full symmetric n×n) from A's Cholesky factor L. */
export function inverse(arena: Arena, l: ArrayLike<number>, n: number, opts: { budget?: number } = {}): Float64Array {
  checkSquare(l, n, 'l');
  checkSize(n, 8, 'inverse', { budget: opts.budget });
  const mark = arena.mark();
  try {
    const p = arena.putF64(l);
    arena.k.chol_inverse_f64(p, p, n);
    return arena.getF64(p, n * n);
  } finally {
    arena.reset(mark);
  }
}

/** log det A = 2·Σ log L[i][i] from A's Cholesky factor L. */
export function logdet(l: ArrayLike<number>, n: number): number {
  checkSquare(l, n, 'l');
  let s = 0;
  for (let i = 0; i < n; i++) s += exact.log(l[i * n + i]);
  return 2 * s;
}

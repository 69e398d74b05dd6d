/**
 * Cholesky factorization and what follows from the factor (solves, inverse, log-determinant),
 * over the compute core's f64 kernels. Inputs are copied into the arena; nothing the caller passed
 * is modified, and every result is a fresh Float64Array.
 */
import { argError, BdlError, describe } from '../errors.js';
import type { Arena } from '../wasm/arena.js';
import { checkSize, type SizeOptions } from './memory.js';
import { checkFiniteSquare, checkSquare } from './validate.js';

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

  const mark = arena.mark();
  try {
    // One n×n region, factored in place; a retry copies A in again (O(n²), cheap next to O(n³)).
    const p = arena.putF64(a);
    let info = arena.k.cholesky_f64(p, p, n);
    let jitter = 0;
    for (let k = 0; info !== 0 && k < tries; k++) {
      jitter = eps * scale * 10 ** k;
      arena.putF64(a, p);
      const m = arena.f64(p, n * n);
      for (let i = 0; i < n; i++) m[i * n + i] += jitter;
      info = arena.k.cholesky_f64(p, p, n);
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
    return { l: arena.getF64(p, n * n), jitter };
  } finally {
    arena.reset(mark);
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
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]);
  return 2 * s;
}

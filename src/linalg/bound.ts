/** The linalg wrappers bound to one arena, for code that keeps a single arena per worker. */
import type { Arena } from '../wasm/arena.js';
import { cholesky, inverse, logdet, solve, type CholeskyOptions, type CholeskyResult } from './cholesky.js';
import { eigh, eigvalsh, type EighResult } from './eigh.js';

export interface Linalg {
  cholesky(a: ArrayLike<number>, n: number, opts?: CholeskyOptions): CholeskyResult;
  solve(l: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array;
  inverse(l: ArrayLike<number>, n: number, opts?: { budget?: number }): Float64Array;
  logdet(l: ArrayLike<number>, n: number): number;
  eigh(a: ArrayLike<number>, n: number, opts?: { budget?: number; name?: string }): EighResult;
  eigvalsh(a: ArrayLike<number>, n: number, opts?: { budget?: number; name?: string }): Float64Array;
}

/** `linalg(arena).cholesky(a, n, { jitter })` and friends: the functions of this module, arena bound. */
export function linalg(arena: Arena): Linalg {
  return {
    cholesky: (a, n, opts) => cholesky(arena, a, n, opts),
    solve: (l, b, n) => solve(arena, l, b, n),
    inverse: (l, n, opts) => inverse(arena, l, n, opts),
    logdet,
    eigh: (a, n, opts) => eigh(arena, a, n, opts),
    eigvalsh: (a, n, opts) => eigvalsh(arena, a, n, opts),
  };
}

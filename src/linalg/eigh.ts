/** Symmetric eigendecomposition over the compute core (Householder tridiagonalization + implicit QL). */
import { BdlError } from '../errors.js';
import type { Arena } from '../wasm/arena.js';
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
  return decompose(arena, a, n, true, opts) as EighResult;
}

/** The eigenvalues of symmetric A, ascending: `eigh` without the O(n³) of the eigenvectors (about 2× faster at n = 1000). */
export function eigvalsh(arena: Arena, a: ArrayLike<number>, n: number, opts: { budget?: number; name?: string } = {}): Float64Array {
  return decompose(arena, a, n, false, opts).values;
}

function decompose(arena: Arena, a: ArrayLike<number>, n: number, vectors: boolean, opts: { budget?: number; name?: string }): { values: Float64Array; vectors?: Float64Array } {
  const name = opts.name ?? 'a';
  checkSquare(a, n, name);
  checkSize(n, 8, `${name} (eigendecomposition)`, { matrices: vectors ? 2 : 1, budget: opts.budget });
  checkFiniteSquare(a, n, name, true);
  const mark = arena.mark();
  try {
    // The symmetrized copy goes straight into the workspace (a == work: the kernel skips its copy).
    const pw = arena.allocF64(arena.k.eigh_workspace_f64(n));
    const pv = arena.allocF64(n);
    const pz = vectors ? arena.allocF64(n * n) : 0;
    const m = arena.f64(pw, n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const s = 0.5 * (a[i * n + j] + a[j * n + i]);
        m[i * n + j] = s;
        m[j * n + i] = s;
      }
    }
    const info = arena.k.eigh_f64(pv, pz, pw, n, pw);
    if (info !== 0) {
      throw new BdlError(
        'E_NONFINITE',
        `${name}: expected the QL iteration to converge, found eigenvalue ${info - 1} unconverged after 60 sweeps. Rescale the matrix (entries near the f64 range limits) and retry.`,
        name,
      );
    }
    return { values: arena.getF64(pv, n), ...(vectors && { vectors: arena.getF64(pz, n * n) }) };
  } finally {
    arena.reset(mark);
  }
}

/** Multivariate normal draws from a Cholesky factor of the covariance or of the precision. */
import { argError, describe } from '../errors.js';
import type { Arena } from '../wasm/arena.js';

/** n, the number of draws, after checking mean / l / z shapes. */
function checkDraws(mean: ArrayLike<number>, l: ArrayLike<number>, z: ArrayLike<number>, factorOf: string): [number, number] {
  const n = mean.length;
  if (n === 0) throw argError('E_SHAPE', 'mean', 'at least one value', describe(mean), 'Pass the mean vector.');
  if (l.length !== n * n) {
    throw argError('E_SHAPE', 'l', `${n * n} values (n×n lower factor for a mean of length ${n})`, describe(l), `Pass the Cholesky factor of the ${factorOf}.`);
  }
  if (z.length === 0 || z.length % n !== 0) {
    throw argError('E_SHAPE', 'z', `a multiple of ${n} values (one row of standard normals per draw)`, describe(z), 'Draw s·n standard normals for s samples.');
  }
  return [n, z.length / n];
}

/**
 * x = mean + L·z: a draw from N(mean, L·Lᵀ) for standard-normal z, L the Cholesky factor of the
 * COVARIANCE. z may hold several draws (s·n values, one per row); the result has the same layout.
 * Note L·z, not zᵀ·L: the latter has covariance Lᵀ·L, the wrong matrix.
 */
export function sampleMvn(mean: ArrayLike<number>, l: ArrayLike<number>, z: ArrayLike<number>): Float64Array {
  const [n, draws] = checkDraws(mean, l, z, 'covariance');
  const x = new Float64Array(z.length);
  for (let s = 0; s < draws; s++) {
    const o = s * n;
    for (let i = 0; i < n; i++) {
      let v = mean[i];
      const row = i * n;
      for (let j = 0; j <= i; j++) v += l[row + j] * z[o + j];
      x[o + i] = v;
    }
  }
  return x;
}

/**
 * x = mean + L⁻ᵀ·z: a draw from N(mean, P⁻¹) where L is the Cholesky factor of the PRECISION P
 * (as a Laplace posterior has it), without ever forming P⁻¹. Cov(L⁻ᵀz) = L⁻ᵀL⁻¹ = (L·Lᵀ)⁻¹.
 * Layout as in sampleMvn: z holds s draws of n values, one per row.
 */
export function sampleMvnPrecision(arena: Arena, mean: ArrayLike<number>, l: ArrayLike<number>, z: ArrayLike<number>): Float64Array {
  const [n, draws] = checkDraws(mean, l, z, 'precision');
  const mark = arena.mark();
  try {
    const pl = arena.putF64(l);
    // The solve wants one draw per column (n×draws); z has one per row.
    const pz = arena.allocF64(z.length);
    const zt = arena.f64(pz, z.length);
    for (let s = 0; s < draws; s++) for (let i = 0; i < n; i++) zt[i * draws + s] = z[s * n + i];
    arena.k.trsm_f64_lower(pz, pl, pz, n, draws, 1);
    const y = arena.f64(pz, z.length);
    const x = new Float64Array(z.length);
    for (let s = 0; s < draws; s++) for (let i = 0; i < n; i++) x[s * n + i] = mean[i] + y[i * draws + s];
    return x;
  } finally {
    arena.reset(mark);
  }
}

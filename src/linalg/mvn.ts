/** Multivariate normal draws from a Cholesky factor. */
import { argError, describe } from '../errors.js';

/**
 * x = mean + L·z: a draw from N(mean, L·Lᵀ) for standard-normal z. z may hold several draws
 * (s·n values, one per row); the result has the same layout. Note L·z, not zᵀ·L: the latter has
 * covariance Lᵀ·L, the wrong matrix.
 */
export function sampleMvn(mean: ArrayLike<number>, l: ArrayLike<number>, z: ArrayLike<number>): Float64Array {
  const n = mean.length;
  if (n === 0) throw argError('E_SHAPE', 'mean', 'at least one value', describe(mean), 'Pass the mean vector.');
  if (l.length !== n * n) {
    throw argError('E_SHAPE', 'l', `${n * n} values (n×n lower factor for a mean of length ${n})`, describe(l), 'Pass the Cholesky factor of the covariance.');
  }
  if (z.length === 0 || z.length % n !== 0) {
    throw argError('E_SHAPE', 'z', `a multiple of ${n} values (one row of standard normals per draw)`, describe(z), 'Draw s·n standard normals for s samples.');
  }
  const draws = z.length / n;
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

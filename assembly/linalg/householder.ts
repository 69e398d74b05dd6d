// Applying the Householder reflectors of a tridiagonalization (eigh_f64_reduce) to the rows of another
// matrix, without forming Q: what a caller needs when A = Q·T·Qᵀ is used only through products x·Q.
import { at, reflectRows } from './simd64';

/**
 * X ← X·H_{k0}·…·H_{k1−1} (k ascending, k < n − 1) for `rows` rows of X (n wide, row-major), where
 * H_k = I − τ_k·v_k·v_kᵀ acts on indices k+1…n−1 and v_k (v_k[0] = 1) is stored in row k of w right
 * of the diagonal, as eigh_f64_reduce leaves it. Over k = 0…n−2 this is X·Q with A = Q·T·Qᵀ.
 * Reflector-major: each v_k is read once for all the rows.
 */
export function householder_apply_rows_f64(x: usize, rows: i32, w: usize, tau: usize, n: i32, k0: i32, k1: i32): void {
  const last = min(k1, n - 1);
  for (let k = k0; k < last; k++) {
    const t = load<f64>(tau + at(k));
    if (t == 0) continue;
    reflectRows(x + at(k + 1), rows, at(n), w + at(k * n + k + 1), t, n - k - 1);
  }
}

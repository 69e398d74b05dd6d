// Boundary checks shared by the linalg wrappers: shapes and finiteness, before any work starts.
import { argError, describe } from '../errors.js';

/** n must be a positive integer and a must hold n·n values. */
export function checkSquare(a: ArrayLike<number>, n: number, name: string): void {
  if (!Number.isInteger(n) || n < 1) {
    throw argError('E_SHAPE', 'n', 'a positive integer matrix order', describe(n), 'Pass the number of rows of the square matrix.');
  }
  if (a.length !== n * n) {
    throw argError('E_SHAPE', name, `${n * n} values (an ${n}×${n} row-major matrix)`, `${describe(a)}`, `Pass the full square matrix, row-major.`);
  }
}

/** Every value of the lower triangle (or of the whole matrix with `full`) must be finite. */
export function checkFiniteSquare(a: ArrayLike<number>, n: number, name: string, full: boolean): void {
  for (let i = 0; i < n; i++) {
    const jend = full ? n : i + 1;
    for (let j = 0; j < jend; j++) {
      const v = a[i * n + j];
      if (!Number.isFinite(v)) {
        throw argError('E_NONFINITE', name, 'finite values', `${v} at row ${i}, column ${j}`, 'Check the computation that produced the matrix (overflow, a division by zero, or a NaN loss).');
      }
    }
  }
}

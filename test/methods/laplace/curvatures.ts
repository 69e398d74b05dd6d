// Test curvatures for the Laplace tests (not a test file).
import type { Rng } from '../../../src/random/index.js';

/** Bᵀ·B for B rows×n of standard normals: PSD, singular when rows < n (as a curvature from few rows is). */
export function gram(rows: number, n: number, rng: Rng, scale = 1): Float64Array {
  const b = Float64Array.from({ length: rows * n }, () => rng.normal());
  const g = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    let s = 0;
    for (let r = 0; r < rows; r++) s += b[r * n + i] * b[r * n + j];
    g[i * n + j] = scale * s;
  }
  return g;
}

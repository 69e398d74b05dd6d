// Friedman #1 with heteroscedastic noise (the regression set of bench/torch_e2e.py, drawn here with
// Philox so it needs no Python): x ~ U(0,1)^10, y = 10 sin(π x1 x2) + 20 (x3 − ½)² + 10 x4 + 5 x5 + ε,
// ε ~ N(0, (½ + 2 x6)²). x7…x10 are noise inputs. Train rows: seed 1; test rows: seed 2 (fixed).
import { makeDataset } from '../dist/index.js';
import { Rng } from '../dist/advanced.js';

export function friedman(n, seed) {
  const rng = new Rng(seed, n);
  const x = new Float32Array(n * 10);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = x.subarray(10 * i, 10 * i + 10);
    for (let j = 0; j < 10; j++) r[j] = rng.uniform();
    const m = 10 * Math.sin(Math.PI * r[0] * r[1]) + 20 * (r[2] - 0.5) ** 2 + 10 * r[3] + 5 * r[4];
    y[i] = m + rng.normal() * (0.5 + 2 * r[5]);
  }
  return makeDataset({ data: x, cols: 10 }, y, `friedman${n}`);
}

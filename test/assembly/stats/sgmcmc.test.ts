import { describe, expect, it } from 'vitest';
import { Arena } from '../../../src/wasm/index.js';

function values(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 4 - 2);
}

describe('SG-MCMC update kernels against float64 references', () => {
  for (const n of [1, 3, 7, 13, 129]) {
    it(`psgld_f32 and sghmc_f32 on ${n} values`, async () => {
      const a = await Arena.create();
      const g = values(n, n), v0 = values(n, n + 1).map(Math.abs), xi = values(n, n + 2);
      const [alpha, eps, noise] = [0.99, 1e-5, 0.3];
      const u = a.putF32(g), v = a.putF32(v0), x = a.putF32(xi);
      a.k.psgld_f32(u, v, x, n, alpha, 0.5, eps, noise);
      const U = a.getF32(u, n), V = a.getF32(v, n);
      for (let i = 0; i < n; i++) {
        const vi = alpha * v0[i] + (1 - alpha) * g[i] ** 2;
        const G = 1 / (Math.sqrt(vi / 0.5) + eps);
        expect(V[i]).toBeCloseTo(vi, 6);
        const ui = G * g[i] + noise * Math.sqrt(G) * xi[i];
        expect(Math.abs(U[i] - ui)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(ui)));
      }

      const [keep, lr] = [0.95, 0.01];
      const u2 = a.putF32(g), w = a.putF32(v0);
      a.k.sghmc_f32(u2, w, x, n, keep, lr, noise);
      const U2 = a.getF32(u2, n), W = a.getF32(w, n);
      for (let i = 0; i < n; i++) {
        const wi = keep * v0[i] - lr * g[i] + noise * xi[i];
        expect(Math.abs(W[i] - wi)).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(wi)));
        expect(Math.abs(U2[i] + wi / lr)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(wi / lr)));
      }
    });
  }
});

import { describe, expect, it } from 'vitest';
import { Arena } from '../../../src/wasm/index.js';

function values(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 4 - 2);
}

describe('optimizer kernels against float64 references', () => {
  for (const n of [1, 3, 4, 7, 13, 129]) {
    it(`adam_f32, momentum_f32 and sumsq_f32 on ${n} values`, async () => {
      const a = await Arena.create();
      const g = values(n, n), m0 = values(n, n + 1), v0 = values(n, n + 2).map(Math.abs);
      const [b1, b2, eps, t] = [0.9, 0.999, 1e-8, 3];
      const bc1 = 1 - b1 ** t, bc2 = 1 - b2 ** t;
      const u = a.putF32(g), m = a.putF32(m0), v = a.putF32(v0);
      a.k.adam_f32(u, m, v, n, b1, b2, eps, bc1, bc2);
      const U = a.f32(u, n), M = a.f32(m, n), V = a.f32(v, n);
      for (let i = 0; i < n; i++) {
        const mi = b1 * m0[i] + (1 - b1) * g[i];
        const vi = b2 * v0[i] + (1 - b2) * g[i] * g[i];
        expect(M[i]).toBeCloseTo(mi, 5);
        expect(V[i]).toBeCloseTo(vi, 5);
        const ui = mi / bc1 / (Math.sqrt(vi / bc2) + eps);
        expect(Math.abs(U[i] - ui)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(ui)));
      }

      for (const nesterov of [0, 1]) {
        const u2 = a.putF32(g), buf = a.putF32(m0);
        a.k.momentum_f32(u2, buf, n, 0.9, nesterov);
        const U2 = a.f32(u2, n);
        for (let i = 0; i < n; i++) {
          const b = 0.9 * m0[i] + g[i];
          expect(U2[i]).toBeCloseTo(nesterov ? g[i] + 0.9 * b : b, 5);
        }
      }

      const ref = g.reduce((s, x) => s + x * x, 0);
      expect(Math.abs(a.k.sumsq_f32(a.putF32(g), n) - ref)).toBeLessThanOrEqual(1e-6 * ref);
    });
  }
});

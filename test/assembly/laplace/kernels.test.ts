import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/random/index.js';
import { Arena } from '../../../src/wasm/index.js';

let a: Arena;
beforeAll(async () => {
  a = await Arena.create();
});
const rnd = (n: number, seed: number) => {
  const r = new Rng(seed);
  return Float32Array.from({ length: n }, () => 2 * r.uniform() - 1);
};
const SHAPES: [number, number][] = [[1, 1], [7, 13], [13, 7], [37, 5], [4, 129]];
const close = (got: ArrayLike<number>, want: ArrayLike<number>, tol: number) => {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[i])));
};

describe('laplace kernels vs float64 references', () => {
  it.each(SHAPES)('append_ones_f32 %i×%i', (m, n) => {
    const mark = a.mark();
    const x = rnd(m * n, 1);
    const out = a.allocF32(m * (n + 1));
    a.k.append_ones_f32(out, a.putF32(x), m, n);
    const want = new Float32Array(m * (n + 1));
    for (let r = 0; r < m; r++) { for (let j = 0; j < n; j++) want[r * (n + 1) + j] = x[r * n + j]; want[r * (n + 1) + n] = 1; }
    expect(Array.from(a.getF32(out, m * (n + 1)))).toEqual(Array.from(want));
    a.reset(mark);
  });

  it.each(SHAPES)('outer_gather_f32 %i×%i', (m, n) => {
    const mark = a.mark();
    const A = rnd(m * n, 2), D = rnd(m * 3, 3);
    const ii = Int32Array.from({ length: 5 }, (_, k) => (k * 7) % n), jj = Int32Array.from({ length: 5 }, (_, k) => k % 3);
    const pii = a.alloc(20), pjj = a.alloc(20);
    new Int32Array(a.memory.buffer, pii, 5).set(ii);
    new Int32Array(a.memory.buffer, pjj, 5).set(jj);
    const out = a.allocF32(m * 6);
    a.k.outer_gather_f32(out, 6, a.putF32(A), n, a.putF32(D), 3, m, pii, pjj, 5);
    const got = a.getF32(out, m * 6);
    const want = new Float32Array(m * 6);
    for (let r = 0; r < m; r++) for (let k = 0; k < 5; k++) want[r * 6 + k] = A[r * n + ii[k]] * D[r * 3 + jj[k]];
    close(got, want, 1e-7);
    a.reset(mark);
  });

  it.each(SHAPES)('scale_rows_f32 %i×%i (strided weights)', (m, n) => {
    const mark = a.mark();
    const A = rnd(m * n, 4), s = rnd(m * 3, 5);
    const out = a.allocF32(m * n);
    a.k.scale_rows_f32(out, a.putF32(A), a.putF32(s) + 4, 3, m, n);
    close(a.getF32(out, m * n), Float64Array.from(A, (v, i) => v * s[Math.floor(i / n) * 3 + 1]), 1e-7);
    a.reset(mark);
  });

  it.each([[1, 1], [5, 3], [7, 2]])('kron_scatter_add_f64 n=%i K=%i, all pairs = Σ φφᵀ ⊗ Λ', (n, K) => {
    const mark = a.mark();
    const B = 9;
    const phi = rnd(B * n, 6);
    const lam = rnd(B * K * K, 7);
    for (let b = 0; b < B; b++) for (let i = 0; i < K; i++) for (let j = 0; j < i; j++) lam[b * K * K + i * K + j] = lam[b * K * K + j * K + i];
    const d = n * K;
    const h = a.allocF64(d * d);
    const blk = a.allocF32(n * n);
    for (let x = 0; x < K; x++) for (let y = x; y < K; y++) {
      const m = new Float32Array(n * n);
      for (let b = 0; b < B; b++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[i * n + j] += phi[b * n + i] * phi[b * n + j] * lam[b * K * K + x * K + y];
      a.putF32(m, blk);
      a.k.kron_scatter_add_f64(h, blk, n, K, x, y);
    }
    const want = new Float64Array(d * d);
    for (let b = 0; b < B; b++) for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let x = 0; x < K; x++) for (let y = 0; y < K; y++) {
      want[(i * K + x) * d + j * K + y] += phi[b * n + i] * phi[b * n + j] * lam[b * K * K + x * K + y];
    }
    close(a.getF64(h, d * d), want, 1e-5);
    a.reset(mark);
  });

  it.each(SHAPES)('kron_inv_eig_f32 %i×%i', (m, n) => {
    const mark = a.mark();
    const al = Float64Array.from(rnd(m, 8), Math.abs), ga = Float64Array.from(rnd(n, 9), Math.abs);
    const out = a.allocF32(m * n);
    a.k.kron_inv_eig_f32(out, a.putF64(al), a.putF64(ga), m, n, 2.5, 0.3);
    close(a.getF32(out, m * n), Float64Array.from({ length: m * n }, (_, i) => 1 / (2.5 * al[Math.floor(i / n)] * ga[i % n] + 0.3)), 1e-6);
    a.reset(mark);
  });

  it.each([[1, 1, 1], [7, 13, 3], [5, 37, 10], [3, 4, 1]])('glm_cov_add_f64 m=%i n=%i C=%i', (m, n, C) => {
    const mark = a.mark();
    const W = rnd(C * m * n, 10), T = rnd(m * n, 11);
    const out = a.allocF64(m * C * C);
    a.f64(out, m * C * C).fill(0.5);
    a.k.glm_cov_add_f64(out, a.putF32(W), a.putF32(T), m, n, C);
    const want = new Float64Array(m * C * C).fill(0.5);
    for (let r = 0; r < m; r++) for (let c = 0; c < C; c++) for (let e = 0; e < C; e++) for (let j = 0; j < n; j++) want[(r * C + c) * C + e] += W[(c * m + r) * n + j] * W[(e * m + r) * n + j] * T[r * n + j];
    close(a.getF64(out, m * C * C), want, 1e-12);
    a.reset(mark);
  });
});

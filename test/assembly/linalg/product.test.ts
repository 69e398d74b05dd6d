import { beforeAll, describe, expect, it } from 'vitest';
import { Arena } from '../../../src/wasm/index.js';
import { makeRng, matmul, maxAbs, maxAbsDiff, randn, sameBits, transpose } from '../../linalg/reference.js';

let arena: Arena;
beforeAll(async () => {
  arena = await Arena.create();
});

const SHAPES: [number, number, number][] = [
  [1, 1, 1], [2, 3, 1], [7, 13, 5], [13, 7, 37], [37, 37, 37], [130, 9, 300], [5, 131, 260], [129, 130, 3],
];

describe('syrk_f64', () => {
  for (const [m, n] of SHAPES.map(([a, b]) => [a, b])) {
    for (const beta of [0, 1, 0.5]) {
      it(`C = αAᵀA + βC, A ${m}×${n}, β = ${beta}`, () => {
        const rng = makeRng(m * 31 + n);
        const a = randn(m * n, rng);
        const c0 = randn(n * n, rng);
        for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) c0[j * n + i] = c0[i * n + j]; // symmetric C
        const alpha = 0.75;
        const mark = arena.mark();
        const pa = arena.putF64(a);
        const pc = arena.putF64(beta === 0 ? new Float64Array(n * n).fill(NaN) : c0);
        arena.k.syrk_f64(pc, pa, m, n, alpha, beta);
        const c = arena.getF64(pc, n * n);
        arena.reset(mark);
        const ata = matmul(transpose(a, m, n), a, n, m, n);
        const ref = ata.map((v, i) => alpha * v + (beta === 0 ? 0 : beta * c0[i]));
        expect(maxAbsDiff(c, ref)).toBeLessThan(1e-13 * Math.max(1, m) * maxAbs(ref));
        expect(maxAbsDiff(c, transpose(c, n, n))).toBe(0);
      });
    }
  }
});

describe('syrk_f64_lower_add', () => {
  // The full Laplace's curvature pass runs H += JᵀJ one column block at a time and mirrors once at
  // the end: over several batches it must be the bits of one syrk_f64 (β = 1) per batch.
  for (const [m, n] of [[3, 1], [7, 13], [37, 129], [19, 300], [256, 131]]) {
    it(`blocks, then the mirror, are syrk_f64's bits: three batches of A ${m}×${n}`, () => {
      const rng = makeRng(m * 13 + n);
      const batches = [0, 1, 2].map(() => randn(m * n, rng));
      const mark = arena.mark();
      const pa = arena.allocF64(m * n);
      const whole = arena.allocF64(n * n);
      const pieces = arena.allocF64(n * n);
      arena.f64(whole, n * n).fill(0);
      arena.f64(pieces, n * n).fill(0);
      const blocks = Math.ceil(n / arena.k.syrk_f64_block());
      for (const a of batches) {
        arena.putF64(a, pa);
        arena.k.syrk_f64(whole, pa, m, n, 0.5, 1);
        for (let b = 0; b < blocks; b++) arena.k.syrk_f64_lower_add(pieces, pa, m, n, 0.5, b, b + 1);
      }
      arena.k.mirror_lower_f64(pieces, n);
      const x = arena.getF64(whole, n * n);
      const y = arena.getF64(pieces, n * n);
      arena.reset(mark);
      expect(sameBits(y, x)).toBe(true);
    });
  }
});

describe('gemm_f64_nn', () => {
  for (const [m, n, k] of SHAPES) {
    for (const beta of [0, 1, -2]) {
      it(`C = AB + βC, ${m}×${k} by ${k}×${n}, β = ${beta}`, () => {
        const rng = makeRng(m * 7 + n * 3 + k);
        const a = randn(m * k, rng);
        const b = randn(k * n, rng);
        const c0 = randn(m * n, rng);
        const mark = arena.mark();
        const pa = arena.putF64(a);
        const pb = arena.putF64(b);
        const pc = arena.putF64(beta === 0 ? new Float64Array(m * n).fill(NaN) : c0);
        arena.k.gemm_f64_nn(pc, pa, pb, m, n, k, beta);
        const c = arena.getF64(pc, m * n);
        arena.reset(mark);
        const ref = matmul(a, b, m, k, n).map((v, i) => v + (beta === 0 ? 0 : beta * c0[i]));
        expect(maxAbsDiff(c, ref)).toBeLessThan(1e-13 * Math.max(1, k) * maxAbs(ref));
      });
    }
  }
});

describe('gemm_f64_nn_upper_rows', () => {
  // The full Laplace's predictive computes J·R (R = L⁻ᵀ upper triangular) a few rows at a time; with
  // B's zero slices skipped it must give the bits of the whole GEMM.
  for (const [m, n, chunk] of [[1, 1, 4], [7, 13, 4], [37, 129, 8], [256, 300, 12], [130, 600, 64], [61, 1000, 256]] as const) {
    it(`rows of A·B for B ${n}×${n} upper triangular, A ${m}×${n}, ${chunk} rows at a time: the bits of gemm_f64_nn`, () => {
      const rng = makeRng(m * 7 + n);
      const a = randn(m * n, rng);
      const b = randn(n * n, rng);
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) b[i * n + j] = 0;
      const mark = arena.mark();
      const pa = arena.putF64(a);
      const pb = arena.putF64(b);
      const whole = arena.putF64(new Float64Array(m * n).fill(NaN));
      const rows = arena.putF64(new Float64Array(m * n).fill(NaN));
      arena.k.gemm_f64_nn(whole, pa, pb, m, n, n, 0);
      for (let r = 0; r < m; r += chunk) arena.k.gemm_f64_nn_upper_rows(rows, pa, pb, m, n, n, r, Math.min(m, r + chunk));
      const x = arena.getF64(whole, m * n);
      const y = arena.getF64(rows, m * n);
      arena.reset(mark);
      expect(sameBits(y, x)).toBe(true);
    });
  }
});

import { beforeAll, describe, expect, it } from 'vitest';
import { Arena } from '../../../src/wasm/index.js';
import { makeRng, matmul, maxAbs, maxAbsDiff, randn, transpose } from '../../linalg/reference.js';

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

import { beforeAll, describe, expect, it } from 'vitest';
import { Arena } from '../../../src/wasm/index.js';
import { makeRng, maxAbs, maxAbsDiff, randn, randomSpd, refCholesky, refTriSolve, transpose } from '../../linalg/reference.js';

let arena: Arena;
beforeAll(async () => {
  arena = await Arena.create();
});

/** A well-conditioned lower factor with junk in its upper triangle (which must never be read). */
function factor(n: number, seed: number): { l: Float64Array; junk: Float64Array } {
  const l = refCholesky(randomSpd(n, makeRng(seed)), n);
  const junk = Float64Array.from(l);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) junk[i * n + j] = NaN;
  return { l, junk };
}

describe('trsv_f64_lower / trsm_f64_lower', () => {
  for (const n of [1, 2, 3, 7, 13, 37, 130]) {
    for (const trans of [0, 1]) {
      it(`solve with L${trans ? 'ᵀ' : ''}, n = ${n}, matches substitution`, () => {
        const { l, junk } = factor(n, n * 3 + trans);
        const rng = makeRng(n + 1000 * trans);
        const mark = arena.mark();
        const pl = arena.putF64(junk);
        const b = randn(n, rng);
        const pb = arena.putF64(b);
        const px = arena.allocF64(n);
        arena.k.trsv_f64_lower(px, pl, pb, n, trans);
        const x = arena.getF64(px, n);
        const ref = refTriSolve(l, b, n, trans === 1);
        expect(maxAbsDiff(x, ref)).toBeLessThan(1e-12 * Math.max(1, maxAbs(ref)));
        arena.k.trsv_f64_lower(pb, pl, pb, n, trans); // in place
        expect(maxAbsDiff(arena.getF64(pb, n), x)).toBe(0);

        // Matrix right-hand side, 5 columns (odd width exercises the scalar tail).
        const nrhs = 5;
        const bm = randn(n * nrhs, rng);
        const pbm = arena.putF64(bm);
        const pxm = arena.allocF64(n * nrhs);
        arena.k.trsm_f64_lower(pxm, pl, pbm, n, nrhs, trans);
        const xm = arena.getF64(pxm, n * nrhs);
        const bt = transpose(bm, n, nrhs);
        for (let c = 0; c < nrhs; c++) {
          const col = refTriSolve(l, bt.subarray(c * n, (c + 1) * n), n, trans === 1);
          for (let i = 0; i < n; i++) expect(Math.abs(xm[i * nrhs + c] - col[i])).toBeLessThan(1e-12 * Math.max(1, maxAbs(col)));
        }
        arena.reset(mark);
      });
    }
  }
});

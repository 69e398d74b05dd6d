/**
 * The blocked triangular kernels (block rows of trsm_f64_block(), their coupling as one packed level-3
 * product): X = L⁻ᵀ and X = L⁻¹·B against float64 substitution, on sizes around the block height and
 * the product's 4×4 tiles and NC-column blocks, well and ill conditioned, with NaN in L's upper triangle
 * (never read).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Arena } from '../../../src/wasm/index.js';
import { geometricSpectrum, identity, makeRng, matmul, maxAbs, maxAbsDiff, randn, randomSpd, refCholesky, refTriSolve, symWithSpectrum, transpose } from '../../linalg/reference.js';

let arena: Arena;
beforeAll(async () => {
  arena = await Arena.create();
});

/** L with NaN above its diagonal. */
function withJunk(l: Float64Array, n: number): Float64Array {
  const junk = Float64Array.from(l);
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) junk[i * n + j] = NaN;
  return junk;
}

/** X = L⁻ᵀ by the blocked kernels, bottom block row first, each product over column blocks [j0, j0 + step). */
function inverseT(l: Float64Array, n: number, step = 1 << 20): Float64Array {
  const k = arena.k;
  const mark = arena.mark();
  try {
    const pl = arena.putF64(withJunk(l, n));
    const px = arena.putF64(identity(n));
    const work = arena.allocF64(k.trsm_f64_block_workspace());
    const TB = k.trsm_f64_block();
    for (let i0 = Math.floor((n - 1) / TB) * TB; i0 >= 0; i0 -= TB) {
      for (let j0 = 0; j0 * k.trsm_f64_product_block() < n; j0 += step) k.trtri_f64_lower_t_block_product(px, pl, n, i0, j0, j0 + step, work);
      k.trtri_f64_lower_t_block_diag(px, pl, n, i0);
    }
    return arena.getF64(px, n * n);
  } finally {
    arena.reset(mark);
  }
}

/** X = L⁻¹·B (n×nrhs) by the blocked kernels. */
function forward(l: Float64Array, b: Float64Array, n: number, nrhs: number, step = 1 << 20): Float64Array {
  const k = arena.k;
  const mark = arena.mark();
  try {
    const pl = arena.putF64(withJunk(l, n));
    const px = arena.putF64(b);
    const work = arena.allocF64(k.trsm_f64_block_workspace());
    for (let i0 = 0; i0 < n; i0 += k.trsm_f64_block()) {
      for (let j0 = 0; j0 * k.trsm_f64_product_block() < nrhs; j0 += step) k.trsm_f64_lower_block_product(px, pl, n, nrhs, i0, j0, j0 + step, work);
      k.trsm_f64_lower_block_diag(px, pl, n, nrhs, i0);
    }
    return arena.getF64(px, n * nrhs);
  } finally {
    arena.reset(mark);
  }
}

const SIZES = [1, 2, 3, 7, 63, 64, 65, 127, 128, 129, 131, 200];

describe('trtri_f64_lower_t_block_* (X = L⁻ᵀ)', () => {
  for (const n of SIZES) {
    it(`matches substitution and is upper triangular, n = ${n}`, () => {
      const l = refCholesky(randomSpd(n, makeRng(700 + n)), n);
      const x = inverseT(l, n);
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(x[i * n + j]).toBe(0);
      for (let j = 0; j < n; j++) {
        const e = new Float64Array(n);
        e[j] = 1;
        const col = refTriSolve(l, e, n, true);
        let err = 0;
        for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(x[i * n + j] - col[i]));
        expect(err).toBeLessThan(1e-12 * maxAbs(col));
      }
      // Lᵀ·X = I.
      expect(maxAbsDiff(matmul(transpose(l, n, n), x, n, n, n), identity(n))).toBeLessThan(1e-12);
    });
  }

  it('gives the same bits whatever the split of its product into column blocks', () => {
    const n = 300;
    const l = refCholesky(randomSpd(n, makeRng(9)), n);
    const whole = inverseT(l, n);
    const fine = inverseT(l, n, 1);
    expect(maxAbsDiff(whole, fine)).toBe(0);
  });

  it('stays backward stable on an ill-conditioned factor (A with cond 1e12), n = 129', () => {
    const n = 129;
    const l = refCholesky(symWithSpectrum(geometricSpectrum(n, 1e12), makeRng(11)), n);
    const x = inverseT(l, n);
    // ‖Lᵀ·X − I‖ stays at rounding times cond(L) ≈ 1e6, as substitution's does.
    const res = maxAbsDiff(matmul(transpose(l, n, n), x, n, n, n), identity(n));
    const ref = new Float64Array(n * n);
    for (let j = 0; j < n; j++) {
      const e = new Float64Array(n);
      e[j] = 1;
      const col = refTriSolve(l, e, n, true);
      for (let i = 0; i < n; i++) ref[i * n + j] = col[i];
    }
    const refRes = maxAbsDiff(matmul(transpose(l, n, n), ref, n, n, n), identity(n));
    expect(res).toBeLessThan(Math.max(1e-9, 10 * refRes));
    expect(maxAbsDiff(x, ref) / maxAbs(ref)).toBeLessThan(1e-8);
  });
});

describe('trsm_f64_lower_block_* (X = L⁻¹·B)', () => {
  for (const n of SIZES) {
    for (const nrhs of [1, 5, 129, 300]) {
      it(`matches substitution, n = ${n}, nrhs = ${nrhs}`, () => {
        const l = refCholesky(randomSpd(n, makeRng(800 + n)), n);
        const b = randn(n * nrhs, makeRng(n + nrhs));
        const x = forward(l, b, n, nrhs);
        const bt = transpose(b, n, nrhs);
        for (let c = 0; c < nrhs; c++) {
          const col = refTriSolve(l, bt.subarray(c * n, (c + 1) * n), n, false);
          let err = 0;
          for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(x[i * nrhs + c] - col[i]));
          expect(err).toBeLessThan(1e-12 * Math.max(1, maxAbs(col)));
        }
      });
    }
  }

  it('gives the same bits whatever the split of its product into column blocks', () => {
    const n = 200;
    const nrhs = 400;
    const l = refCholesky(randomSpd(n, makeRng(13)), n);
    const b = randn(n * nrhs, makeRng(14));
    expect(maxAbsDiff(forward(l, b, n, nrhs), forward(l, b, n, nrhs, 1))).toBe(0);
  });
});

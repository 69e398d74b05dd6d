import { beforeAll, describe, expect, it } from 'vitest';
import { Arena } from '../../../src/wasm/index.js';
import {
  geometricSpectrum, identity, makeRng, matmul, maxAbs, maxAbsDiff, randn, randomSpd, refCholesky,
  symWithSpectrum, transpose,
} from '../../linalg/reference.js';

const SIZES = [1, 2, 3, 7, 13, 37, 64, 65, 130];

let arena: Arena;
beforeAll(async () => {
  arena = await Arena.create();
});

/** Runs cholesky_f64 on a copy of a; returns [info, L]. */
function chol(a: Float64Array, n: number, inPlace = false): [number, Float64Array] {
  const mark = arena.mark();
  const pa = arena.putF64(a);
  const pl = inPlace ? pa : arena.allocF64(n * n);
  const info = arena.k.cholesky_f64(pl, pa, n);
  const l = arena.getF64(pl, n * n);
  arena.reset(mark);
  return [info, l];
}

function upperIsZero(l: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (l[i * n + j] !== 0) return false;
  return true;
}

describe('cholesky_f64', () => {
  for (const n of SIZES) {
    it(`factors a random SPD matrix, n = ${n}, matching the textbook algorithm`, () => {
      const a = randomSpd(n, makeRng(n));
      const [info, l] = chol(a, n);
      expect(info).toBe(0);
      expect(upperIsZero(l, n)).toBe(true);
      const rec = matmul(l, transpose(l, n, n), n, n, n);
      expect(maxAbsDiff(rec, a) / maxAbs(a)).toBeLessThan(1e-13);
      expect(maxAbsDiff(l, refCholesky(a, n))).toBeLessThan(1e-11);
    });
  }

  for (const n of [13, 130]) {
    it(`reconstructs an ill-conditioned (cond 1e8) matrix, n = ${n}`, () => {
      const a = symWithSpectrum(geometricSpectrum(n, 1e8), makeRng(100 + n));
      const [info, l] = chol(a, n);
      expect(info).toBe(0);
      const rec = matmul(l, transpose(l, n, n), n, n, n);
      expect(maxAbsDiff(rec, a) / maxAbs(a)).toBeLessThan(1e-12);
    });
  }

  it('works in place (l = a) and ignores the upper triangle of a', () => {
    const n = 37;
    const a = randomSpd(n, makeRng(5));
    const junk = Float64Array.from(a);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) junk[i * n + j] = 1e300;
    const [info, l] = chol(junk, n, true);
    expect(info).toBe(0);
    expect(maxAbsDiff(l, refCholesky(a, n))).toBeLessThan(1e-11);
  });

  it('reports the first non-positive pivot as j + 1', () => {
    const n = 70; // the failing pivot lies in the second panel
    const a = randomSpd(n, makeRng(9));
    // Make the leading 67×67 block singular: row/col 66 := row/col 65.
    for (let k = 0; k < n; k++) {
      a[66 * n + k] = a[65 * n + k];
      a[k * n + 66] = a[k * n + 65];
    }
    a[66 * n + 66] = a[65 * n + 65];
    const [info] = chol(a, n);
    expect(info).toBe(67);
  });

  it('rejects negative, zero and NaN pivots', () => {
    expect(chol(new Float64Array([-1]), 1)[0]).toBe(1);
    expect(chol(new Float64Array([1, 0, 0, 0]), 2)[0]).toBe(2);
    expect(chol(new Float64Array([4, 2, 2, NaN]), 2)[0]).toBe(2);
    expect(chol(new Float64Array([1, 2, 2, 1]), 2)[0]).toBe(2);
  });
});

describe('chol_logdet_f64, chol_solve_f64, chol_inverse_f64', () => {
  for (const n of SIZES) {
    it(`logdet, solve and inverse agree with their definitions, n = ${n}`, () => {
      const rng = makeRng(200 + n);
      const lams = geometricSpectrum(n, 1e3).map((v) => v * 3);
      const a = symWithSpectrum(lams, rng);
      const mark = arena.mark();
      const pa = arena.putF64(a);
      const pl = arena.allocF64(n * n);
      expect(arena.k.cholesky_f64(pl, pa, n)).toBe(0);

      const logdet = arena.k.chol_logdet_f64(pl, n);
      const expected = lams.reduce((s, v) => s + Math.log(v), 0);
      expect(Math.abs(logdet - expected)).toBeLessThan(1e-10 * Math.max(1, Math.abs(expected)));

      for (const nrhs of [1, 3]) {
        const b = randn(n * nrhs, rng);
        const pb = arena.putF64(b);
        const px = arena.allocF64(n * nrhs);
        arena.k.chol_solve_f64(px, pl, pb, n, nrhs);
        const x = arena.getF64(px, n * nrhs);
        const r = matmul(a, x, n, n, nrhs);
        expect(maxAbsDiff(r, b) / (maxAbs(a) * maxAbs(x))).toBeLessThan(1e-13);
        // In place: x = b.
        arena.k.chol_solve_f64(pb, pl, pb, n, nrhs);
        expect(maxAbsDiff(arena.getF64(pb, n * nrhs), x)).toBeLessThan(1e-12 * maxAbs(x));
      }

      const pi = arena.allocF64(n * n);
      arena.k.chol_inverse_f64(pi, pl, n);
      const inv = arena.getF64(pi, n * n);
      expect(maxAbsDiff(inv, transpose(inv, n, n))).toBe(0);
      expect(maxAbsDiff(matmul(inv, a, n, n, n), identity(n))).toBeLessThan(1e-11);
      // In place on L gives the same.
      arena.k.chol_inverse_f64(pl, pl, n);
      expect(maxAbsDiff(arena.getF64(pl, n * n), inv)).toBe(0);
      arena.reset(mark);
    });
  }

  it('inverse of an ill-conditioned (cond 1e8) matrix is as accurate as its condition allows', () => {
    const n = 37;
    const a = symWithSpectrum(geometricSpectrum(n, 1e8), makeRng(77));
    const mark = arena.mark();
    const pa = arena.putF64(a);
    expect(arena.k.cholesky_f64(pa, pa, n)).toBe(0);
    arena.k.chol_inverse_f64(pa, pa, n);
    const inv = arena.getF64(pa, n * n);
    arena.reset(mark);
    // ‖A⁻¹A − I‖ ≲ cond·ε·small factor.
    expect(maxAbsDiff(matmul(inv, a, n, n, n), identity(n))).toBeLessThan(1e-6);
  });
});

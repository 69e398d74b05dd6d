import { beforeAll, describe, expect, it } from 'vitest';
import { Arena } from '../../../src/wasm/index.js';
import { geometricSpectrum, identity, makeRng, matmul, maxAbs, maxAbsDiff, randomSpd, symWithSpectrum, transpose } from '../../linalg/reference.js';

let arena: Arena;
beforeAll(async () => {
  arena = await Arena.create();
});

function eigh(a: Float64Array, n: number): { info: number; vals: Float64Array; vecs: Float64Array; untouched: boolean } {
  const mark = arena.mark();
  const pa = arena.putF64(a);
  const pv = arena.allocF64(n);
  const pz = arena.allocF64(n * n);
  const pw = arena.allocF64(arena.k.eigh_workspace_f64(n));
  const info = arena.k.eigh_f64(pv, pz, pa, n, pw);
  const out = { info, vals: arena.getF64(pv, n), vecs: arena.getF64(pz, n * n), untouched: maxAbsDiff(arena.f64(pa, n * n), a) === 0 };
  arena.reset(mark);
  return out;
}

/** ‖AV − VΛ‖/‖A‖, ‖VᵀV − I‖, and whether the values ascend. */
function check(a: Float64Array, n: number) {
  const { info, vals, vecs, untouched } = eigh(a, n);
  const av = matmul(a, vecs, n, n, n);
  const vl = vecs.map((v, idx) => v * vals[idx % n]);
  const scale = Math.max(maxAbs(a), 1e-300);
  return {
    info,
    vals,
    untouched,
    residual: maxAbsDiff(av, vl) / scale,
    orth: maxAbsDiff(matmul(transpose(vecs, n, n), vecs, n, n, n), identity(n)),
    ascending: vals.every((v, i) => i === 0 || vals[i - 1] <= v),
  };
}

describe('eigh_f64', () => {
  for (const n of [1, 2, 3, 7, 13, 37, 130]) {
    it(`decomposes a random symmetric matrix, n = ${n}`, () => {
      const rng = makeRng(n + 17);
      const lams = Float64Array.from({ length: n }, () => rng.normal() * 10);
      const a = symWithSpectrum(lams, rng);
      const r = check(a, n);
      expect(r.info).toBe(0);
      expect(r.untouched).toBe(true);
      expect(r.ascending).toBe(true);
      expect(r.residual).toBeLessThan(1e-12);
      expect(r.orth).toBeLessThan(1e-12);
      const sorted = Float64Array.from(lams).sort();
      expect(maxAbsDiff(r.vals, sorted) / maxAbs(sorted)).toBeLessThan(1e-13);
    });
  }

  it('handles repeated eigenvalues (clusters of 1s, 2s, 3s), n = 37', () => {
    const n = 37;
    const lams = Float64Array.from({ length: n }, (_, i) => 1 + (i % 3));
    const r = check(symWithSpectrum(lams, makeRng(3)), n);
    expect(r.info).toBe(0);
    expect(r.residual).toBeLessThan(1e-12);
    expect(r.orth).toBeLessThan(1e-12);
    expect(maxAbsDiff(r.vals, Float64Array.from(lams).sort())).toBeLessThan(1e-13);
  });

  it('gives identical results when a is the workspace itself (a == work, no copy)', () => {
    const n = 37;
    const a = randomSpd(n, makeRng(21));
    const ref = eigh(a, n);
    const mark = arena.mark();
    const pw = arena.allocF64(arena.k.eigh_workspace_f64(n));
    arena.putF64(a, pw);
    const pv = arena.allocF64(n);
    const pz = arena.allocF64(n * n);
    expect(arena.k.eigh_f64(pv, pz, pw, n, pw)).toBe(0);
    expect(arena.getF64(pv, n)).toEqual(ref.vals);
    expect(arena.getF64(pz, n * n)).toEqual(ref.vecs);
    arena.reset(mark);
  });

  it('reads only the lower triangle', () => {
    const n = 13;
    const a = randomSpd(n, makeRng(22));
    const junk = Float64Array.from(a);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) junk[i * n + j] = NaN;
    const ref = eigh(a, n);
    const r = eigh(junk, n);
    expect(r.info).toBe(0);
    expect(r.vals).toEqual(ref.vals);
    expect(r.vecs).toEqual(ref.vecs);
  });

  it('is exact on diagonal, identity and zero matrices', () => {
    const n = 13;
    const diag = new Float64Array(n * n);
    for (let i = 0; i < n; i++) diag[i * n + i] = (i * 7) % 5 - 2;
    for (const a of [diag, identity(n), new Float64Array(n * n)]) {
      const r = check(a, n);
      expect(r.info).toBe(0);
      expect(r.residual).toBeLessThan(1e-14);
      expect(r.orth).toBeLessThan(1e-14);
    }
  });

  it('resolves an ill-conditioned SPD spectrum (cond 1e8) to absolute accuracy ε‖A‖', () => {
    const n = 130;
    const lams = geometricSpectrum(n, 1e8);
    const r = check(symWithSpectrum(lams, makeRng(11)), n);
    expect(r.info).toBe(0);
    expect(r.residual).toBeLessThan(1e-12);
    expect(r.orth).toBeLessThan(1e-12);
    expect(maxAbsDiff(r.vals, Float64Array.from(lams).sort())).toBeLessThan(1e-13);
  });

  it('handles widely scaled entries and a matrix that is already tridiagonal', () => {
    const n = 37;
    const a = randomSpd(n, makeRng(8));
    const big = a.map((v) => v * 1e150);
    const r1 = check(big, n);
    expect(r1.info).toBe(0);
    expect(r1.residual).toBeLessThan(1e-12);
    const t = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      t[i * n + i] = 2;
      if (i + 1 < n) t[i * n + i + 1] = t[(i + 1) * n + i] = -1;
    }
    const r2 = check(t, n);
    expect(r2.info).toBe(0);
    expect(r2.residual).toBeLessThan(1e-13);
    // Eigenvalues of the second-difference matrix: 2 − 2cos(kπ/(n+1)).
    const exact = Float64Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1)));
    expect(maxAbsDiff(r2.vals, exact)).toBeLessThan(1e-13);
  });
});

/**
 * The blocked Householder reduction (eigh_f64_reduce_panel / _update, panels of RB columns) against
 * the unblocked one (eigh_f64_reduce): T's eigenvalues agree within ~1e-12 of the spectrum's norm, and
 * its reflectors (kept in the unblocked layout) give Q·T·Qᵀ = A, so form_qt and
 * householder_apply_rows_f64 keep working. Sizes around the panel width (32), its tiles and the
 * threshold at which eigh_f64 switches to it (256).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Arena } from '../../../src/wasm/index.js';
import { geometricSpectrum, gram, identity, makeRng, matmul, maxAbs, maxAbsDiff, randn, randomSpd, symWithSpectrum, transpose } from '../../linalg/reference.js';

let arena: Arena;
beforeAll(async () => {
  arena = await Arena.create();
});

const RB = 32;

interface Reduced {
  d: Float64Array;
  e: Float64Array;
  q: Float64Array;
  values: Float64Array;
}

/** A's reduction, blocked (panel columns `cols` at a time, update rows `rows` at a time) or not; Q from the reflectors, T's eigenvalues. */
function reduce(a: Float64Array, n: number, blocked: boolean, cols = RB, rows = n): Reduced {
  const k = arena.k;
  const mark = arena.mark();
  try {
    const pw = arena.putF64(a);
    const [pd, pe, ptau, pp] = [n, n, n, n].map((len) => arena.allocF64(len));
    // Junk above the diagonal: the reduction reads the lower triangle only (it writes the reflectors there).
    const w = arena.f64(pw, n * n);
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) w[i * n + j] = NaN;
    if (blocked) {
      const py = arena.allocF64(k.eigh_f64_reduce_workspace(n));
      for (let k0 = 0; k0 < n - 1; k0 += RB) {
        const jb = Math.min(RB, n - 1 - k0);
        for (let j0 = 0; j0 < jb; j0 += cols) k.eigh_f64_reduce_panel(pw, pd, pe, ptau, pp, py, n, k0, j0, j0 + cols);
        for (let i0 = k0 + jb; i0 < n; i0 += rows) k.eigh_f64_reduce_update(pw, py, n, k0, i0, i0 + rows);
      }
      k.eigh_f64_reduce(pw, pd, pe, ptau, pp, n, n - 1, n);
    } else {
      k.eigh_f64_reduce(pw, pd, pe, ptau, pp, n, 0, n);
    }
    // Q = I·Q by the reflectors.
    const pq = arena.putF64(identity(n));
    k.householder_apply_rows_f64(pq, n, pw, ptau, n, 0, n);
    const q = arena.getF64(pq, n * n);
    const d = arena.getF64(pd, n);
    const e = arena.getF64(pe, n);
    const floor = k.eigh_f64_ql_floor(pd, pe, n);
    for (let l = 0; l < n; ) {
      l = k.eigh_f64_ql(pd, pe, 0, n, floor, l, 1 << 30);
      expect(l).toBeGreaterThan(0);
    }
    k.eigh_f64_sort(pd, 0, n, 0, n);
    return { d, e, q, values: arena.getF64(pd, n) };
  } finally {
    arena.reset(mark);
  }
}

/** ‖Q·T·Qᵀ − A‖ / ‖A‖ and ‖QᵀQ − I‖. */
function residuals(a: Float64Array, n: number, r: Reduced): { fact: number; orth: number } {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    t[i * n + i] = r.d[i];
    if (i + 1 < n) t[i * n + i + 1] = t[(i + 1) * n + i] = r.e[i];
  }
  const qtq = matmul(matmul(r.q, t, n, n, n), transpose(r.q, n, n), n, n, n);
  return { fact: maxAbsDiff(qtq, a) / Math.max(maxAbs(a), 1e-300), orth: maxAbsDiff(matmul(transpose(r.q, n, n), r.q, n, n, n), identity(n)) };
}

function expectAgrees(a: Float64Array, n: number, cols = RB, rows = n): void {
  const old = reduce(a, n, false);
  const now = reduce(a, n, true, cols, rows);
  const norm = Math.max(maxAbs(old.values), 1e-300);
  expect(maxAbsDiff(now.values, old.values) / norm).toBeLessThan(1e-12);
  const { fact, orth } = residuals(a, n, now);
  expect(fact).toBeLessThan(1e-13 * Math.max(1, n / 10));
  expect(orth).toBeLessThan(1e-13 * Math.max(1, n / 10));
}

describe('the blocked reduction (eigh_f64_reduce_panel, eigh_f64_reduce_update)', () => {
  for (const n of [1, 2, 3, 7, 31, 32, 33, 34, 63, 64, 65, 97, 129]) {
    it(`agrees with the unblocked one and gives Q·T·Qᵀ = A, n = ${n}`, () => {
      const rng = makeRng(900 + n);
      const b = randn(n * n, rng);
      const a = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = b[i * n + j];
      expectAgrees(a, n);
    });
  }

  it('gives the same bits however its panels and updates are split into calls', () => {
    const n = 130;
    const a = randomSpd(n, makeRng(5));
    const whole = reduce(a, n, true);
    for (const [cols, rows] of [[1, 4], [3, 8], [7, 12]]) {
      const split = reduce(a, n, true, cols, rows);
      expect(maxAbsDiff(split.d, whole.d)).toBe(0);
      expect(maxAbsDiff(split.e, whole.e)).toBe(0);
      expect(maxAbsDiff(split.q, whole.q)).toBe(0);
    }
  });

  it('agrees on an ill-conditioned SPD spectrum (1 … 1e-12), n = 129', () => {
    expectAgrees(symWithSpectrum(geometricSpectrum(129, 1e12), makeRng(21)), 129);
  });

  it('agrees on a rank-deficient Gram matrix (rank 20 of 97) and on a matrix already tridiagonal', () => {
    expectAgrees(gram(randn(20 * 97, makeRng(22)), 20, 97), 97);
    const n = 70;
    const t = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      t[i * n + i] = i % 5;
      if (i + 1 < n) t[i * n + i + 1] = t[(i + 1) * n + i] = 1 / (i + 1);
    }
    expectAgrees(t, n);
    expectAgrees(new Float64Array(40 * 40), 40); // zero: every column already tridiagonal
  });

  it('is what eigh_f64 uses from n = 256 on (eigenvectors from its reflectors), n = 300', () => {
    expect(arena.k.eigh_f64_reduce_block(255)).toBe(0);
    expect(arena.k.eigh_f64_reduce_block(256)).toBe(RB);
    const n = 300;
    const a = randomSpd(n, makeRng(23));
    const mark = arena.mark();
    try {
      const pa = arena.putF64(a);
      const pv = arena.allocF64(n);
      const pz = arena.allocF64(n * n);
      const pw = arena.allocF64(arena.k.eigh_workspace_f64(n));
      expect(arena.k.eigh_f64(pv, pz, pa, n, pw)).toBe(0);
      const vals = arena.getF64(pv, n);
      const vecs = arena.getF64(pz, n * n);
      const av = matmul(a, vecs, n, n, n);
      const vl = vecs.map((v, i) => v * vals[i % n]);
      expect(maxAbsDiff(av, vl) / maxAbs(a)).toBeLessThan(1e-12);
      expect(maxAbsDiff(matmul(transpose(vecs, n, n), vecs, n, n, n), identity(n))).toBeLessThan(1e-12);
      expect(maxAbsDiff(vals, reduce(a, n, false).values) / maxAbs(vals)).toBeLessThan(1e-12);
    } finally {
      arena.reset(mark);
    }
  });
});

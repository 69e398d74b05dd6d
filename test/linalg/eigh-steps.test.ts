import { beforeAll, describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { eigh, eigvalsh } from '../../src/linalg/index.js';
import { applyQSteps, eighSteps, eigvalshSteps, tridiagonalEigenvalueSteps, tridiagonalSteps } from '../../src/linalg/eigh.js';
import { Arena } from '../../src/wasm/index.js';
import { drainCounting, gram, makeRng, randn, randomSpd, sameBits, symWithSpectrum } from './reference.js';

let arena: Arena;
beforeAll(async () => {
  arena = await Arena.create();
});

/** A random symmetric matrix in O(n²), its upper triangle off by a rounding-level amount (the symmetrization is part of the path). */
function nearlySymmetric(n: number, rng: { uniform(): number }): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const v = rng.uniform() - 0.5;
      a[i * n + j] = v;
      a[j * n + i] = v * (1 + 1e-15);
    }
  }
  return a;
}

/** Values (and vectors) from ONE call of the core's eigh_f64 on the symmetrized matrix: what the steps must reproduce bit for bit. */
function oneCall(a: Float64Array, n: number, vectors: boolean): { values: Float64Array; vectors?: Float64Array } {
  const mark = arena.mark();
  try {
    const pw = arena.allocF64(arena.k.eigh_workspace_f64(n));
    const pv = arena.allocF64(n);
    const pz = vectors ? arena.allocF64(n * n) : 0;
    const m = arena.f64(pw, n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) m[i * n + j] = m[j * n + i] = 0.5 * (a[i * n + j] + a[j * n + i]);
    }
    expect(arena.k.eigh_f64(pv, pz, pw, n, pw)).toBe(0);
    return { values: arena.getF64(pv, n), ...(vectors && { vectors: arena.getF64(pz, n * n) }) };
  } finally {
    arena.reset(mark);
  }
}

function expectSameAsOneCall(a: Float64Array, n: number): { steps: number; valueSteps: number } {
  const want = oneCall(a, n, true);
  const wantValues = oneCall(a, n, false);
  const used = arena.used;
  const full = drainCounting(eighSteps(arena, a, n));
  expect(arena.used).toBe(used);
  expect(sameBits(full.value.values, want.values)).toBe(true);
  expect(sameBits(full.value.vectors, want.vectors!)).toBe(true);
  const values = drainCounting(eigvalshSteps(arena, a, n));
  expect(arena.used).toBe(used);
  expect(sameBits(values.value, wantValues.values)).toBe(true);
  return { steps: full.steps, valueSteps: values.steps };
}

/** The core's range kernels split as finely as they go: one column, one reflector, one eigenvalue, one position per call. */
function finest(a: Float64Array, n: number, vectors: boolean): { values: Float64Array; vectors?: Float64Array } {
  const k = arena.k;
  const mark = arena.mark();
  try {
    const [pw, pe, ptau, pp, pv] = [n * n, n, n, n, n].map((len) => arena.allocF64(len));
    const pz = vectors ? arena.allocF64(n * n) : 0;
    const m = arena.f64(pw, n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) m[i * n + j] = m[j * n + i] = 0.5 * (a[i * n + j] + a[j * n + i]);
    }
    for (let c = 0; c < n - 1; c++) k.eigh_f64_reduce(pw, pv, pe, ptau, pp, n, c, c + 1);
    k.eigh_f64_reduce(pw, pv, pe, ptau, pp, n, n - 1, n); // no column left: the final stores alone
    if (vectors) {
      for (let i = 0; i < n; i++) k.eigh_f64_form_qt_init(pz, n, i, i + 1);
      for (let c = n - 2; c >= 0; c--) k.eigh_f64_form_qt(pz, pw, ptau, n, c, c + 1);
    }
    const floor = k.eigh_f64_ql_floor(pv, pe, n);
    for (let l = 0; l < n; ) {
      const next = k.eigh_f64_ql(pv, pe, pz, n, floor, l, 0);
      expect(next).toBe(l + 1); // budget 0: exactly one eigenvalue per call
      l = next;
    }
    for (let i = 0; i < n; i++) k.eigh_f64_sort(pv, pz, n, i, i + 1);
    if (vectors) for (let i = 0; i < n; i++) k.eigh_f64_transpose(pz, n, i, i + 1);
    return { values: arena.getF64(pv, n), ...(vectors && { vectors: arena.getF64(pz, n * n) }) };
  } finally {
    arena.reset(mark);
  }
}

describe('the range kernels of eigh_f64', () => {
  it('split as finely as they go, give the bits of one call', () => {
    const cases: [Float64Array, number][] = [1, 2, 3, 5, 17, 64, 130].map((n) => [randomSpd(n, makeRng(400 + n)), n]);
    for (const n of [17, 64]) cases.push([gram(randn(3 * n, makeRng(n + 2)), 3, n), n]);
    for (const [a, n] of cases) {
      for (const vectors of [true, false]) {
        const want = oneCall(a, n, vectors);
        const got = finest(a, n, vectors);
        expect(sameBits(got.values, want.values)).toBe(true);
        if (vectors) expect(sameBits(got.vectors!, want.vectors!)).toBe(true);
      }
    }
  });
});

describe('eighSteps and eigvalshSteps', () => {
  for (const n of [1, 2, 3, 5, 17, 64, 130, 257]) {
    it(`give the bits of one eigh_f64 call, n = ${n}`, () => {
      const a = n <= 64 ? randomSpd(n, makeRng(300 + n)) : nearlySymmetric(n, makeRng(300 + n));
      expectSameAsOneCall(a, n);
    });
  }

  it('give the bits of one call on rank-deficient and clustered spectra (deflation at the floor, split blocks)', () => {
    for (const n of [17, 64, 130]) {
      // A Gram matrix of rank 3: n − 3 eigenvalues at the rounding level.
      expectSameAsOneCall(gram(randn(3 * n, makeRng(n + 1)), 3, n), n);
    }
    // Clusters of equal eigenvalues and an exact zero block.
    const n = 40;
    const lams = Float64Array.from({ length: n }, (_, i) => (i < 10 ? 1 : i < 20 ? 2 : i < 25 ? 1e-8 : i < 30 ? 0 : 3 + i));
    expectSameAsOneCall(symWithSpectrum(lams, makeRng(9)), n);
    // Already diagonal (every reflector τ = 0, every e = 0), and diagonal with ties.
    const d = new Float64Array(n * n);
    for (let i = 0; i < n; i++) d[i * n + i] = (i * 7) % 5;
    expectSameAsOneCall(d, n);
  });

  it('make eigh and eigvalsh (which drain them) keep the bits of one call', () => {
    const n = 97;
    const a = nearlySymmetric(n, makeRng(12));
    const want = oneCall(a, n, true);
    const r = eigh(arena, a, n);
    expect(sameBits(r.values, want.values)).toBe(true);
    expect(sameBits(r.vectors, want.vectors!)).toBe(true);
    expect(sameBits(eigvalsh(arena, a, n), oneCall(a, n, false).values)).toBe(true);
  });

  it('yield many times at n = 300', () => {
    const n = 300;
    const { steps, valueSteps } = expectSameAsOneCall(nearlySymmetric(n, makeRng(7)), n);
    // Reduction ≈ (2/3)n³ ≈ 1.8·10⁷ multiply-adds: ≥ 4 steps; Qᵀ as many again; QL, sort, transpose more.
    expect(valueSteps).toBeGreaterThan(4);
    expect(steps).toBeGreaterThan(valueSteps + 4);
  });

  it('free the arena when closed early, at any stage', () => {
    const n = 300;
    const a = nearlySymmetric(n, makeRng(8));
    const { steps } = drainCounting(eighSteps(arena, a, n));
    for (const at of [1, 2, Math.floor(steps / 2), steps - 1]) {
      const mark = arena.mark();
      const used = arena.used;
      const g = eighSteps(arena, a, n);
      for (let i = 0; i < at; i++) expect(g.next().done).toBe(false);
      expect(arena.used).toBeGreaterThan(used);
      g.return(undefined as never);
      expect(arena.used).toBe(used);
      expect(arena.mark()).toBe(mark);
    }
    const used = arena.used;
    const g = eigvalshSteps(arena, a, n);
    g.next();
    g.next();
    g.return(undefined as never);
    expect(arena.used).toBe(used);
  });

  it('check their arguments on the first step, before any work or memory', () => {
    const used = arena.used;
    const bad = new Float64Array(9);
    bad[4] = NaN;
    for (const [a, n, code] of [[new Float64Array(5), 2, 'E_SHAPE'], [bad, 3, 'E_NONFINITE']] as const) {
      for (const g of [eighSteps(arena, a, n, { name: 'h' }), eigvalshSteps(arena, a, n, { name: 'h' })]) {
        try {
          g.next();
          expect.unreachable();
        } catch (e) {
          expect(e).toBeInstanceOf(BdlError);
          expect((e as BdlError).code).toBe(code);
          expect((e as BdlError).argument).toBe('h');
        }
        expect(arena.used).toBe(used);
      }
    }
    const n = 20000; // 3.2 GB per f64 matrix: the array itself is never needed
    const huge = eigvalshSteps(arena, { length: n * n } as ArrayLike<number>, n);
    try {
      huge.next();
      expect.unreachable();
    } catch (e) {
      expect((e as BdlError).code).toBe('E_MEMORY');
    }
    expect(arena.used).toBe(used);
  });
});

describe('tridiagonalSteps, tridiagonalEigenvalueSteps, applyQSteps', () => {
  for (const n of [1, 2, 5, 17, 64, 130]) {
    it(`T's eigenvalues are eigvalsh's bits, and X·Q·T·(X·Q)ᵀ is X·A·Xᵀ, n = ${n}`, () => {
      const rng = makeRng(700 + n);
      const a = nearlySymmetric(n, rng);
      const mark = arena.mark();
      try {
        const t = drainCounting(tridiagonalSteps(arena, a, n)).value;
        const values = drainCounting(tridiagonalEigenvalueSteps(arena, t)).value;
        expect(sameBits(values, eigvalsh(arena, a, n))).toBe(true);
        // Three rows of X through the reflectors: (X·Q)·T·(X·Q)ᵀ against X·A·Xᵀ in float64.
        const rows = 3;
        const x = Float64Array.from({ length: rows * n }, () => rng.uniform() - 0.5);
        const px = arena.putF64(x);
        drainCounting(applyQSteps(arena, t, px, rows));
        const u = arena.getF64(px, rows * n);
        for (let r = 0; r < rows; r++) {
          for (let q = 0; q < rows; q++) {
            let want = 0;
            let got = 0;
            for (let i = 0; i < n; i++) {
              for (let j = 0; j < n; j++) want += x[r * n + i] * 0.5 * (a[i * n + j] + a[j * n + i]) * x[q * n + j];
              got += u[r * n + i] * t.d[i] * u[q * n + i];
              if (i + 1 < n) got += t.e[i] * (u[r * n + i] * u[q * n + i + 1] + u[r * n + i + 1] * u[q * n + i]);
            }
            expect(Math.abs(got - want)).toBeLessThan(1e-12 * n);
          }
        }
      } finally {
        arena.reset(mark);
      }
    });
  }
});

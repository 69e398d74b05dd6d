import { beforeAll, describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { cholesky, inverse, logdet, solve } from '../../src/linalg/index.js';
import { choleskySteps, inverseTransposeSteps, triangularSolveSteps } from '../../src/linalg/cholesky.js';
import { Arena } from '../../src/wasm/index.js';
import { drainCounting, geometricSpectrum, identity, makeRng, matmul, maxAbs, maxAbsDiff, randn, randomSpd, refCholesky, refTriSolve, sameBits, symWithSpectrum, transpose } from './reference.js';

let arena: Arena;
beforeAll(async () => {
  arena = await Arena.create();
});

function catchError(fn: () => unknown): BdlError {
  try {
    fn();
  } catch (e) {
    if (e instanceof BdlError) return e;
    throw e;
  }
  throw new Error('expected a BdlError');
}

describe('cholesky (wrapper)', () => {
  for (const n of [1, 2, 3, 7, 13, 37, 130]) {
    it(`factors without jitter and leaves the input untouched, n = ${n}`, () => {
      const a = randomSpd(n, makeRng(n));
      const copy = Float64Array.from(a);
      const used = arena.used;
      const { l, jitter } = cholesky(arena, a, n);
      expect(jitter).toBe(0);
      expect(a).toEqual(copy);
      expect(arena.used).toBe(used); // temporaries released
      expect(maxAbsDiff(matmul(l, transpose(l, n, n), n, n, n), a) / maxAbs(a)).toBeLessThan(1e-13);
    });
  }

  it('retries a singular PSD matrix with jitter and reports the jitter used', () => {
    const n = 13;
    const lams = geometricSpectrum(n, 10);
    lams[n - 1] = 0;
    lams[n - 2] = -1e-14; // rounding-level negative, as a GGN assembled in floating point can be
    const a = symWithSpectrum(lams, makeRng(4));
    const { l, jitter } = cholesky(arena, a, n);
    expect(jitter).toBeGreaterThan(0);
    let meanDiag = 0;
    for (let i = 0; i < n; i++) meanDiag += a[i * n + i] / n;
    const k = Math.log10(jitter / (1e-10 * meanDiag));
    expect(Math.abs(k - Math.round(k))).toBeLessThan(1e-9); // one of ε·mean(diag)·10^k
    const shifted = Float64Array.from(a);
    for (let i = 0; i < n; i++) shifted[i * n + i] += jitter;
    expect(maxAbsDiff(matmul(l, transpose(l, n, n), n, n, n), shifted)).toBeLessThan(1e-12);
  });

  it('throws E_NOT_PD naming the matrix when jitter cannot help, or when retries are off', () => {
    const n = 7;
    const a = symWithSpectrum([3, 2, 1, 1, 1, -0.5, 1], makeRng(2));
    const e = catchError(() => cholesky(arena, a, n, { name: 'precision' }));
    expect(e.code).toBe('E_NOT_PD');
    expect(e.argument).toBe('precision');
    expect(e.message).toMatch(/precision: expected a symmetric positive-definite 7×7 matrix/);
    expect(e.message).toMatch(/jitter|adding up to/);
    const slightlyIndefinite = symWithSpectrum([1, 1, -1e-9, 1, 1, 1, 1], makeRng(3));
    const e2 = catchError(() => cholesky(arena, slightlyIndefinite, n, { jitter: false }));
    expect(e2.code).toBe('E_NOT_PD');
    expect(e2.message).toMatch(/retries disabled/);
  });

  it('rejects bad shapes and non-finite values before any work', () => {
    expect(catchError(() => cholesky(arena, new Float64Array(5), 2)).code).toBe('E_SHAPE');
    expect(catchError(() => cholesky(arena, new Float64Array(0), 0)).code).toBe('E_SHAPE');
    expect(catchError(() => cholesky(arena, [1, 0, NaN, 1], 2)).code).toBe('E_NONFINITE');
    expect(catchError(() => cholesky(arena, [1, 0, 0, 1], 2, { jitter: -1 })).code).toBe('E_ARG');
  });

  it('refuses an oversized matrix with E_MEMORY before allocating', () => {
    const n = 20000; // 3.2 GB per f64 matrix: the array itself is never needed
    const fake = { length: n * n } as ArrayLike<number>;
    const used = arena.used;
    const bytes = arena.memory.buffer.byteLength;
    const e = catchError(() => cholesky(arena, fake, n, { jitter: false }));
    expect(e.code).toBe('E_MEMORY');
    expect(e.message).toMatch(/20000×20000/);
    expect(e.message).toMatch(/kron|diag|last-layer/);
    expect(arena.used).toBe(used);
    expect(arena.memory.buffer.byteLength).toBe(bytes);
  });
});

/** A diagonally dominant SPD matrix in O(n²) (randomSpd's product is O(n³) in JavaScript). */
function dominantSpd(n: number, rng: { uniform(): number }): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) a[i * n + j] = a[j * n + i] = rng.uniform() - 0.5;
    a[i * n + i] = n / 2 + rng.uniform();
  }
  return a;
}

/** L and R = L⁻ᵀ from one call of each kernel: what the steps must reproduce bit for bit. */
function oneCall(a: Float64Array, n: number): { l: Float64Array; r: Float64Array } {
  const mark = arena.mark();
  try {
    const p = arena.putF64(a);
    expect(arena.k.cholesky_f64(p, p, n)).toBe(0);
    const pr = arena.putF64(identity(n));
    arena.k.trsm_f64_lower(pr, p, pr, n, n, 1);
    return { l: arena.getF64(p, n * n), r: arena.getF64(pr, n * n) };
  } finally {
    arena.reset(mark);
  }
}

describe('choleskySteps and triangularSolveSteps', () => {
  // Sizes around the 64-column panel and the 4-row tiles; 1201 splits trailing updates and the solve into many steps.
  for (const n of [1, 2, 7, 33, 64, 65, 67, 130, 500, 1201]) {
    it(`give the bits of one kernel call, n = ${n}`, () => {
      const a = n < 200 ? randomSpd(n, makeRng(100 + n)) : dominantSpd(n, makeRng(100 + n));
      const want = oneCall(a, n);
      const used = arena.used;
      const { value, steps } = drainCounting(choleskySteps(arena, a, n, { jitter: false }));
      expect(arena.used).toBe(used);
      expect(sameBits(value.l, want.l)).toBe(true);
      const mark = arena.mark();
      const pl = arena.putF64(value.l);
      const pr = arena.putF64(identity(n));
      const solved = drainCounting(triangularSolveSteps(arena, pr, pl, n, n, 1));
      const r = arena.getF64(pr, n * n);
      arena.reset(mark);
      expect(sameBits(r, want.r)).toBe(true);
      if (n === 1201) {
        expect(steps).toBeGreaterThan(19 * 2); // more than one step per panel
        expect(solved.steps).toBeGreaterThan(10);
      }
    });
  }

  // Around the 64-row blocks and the product's 128-column blocks, and many steps at 1201.
  for (const n of [1, 2, 3, 7, 8, 33, 63, 64, 65, 129, 257, 1201]) {
    it(`inverseTransposeSteps gives L⁻ᵀ (the row-by-row solve on the identity, to rounding), n = ${n}`, () => {
      const a = n < 200 ? randomSpd(n, makeRng(300 + n)) : dominantSpd(n, makeRng(300 + n));
      const want = oneCall(a, n);
      const mark = arena.mark();
      const pl = arena.putF64(want.l);
      const pr = arena.allocF64(n * n);
      // Garbage where R goes: the steps must write the identity first.
      arena.f64(pr, n * n).fill(Number.NaN);
      const used = arena.used;
      const { steps } = drainCounting(inverseTransposeSteps(arena, pr, pl, n));
      expect(arena.used).toBe(used); // its scratch released
      const r = arena.getF64(pr, n * n);
      arena.reset(mark);
      expect(maxAbsDiff(r, want.r) / maxAbs(want.r)).toBeLessThan(1e-13);
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(r[i * n + j]).toBe(0);
      if (n <= 129) expect(maxAbsDiff(matmul(transpose(want.l, n, n), r, n, n, n), identity(n))).toBeLessThan(1e-13);
      if (n === 1201) expect(steps).toBeGreaterThan(50);
    });
  }

  for (const [n, nrhs] of [[1, 3], [65, 1], [65, 7], [130, 129], [300, 260]]) {
    it(`triangularSolveSteps' forward solve (blocked) agrees with trsm_f64_lower, n = ${n}, nrhs = ${nrhs}`, () => {
      const l = oneCall(randomSpd(n, makeRng(500 + n)), n).l;
      const b = randn(n * nrhs, makeRng(600 + n));
      const mark = arena.mark();
      const pl = arena.putF64(l);
      const px = arena.putF64(b);
      const pw = arena.putF64(b);
      const used = arena.used;
      drainCounting(triangularSolveSteps(arena, px, pl, n, nrhs, 0));
      expect(arena.used).toBe(used);
      arena.k.trsm_f64_lower(pw, pl, pw, n, nrhs, 0);
      const got = arena.getF64(px, n * nrhs);
      const want = arena.getF64(pw, n * nrhs);
      arena.reset(mark);
      expect(maxAbsDiff(got, want) / Math.max(1, maxAbs(want))).toBeLessThan(1e-13);
    });
  }

  for (const n of [1, 7, 33, 130]) {
    it(`agree with a float64 reference, n = ${n}`, () => {
      const a = randomSpd(n, makeRng(200 + n));
      const { value } = drainCounting(choleskySteps(arena, a, n, { jitter: false }));
      expect(maxAbsDiff(value.l, refCholesky(a, n)) / maxAbs(value.l)).toBeLessThan(1e-12);
      const mark = arena.mark();
      const pl = arena.putF64(value.l);
      const pr = arena.putF64(identity(n));
      drainCounting(triangularSolveSteps(arena, pr, pl, n, n, 1));
      const r = arena.getF64(pr, n * n);
      arena.reset(mark);
      // Column j of R = L⁻ᵀ is L⁻ᵀ·e_j.
      for (let j = 0; j < n; j++) {
        const e = new Float64Array(n);
        e[j] = 1;
        const col = refTriSolve(value.l, e, n, true);
        for (let i = 0; i < n; i++) expect(Math.abs(r[i * n + j] - col[i])).toBeLessThan(1e-10 * maxAbs(col) + 1e-300);
      }
    });
  }

  it('retry with jitter as cholesky does, and free the arena when closed early', () => {
    const n = 13;
    const lams = geometricSpectrum(n, 10);
    lams[n - 1] = 0;
    const a = symWithSpectrum(lams, makeRng(4));
    const whole = cholesky(arena, a, n);
    const { value } = drainCounting(choleskySteps(arena, a, n));
    expect(value.jitter).toBe(whole.jitter);
    expect(sameBits(value.l, whole.l)).toBe(true);

    const used = arena.used;
    const g = choleskySteps(arena, randomSpd(300, makeRng(5)), 300);
    g.next();
    g.next();
    expect(arena.used).toBeGreaterThan(used);
    g.return(undefined as never);
    expect(arena.used).toBe(used);
  });
});

describe('solve, inverse, logdet (wrappers)', () => {
  for (const n of [1, 3, 13, 130]) {
    it(`agree with their definitions, n = ${n}`, () => {
      const rng = makeRng(50 + n);
      const lams = geometricSpectrum(n, 1e4).map((v) => 2 * v);
      const a = symWithSpectrum(lams, rng);
      const { l } = cholesky(arena, a, n);
      const expected = lams.reduce((s, v) => s + Math.log(v), 0);
      expect(Math.abs(logdet(l, n) - expected)).toBeLessThan(1e-10 * Math.max(1, Math.abs(expected)));
      const b = randn(n * 2, rng);
      const x = solve(arena, l, b, n);
      expect(maxAbsDiff(matmul(a, x, n, n, 2), b) / (maxAbs(a) * maxAbs(x))).toBeLessThan(1e-13);
      const x1 = solve(arena, l, b.subarray(0, n), n);
      expect(maxAbsDiff(matmul(a, x1, n, n, 1), b.subarray(0, n)) / (maxAbs(a) * maxAbs(x1))).toBeLessThan(1e-13);
      const inv = inverse(arena, l, n);
      expect(maxAbsDiff(matmul(inv, a, n, n, n), identity(n))).toBeLessThan(1e-10);
    });
  }

  it('solve rejects a right-hand side of the wrong length', () => {
    const { l } = cholesky(arena, identity(3), 3);
    expect(catchError(() => solve(arena, l, [1, 2], 3)).code).toBe('E_SHAPE');
  });
});

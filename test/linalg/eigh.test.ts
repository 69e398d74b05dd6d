import { beforeAll, describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { cholesky, eigh, eigvalsh, logdet } from '../../src/linalg/index.js';
import { Arena } from '../../src/wasm/index.js';
import { identity, makeRng, matmul, maxAbs, maxAbsDiff, randomSpd, transpose } from './reference.js';

let arena: Arena;
beforeAll(async () => {
  arena = await Arena.create();
});

describe('eigh (wrapper)', () => {
  for (const n of [1, 2, 7, 37, 130]) {
    it(`A·V = V·Λ, VᵀV = I, and Σ log λ = logdet, n = ${n}`, () => {
      const a = randomSpd(n, makeRng(n + 3));
      const copy = Float64Array.from(a);
      const { values, vectors } = eigh(arena, a, n);
      expect(a).toEqual(copy);
      const av = matmul(a, vectors, n, n, n);
      const vl = vectors.map((v, i) => v * values[i % n]);
      expect(maxAbsDiff(av, vl) / maxAbs(a)).toBeLessThan(1e-12);
      expect(maxAbsDiff(matmul(transpose(vectors, n, n), vectors, n, n, n), identity(n))).toBeLessThan(1e-12);
      const sumLog = values.reduce((s, v) => s + Math.log(v), 0);
      const ld = logdet(cholesky(arena, a, n).l, n);
      expect(Math.abs(sumLog - ld)).toBeLessThan(1e-10 * Math.max(1, Math.abs(ld)));
    });
  }

  it('eigvalsh gives the bits of eigh\'s eigenvalues (the same QL sweeps without the vectors), rank-deficient too', () => {
    for (const n of [1, 2, 7, 37, 130]) {
      const a = randomSpd(n, makeRng(n + 11));
      expect(eigvalsh(arena, a, n)).toEqual(eigh(arena, a, n).values);
      // A Gram matrix of rank 3: a cluster of eigenvalues at the rounding level.
      const rng = makeRng(n);
      const f = Array.from({ length: 3 * n }, () => rng.normal());
      const g = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) for (let k = 0; k < 3; k++) g[i * n + j] += f[i * 3 + k] * f[j * 3 + k];
      expect(eigvalsh(arena, g, n)).toEqual(eigh(arena, g, n).values);
    }
  });

  it('symmetrizes a slightly asymmetric input', () => {
    const n = 13;
    const a = randomSpd(n, makeRng(1));
    const b = Float64Array.from(a);
    b[1] += 1e-9;
    b[n] -= 1e-9;
    const r1 = eigh(arena, a, n);
    const r2 = eigh(arena, b, n);
    expect(maxAbsDiff(r1.values, r2.values)).toBeLessThan(1e-12);
  });

  it('refuses non-finite input and oversized matrices', () => {
    const bad = identity(3);
    bad[4] = Infinity;
    expect(() => eigh(arena, bad, 3)).toThrowError(BdlError);
    try {
      eigh(arena, { length: 1e8 } as ArrayLike<number>, 1e4);
      expect.unreachable();
    } catch (e) {
      expect((e as BdlError).code).toBe('E_MEMORY');
    }
  });
});

import { describe, expect, it } from 'vitest';
import { cholesky, eigh, linalg } from '../../src/linalg/index.js';
import { Arena } from '../../src/wasm/index.js';
import { makeRng, randn, randomSpd } from './reference.js';

describe('linalg(arena)', () => {
  it('binds the wrappers to one arena with the same results', async () => {
    const arena = await Arena.create();
    const la = linalg(arena);
    const n = 13;
    const a = randomSpd(n, makeRng(6));
    const { l, jitter } = la.cholesky(a, n, { jitter: 1e-12 });
    expect(jitter).toBe(0);
    expect(l).toEqual(cholesky(arena, a, n).l);
    const b = randn(n, makeRng(7));
    const x = la.solve(l, b, n);
    expect(x.length).toBe(n);
    expect(la.inverse(l, n).length).toBe(n * n);
    expect(Number.isFinite(la.logdet(l, n))).toBe(true);
    expect(la.eigh(a, n).values).toEqual(eigh(arena, a, n).values);
  });
});

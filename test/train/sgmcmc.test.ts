import { describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { psgld, sghmc, sghmcMh, sgld } from '../../src/train/sgmcmc.js';
import { Arena } from '../../src/wasm/index.js';

const P = 4000;

function variance(x: Float32Array): number {
  let m = 0;
  for (const v of x) m += v / x.length;
  let s = 0;
  for (const v of x) s += (v - m) ** 2 / (x.length - 1);
  return s;
}

describe('SG-MCMC transforms', () => {
  it('SGLD adds √(2T/(lr·N))·ξ to u: the step θ − lr·u then has variance 2·lr·T/N', async () => {
    const a = await Arena.create();
    const [lr, N, T] = [0.01, 500, 0.5];
    const t = sgld({ n: N, seed: 4, temperature: T });
    const st = t.init(a, P);
    const u = a.allocF32(P);
    t.update(a, st, { step: 1, lr, theta: 0, u, n: P });
    const step = a.getF32(u, P).map((v) => lr * v);
    expect(variance(step) / ((2 * lr * T) / N)).toBeGreaterThan(0.93);
    expect(variance(step) / ((2 * lr * T) / N)).toBeLessThan(1.07);
    // Counter-based: the same step gives the same noise, another step another one.
    const again = a.allocF32(P);
    t.update(a, st, { step: 1, lr, theta: 0, u: again, n: P });
    expect(a.getF32(again, P)).toEqual(a.getF32(u, P));
    const other = a.allocF32(P);
    t.update(a, st, { step: 2, lr, theta: 0, u: other, n: P });
    expect(a.getF32(other, P)).not.toEqual(a.getF32(u, P));
  });

  it('SGLD leaves u alone on noiseless steps (cyclical exploration)', async () => {
    const a = await Arena.create();
    const t = sgld({ n: 10, noisy: (s) => s > 1 });
    const u = a.putF32(Float32Array.from([1, 2, 3]));
    t.update(a, t.init(a, 3), { step: 1, lr: 0.1, theta: 0, u, n: 3 });
    expect(Array.from(a.getF32(u, 3))).toEqual([1, 2, 3]);
  });

  it('pSGLD preconditions the gradient and scales the noise by √G', async () => {
    const a = await Arena.create();
    const [lr, N] = [0.001, 100];
    const t = psgld({ n: N, alpha: 0, eps: 1e-8, noisy: () => false });
    const u = a.putF32(Float32Array.from([4, -0.25]));
    t.update(a, t.init(a, 2), { step: 1, lr, theta: 0, u, n: 2 });
    // alpha 0: v = g², G = 1/|g| (eps negligible): u = sign(g).
    expect(a.getF32(u, 2)[0]).toBeCloseTo(1, 4);
    expect(a.getF32(u, 2)[1]).toBeCloseTo(-1, 4);
  });

  it('SGHMC: v ← (1−α)v − lr·g + √(2α·lr/N)·ξ and u = −v/lr', async () => {
    const a = await Arena.create();
    const [lr, N, alpha] = [0.02, 300, 0.1];
    const t = sghmc({ n: N, friction: alpha, seed: 1 });
    const st = t.init(a, P);
    const u = a.allocF32(P);
    t.update(a, st, { step: 1, lr, theta: 0, u, n: P });
    const v = a.getF32(st.v, P);
    expect(variance(v) / ((2 * alpha * lr) / N)).toBeGreaterThan(0.93);
    expect(variance(v) / ((2 * alpha * lr) / N)).toBeLessThan(1.07);
    const U = a.getF32(u, P);
    for (let i = 0; i < 5; i++) expect(U[i]).toBeCloseTo(-v[i] / lr, 5);
  });

  it('rejects bad options with typed errors', () => {
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof BdlError ? e.code : 'other';
      }
      return 'none';
    };
    expect(code(() => sgld({ n: 0 }))).toBe('E_ARG');
    expect(code(() => sgld({ n: 10, temperature: -1 }))).toBe('E_ARG');
    expect(code(() => psgld({ n: 10, alpha: 1 }))).toBe('E_ARG');
    expect(code(() => sghmc({ n: 10, friction: 0 }))).toBe('E_ARG');
    expect(code(() => sghmcMh({ n: 10, every: 0, energy: () => ({ u: 0, grad: new Float64Array() }) }))).toBe('E_ARG');
  });
});

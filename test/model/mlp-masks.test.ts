import { describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { Mlp } from '../../src/model/mlp.js';
import { randF32 } from '../assembly/nn/ref.js';

describe('Mlp with caller-made masks', () => {
  const spec = { inputs: 3, hidden: [5, 4], outputs: 2, activation: 'tanh' as const, likelihood: 'gaussian' as const, dropout: [0.1, 0, 0.2] };
  const B = 7;

  it('applies them and returns ∂L/∂mask (finite differences), and ∂L/∂θ through them', async () => {
    const mlp = await Mlp.create(spec, { capacity: 8 });
    const a = mlp.arena;
    const theta = a.putF32(mlp.init(3));
    const grad = a.allocF32(mlp.size);
    const x = a.putF32(randF32(B * 3, 1));
    const y = a.putF32(randF32(B * 2, 2));
    const m0 = randF32(B * 3, 3).map((v) => 1 + 0.3 * v);
    const m2 = randF32(B * 5, 4).map((v) => 1 + 0.3 * v);
    const pm0 = a.putF32(m0);
    const pm2 = a.putF32(m2);
    const g0 = a.allocF32(B * 3);
    const g2 = a.allocF32(B * 5);
    const opts = { maskPtrs: [pm0, 0, pm2], maskGrads: [g0, 0, g2] };
    mlp.lossAndGradAt(theta, grad, x, y, B, opts);
    const gm0 = a.getF32(g0, B * 3);
    const gm2 = a.getF32(g2, B * 5);
    const gt = a.getF32(grad, mlp.size);
    const lossWith = (p: number, v: Float32Array) => {
      a.putF32(v, p);
      return mlp.lossAt(theta, x, y, B, opts);
    };
    const h = 1e-2;
    for (const [p, m, g] of [[pm0, m0, gm0], [pm2, m2, gm2]] as const) {
      for (const i of [0, 5, m.length - 1]) {
        const up = m.slice(); up[i] += h;
        const dn = m.slice(); dn[i] -= h;
        const fd = (lossWith(p, up) - lossWith(p, dn)) / (2 * h);
        lossWith(p, m);
        expect(Math.abs(fd - g[i])).toBeLessThan(2e-3 + 1e-2 * Math.abs(fd));
      }
    }
    const th = a.getF32(theta, mlp.size);
    for (const i of [0, 17, mlp.size - 1]) {
      const up = th.slice(); up[i] += h;
      const dn = th.slice(); dn[i] -= h;
      const fd = (lossWith(theta, up) - lossWith(theta, dn)) / (2 * h);
      expect(Math.abs(fd - gt[i])).toBeLessThan(2e-3 + 1e-2 * Math.abs(fd));
    }
  });

  it('returns ∂L/∂x (finite differences), with and without an input mask, leaving ∂L/∂θ unchanged', async () => {
    const mlp = await Mlp.create(spec, { capacity: 8 });
    const a = mlp.arena;
    const theta = a.putF32(mlp.init(5));
    const grad = a.allocF32(mlp.size);
    const plain = a.allocF32(mlp.size);
    const xs = randF32(B * 3, 6);
    const x = a.putF32(xs);
    const y = a.putF32(randF32(B * 2, 7));
    const pm0 = a.putF32(randF32(B * 3, 8).map((v) => 1 + 0.3 * v));
    const gx = a.allocF32(B * 3);
    for (const masks of [{}, { maskPtrs: [pm0, 0, 0] }]) {
      mlp.lossAndGradAt(theta, plain, x, y, B, masks);
      mlp.lossAndGradAt(theta, grad, x, y, B, { ...masks, inputGrad: gx });
      expect(Array.from(a.getF32(grad, mlp.size))).toEqual(Array.from(a.getF32(plain, mlp.size)));
      const g = a.getF32(gx, B * 3);
      const h = 1e-2;
      for (const i of [0, 4, 11, B * 3 - 1]) {
        const up = xs.slice(); up[i] += h;
        const dn = xs.slice(); dn[i] -= h;
        a.putF32(up, x);
        const lu = mlp.lossAt(theta, x, y, B, masks);
        a.putF32(dn, x);
        const ld = mlp.lossAt(theta, x, y, B, masks);
        a.putF32(xs, x);
        const fd = (lu - ld) / (2 * h);
        expect(Math.abs(fd - g[i])).toBeLessThan(2e-3 + 1e-2 * Math.abs(fd));
      }
    }
  });

  it('rejects a mask on a layer without a dropout rate', async () => {
    const mlp = await Mlp.create(spec, { capacity: 8 });
    const a = mlp.arena;
    const p = a.allocF32(64);
    expect(() => mlp.forwardAt(a.putF32(mlp.init(0)), p, 2, undefined, [0, p, 0])).toThrow(BdlError);
  });
});

import { describe, expect, it } from 'vitest';
import { BdlError } from '../../../src/errors.js';
import { makeDataset } from '../../../src/data/dataset.js';
import { Mlp } from '../../../src/model/mlp.js';
import { concreteObjective, trainConcreteDropout } from '../../../src/methods/variational/concrete-dropout.js';
import { posteriorFromBytes } from '../../../src/posterior/restore.js';
import type { LoopContext } from '../../../src/train/fit.js';
import { expectEarlyStopping, gapData, linearData } from '../helpers.js';

describe('Concrete dropout', () => {
  it('stops early on held-out rows by default (at 4× the patience: masks make its gradient sampled), scored by the deterministic pass of θ; runs the given epochs when told', async () => {
    await expectEarlyStopping(trainConcreteDropout, 4);
    const mlp = await Mlp.create({ inputs: 2, hidden: [4], outputs: 1, activation: 'relu', likelihood: 'gaussian', dropout: [0.1, 0.1] }, { capacity: 32 });
    const obj = concreteObjective(mlp, { layers: [0, 1], temperature: 0.1, wr: 0, dr: 0, initialRate: 0.1 });
    const phi = obj.init(1, 0);
    const rows = linearData(12, 2, 0.3, 3);
    const a = mlp.arena;
    const score = obj.validationLossAt!(a.putF32(phi), a.putF32(rows.x), a.putF32(rows.y), rows.n);
    expect(score / rows.n).toBeCloseTo(mlp.loss(phi.subarray(0, mlp.size), rows, { noiseVar: 1 }), 5);
  });

  // The same number of steps for both sizes; the hidden layer's rate (fan-in 32: the entropy term
  // K·H(p)/N is what shrinks with N) is the one the data size governs.
  it('learns a smaller drop rate with 10× more data', async () => {
    for (const seed of [1, 2]) {
      const rate = async (n: number) => {
        const post = await trainConcreteDropout(gapData(n, 5), { hidden: [32], layers: 'hidden', epochs: Math.round(24000 / n), learningRate: 1e-2, seed });
        const r = post.source.learned!.learnedRates;
        expect(r[0]).toBe(0);
        return r[1];
      };
      const small = await rate(100);
      const large = await rate(1000);
      expect(large).toBeLessThan(0.8 * small);
      expect(small).toBeLessThan(0.1);
    }
  });

  it('has the gradient of its loss in θ and in logit p (finite differences, fixed uniforms)', async () => {
    const spec = { inputs: 2, hidden: [5], outputs: 1, activation: 'tanh' as const, likelihood: 'gaussian' as const, dropout: [0.1, 0.1] };
    const mlp = await Mlp.create(spec, { capacity: 16 });
    const obj = concreteObjective(mlp, { layers: [0, 1], temperature: 0.1, wr: 0.01, dr: 0.02, initialRate: 0.2 });
    const a = mlp.arena;
    const data = linearData(8, 2, 0.3, 5);
    const phi = obj.init(1, 0);
    const params = a.putF32(phi);
    const grad = a.allocF32(obj.size);
    const x = a.putF32(data.x);
    const y = a.putF32(data.y);
    const ctx = { arena: a, epoch: 0, step: 3, n: 8, seed: 2, stream: 0, params, size: obj.size, lr: 0, loss: 0 } as LoopContext;
    obj.lossAndGradAt(params, grad, x, y, 8, ctx);
    const g = a.getF32(grad, obj.size);
    const f = (v: Float32Array) => {
      a.putF32(v, params);
      return obj.lossAndGradAt(params, grad, x, y, 8, ctx);
    };
    for (const i of [0, 4, 9, 17, obj.size - 2, obj.size - 1]) {
      const h = 1e-2;
      const up = phi.slice(); up[i] += h;
      const dn = phi.slice(); dn[i] -= h;
      const fd = (f(up) - f(dn)) / (2 * h);
      expect(Math.abs(fd - g[i])).toBeLessThan(3e-3 + 3e-2 * Math.abs(fd));
    }
  });

  it('reports the learned rates, is deterministic and restores from bytes with identical predictions', async () => {
    const train = linearData(50, 2, 0.3, 7);
    const a = await trainConcreteDropout(train, { hidden: [8], epochs: 4, seed: 4 });
    const b = await trainConcreteDropout(train, { hidden: [8], epochs: 4, seed: 4 });
    expect(Array.from(b.source.theta)).toEqual(Array.from(a.source.theta));
    const r = a.info.learnedRates as number[];
    expect(r).toHaveLength(2);
    r.forEach((p) => {
      expect(p).toBeGreaterThan(0);
      expect(p).toBeLessThan(1);
    });
    const again = await posteriorFromBytes(a.toBytes());
    expect(again.method).toBe('concrete-dropout');
    expect(again.info!.learnedRates).toEqual(r);
    const x = Float32Array.from([0.1, -0.4, 1.2, 0.3]);
    const pa = await a.predict(x, { seed: 3 });
    const pb = await again.predict(x, { seed: 3 });
    if (pa.kind !== 'regression' || pb.kind !== 'regression') throw new Error('regression expected');
    expect(Array.from(pb.mean)).toEqual(Array.from(pa.mean));
  });

  it('rejects bad options with typed errors', async () => {
    const train = makeDataset([[0], [1], [2]], [0, 1, 2]);
    for (const bad of [{ initialRate: 0 }, { initialRate: 1 }, { temperature: 0 }, { layers: 'some' as never }, { dropoutRegularizer: -1 }, { hidden: [], layers: 'hidden' as const }]) {
      await expect(trainConcreteDropout(train, { hidden: [2], epochs: 1, ...bad })).rejects.toBeInstanceOf(BdlError);
    }
  });
});

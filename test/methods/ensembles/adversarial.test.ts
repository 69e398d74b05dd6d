import { describe, expect, it } from 'vitest';
import { BdlError } from '../../../src/errors.js';
import { adversarialObjective } from '../../../src/methods/ensembles/adversarial.js';
import { trainEnsemble } from '../../../src/methods/ensembles/ensemble.js';
import { NoiseEstimate } from '../../../src/methods/noise.js';
import { Mlp } from '../../../src/model/mlp.js';
import { randF32 } from '../../assembly/nn/ref.js';
import { linearData } from '../helpers.js';

describe('adversarial training (fast gradient sign)', () => {
  const spec = { inputs: 3, hidden: [6], outputs: 1, activation: 'relu' as const, likelihood: 'gaussian' as const };
  const B = 5;

  it('is ℓ(x) + ℓ(x + ε⊙sign ∂ℓ/∂x), with the sum of both gradients', async () => {
    const mlp = await Mlp.create(spec, { capacity: 8 });
    const a = mlp.arena;
    const eps = Float32Array.from([0.1, 0, 0.3]);
    const obj = adversarialObjective(mlp, new NoiseEstimate(0.5, true), eps, 8);
    const theta = a.putF32(mlp.init(2));
    const xs = randF32(B * 3, 3);
    const x = a.putF32(xs);
    const y = a.putF32(randF32(B, 4));
    const grad = a.allocF32(mlp.size);
    const ctx = { arena: a, epoch: 0, step: 0, n: 20, seed: 0, stream: 0, params: theta, size: mlp.size, lr: 1e-3 } as Parameters<typeof obj.lossAndGradAt>[5];
    const loss = obj.lossAndGradAt(theta, grad, x, y, B, ctx);
    // The same by hand: ∂ℓ/∂x from the engine, the nudged inputs, two plain passes.
    const o = { scale: 1 / B, noiseVar: 0.5 };
    const gx = a.allocF32(B * 3);
    const g1 = a.allocF32(mlp.size);
    const l1 = mlp.lossAndGradAt(theta, g1, x, y, B, { ...o, inputGrad: gx });
    const dx = a.getF32(gx, B * 3);
    const xAdv = a.putF32(xs.map((v, i) => v + eps[i % 3] * Math.sign(dx[i])));
    const g2 = a.allocF32(mlp.size);
    const l2 = mlp.lossAndGradAt(theta, g2, xAdv, y, B, o);
    expect(loss).toBeCloseTo(l1 + l2, 6);
    expect(l2).toBeGreaterThan(l1); // the nudge raises the loss
    const [g, s1, s2] = [a.getF32(grad, mlp.size), a.getF32(g1, mlp.size), a.getF32(g2, mlp.size)];
    for (let i = 0; i < mlp.size; i++) expect(g[i]).toBeCloseTo(s1[i] + s2[i], 5);
  });

  it('trains ensemble members deterministically, differently from plain members; refuses a negative ε', async () => {
    const data = linearData(60, 2, 0.3, 9);
    const o = { hidden: [8], epochs: 5, members: 2, seed: 1 };
    const a = await trainEnsemble(data, { ...o, adversarial: 0.01 });
    const b = await trainEnsemble(data, { ...o, adversarial: 0.01 });
    const plain = await trainEnsemble(data, o);
    a.members.forEach((t, m) => expect(Array.from(b.members[m])).toEqual(Array.from(t)));
    expect(Array.from(a.members[0])).not.toEqual(Array.from(plain.members[0]));
    await expect(trainEnsemble(data, { ...o, adversarial: -1 })).rejects.toBeInstanceOf(BdlError);
  });
});

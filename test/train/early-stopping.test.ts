import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { Mlp } from '../../src/model/mlp.js';
import { fit, type Objective } from '../../src/train/fit.js';
import { budgetOf, defaultEpochs, fitOptionsOf, withPatience, SAMPLED_PATIENCE } from '../../src/methods/common.js';
import { Rng } from '../../src/random/index.js';

/** y = x + noise: a wide network at a high rate overfits 60 rows, so the held-out loss turns up early. */
function noisy(n: number, seed: number) {
  const rng = new Rng(seed, 3);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = 2 * rng.uniform() - 1;
    x.push([a]);
    y.push(a + rng.normal());
  }
  return makeDataset(x, y);
}

const spec = { inputs: 1, hidden: [200], outputs: 1, activation: 'relu' as const, likelihood: 'gaussian' as const };

describe('early stopping (fit)', () => {
  it('stops after `patience` epochs without a better held-out loss and restores the best epoch exactly', async () => {
    const data = noisy(300, 1);
    const mlp = await Mlp.create(spec, { capacity: 32 });
    const es = { fraction: 0.2, patience: 5 };
    const r = await fit(mlp, data, { epochs: 2000, learningRate: 1e-2, priorPrecision: 0, earlyStopping: es });
    expect(r.bestEpoch).toBeGreaterThanOrEqual(1);
    // It stopped: exactly `patience` epochs after the best one (the budget was far larger).
    expect(r.losses.length).toBe(r.bestEpoch! + es.patience);
    // The kept values are the best epoch's: a fixed-length run of bestEpoch epochs on the same rows gives the same bits.
    const again = await fit(mlp, data, { epochs: r.bestEpoch!, learningRate: 1e-2, priorPrecision: 0, earlyStopping: { fraction: 0.2, patience: 100000 } });
    expect(Array.from(again.params)).toEqual(Array.from(r.params));
    expect(Number.isFinite(r.validationLoss)).toBe(true);
  });

  it('is a pure function of (seed, stream): same bits twice, other rows for another stream', async () => {
    const data = noisy(300, 2);
    const mlp = await Mlp.create(spec, { capacity: 32 });
    const o = { epochs: 300, learningRate: 1e-2, earlyStopping: { fraction: 0.1, patience: 10 } };
    const a = await fit(mlp, data, o);
    const b = await fit(mlp, data, o);
    const c = await fit(mlp, data, { ...o, stream: 1 });
    expect(Array.from(a.params)).toEqual(Array.from(b.params));
    expect(Array.from(a.params)).not.toEqual(Array.from(c.params));
  });

  it('is off (the plain loop, same bits) with fewer than 20 held-out rows, or an objective that cannot score held-out rows', async () => {
    const data = noisy(150, 3);
    const mlp = await Mlp.create(spec, { capacity: 32 });
    const plain = await fit(mlp, data, { epochs: 7 });
    const few = await fit(mlp, data, { epochs: 7, earlyStopping: { fraction: 0.1, patience: 1 } });
    expect(Array.from(few.params)).toEqual(Array.from(plain.params));
    expect(few.bestEpoch).toBeUndefined();
    const base = mlp;
    const objective: Objective = {
      size: base.size,
      init: (s, t) => base.init(s, t),
      lossAndGradAt: (p, g, x, y, b) => base.lossAndGradAt(p, g, x, y, b, { scale: 1 / b }),
    };
    const r = await fit(mlp, noisy(400, 3), { epochs: 3, objective, earlyStopping: { fraction: 0.5, patience: 1 } });
    expect(r.losses.length).toBe(3);
    expect(r.bestEpoch).toBeUndefined();
  });

  it('refuses a fraction outside (0, 1) and a patience that is not a positive integer, before any work', async () => {
    const mlp = await Mlp.create(spec, { capacity: 32 });
    const data = noisy(300, 4);
    await expect(fit(mlp, data, { earlyStopping: { fraction: 1, patience: 3 } })).rejects.toMatchObject({ code: 'E_ARG' });
    await expect(fit(mlp, data, { earlyStopping: { fraction: 0.1, patience: 0.5 } })).rejects.toMatchObject({ code: 'E_ARG' });
  });
});

describe('budgetOf (the default training length)', () => {
  it('early stopping by default, up to 40,000 steps within [40, 4000] epochs, patience 1000 steps (≥ 5 epochs)', () => {
    // 5,000 rows: 4,500 train rows = 141 batches of 32 → 284 epochs at most, patience 8 epochs.
    expect(budgetOf({}, 5000, true)).toEqual({ epochs: 284, earlyStopping: { fraction: 0.1, patience: 8 } });
    // 50,000 rows: at least 40 passes; patience at least 5 epochs.
    expect(budgetOf({}, 50000, true)).toEqual({ epochs: 40, earlyStopping: { fraction: 0.1, patience: 5 } });
    // 300 rows: 270 train rows = 9 batches → capped at 4000 epochs, patience 112 epochs.
    expect(budgetOf({}, 300, true)).toEqual({ epochs: 4000, earlyStopping: { fraction: 0.1, patience: 112 } });
  });

  it('the fixed step budget when epochs is given, the fraction is 0, too few rows would be held out, or the objective cannot stop', () => {
    expect(budgetOf({ epochs: 7 }, 5000, true)).toEqual({ epochs: 7 });
    expect(budgetOf({ validationFraction: 0 }, 5000, true)).toEqual({ epochs: defaultEpochs(5000) });
    expect(budgetOf({}, 150, true)).toEqual({ epochs: defaultEpochs(150) });
    expect(budgetOf({}, 5000, false)).toEqual({ epochs: defaultEpochs(5000) });
  });
});

describe('withPatience (methods with sampled gradients wait longer)', () => {
  it('multiplies the default patience and nothing else; a fixed budget stays as it is', () => {
    const fo = fitOptionsOf({}, 0, 5000, true);
    expect(SAMPLED_PATIENCE).toBe(4);
    const slow = withPatience(fo, SAMPLED_PATIENCE);
    expect(slow.earlyStopping).toEqual({ fraction: 0.1, patience: 32 });
    expect({ ...slow, earlyStopping: fo.earlyStopping }).toEqual(fo);
    expect(fo.earlyStopping!.patience).toBe(8);
    const fixed = fitOptionsOf({ epochs: 7 }, 0, 5000, true);
    expect(withPatience(fixed, SAMPLED_PATIENCE)).toEqual(fixed);
  });
});

import { describe, expect, it } from 'vitest';
import { makeDataset, subset } from '../../src/data/dataset.js';
import { Mlp } from '../../src/model/mlp.js';
import { fit, heldOutRows, type Objective } from '../../src/train/fit.js';
import { budgetOf, defaultEpochs, fitOptionsOf, withPatience, SAMPLED_PATIENCE } from '../../src/methods/common.js';
import { Rng } from '../../src/random/index.js';
import type { Standardizer } from '../../src/data/standardize.js';
import { temperedNll } from '../../src/posterior/temperature.js';

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

  it('from: keeps no epoch before it (the best of the epochs from it on), and counts the patience from it', async () => {
    const data = noisy(300, 1);
    const mlp = await Mlp.create(spec, { capacity: 32 });
    const o = { epochs: 2000, learningRate: 1e-2, priorPrecision: 0 };
    const free = await fit(mlp, data, { ...o, earlyStopping: { fraction: 0.2, patience: 5 } });
    const from = free.bestEpoch! + 10;
    const late = await fit(mlp, data, { ...o, earlyStopping: { fraction: 0.2, patience: 5, from } });
    expect(late.bestEpoch).toBeGreaterThanOrEqual(from);
    expect(late.losses.length).toBe(late.bestEpoch! + 5);
    // The kept values are that epoch's: the same trajectory cut there (scored from that epoch only, so
    // that the earlier, better epochs are not restored).
    const again = await fit(mlp, data, { ...o, epochs: late.bestEpoch!, earlyStopping: { fraction: 0.2, patience: 100000, from: late.bestEpoch! } });
    expect(Array.from(again.params)).toEqual(Array.from(late.params));
    // From the first epoch: the same run as without it.
    const one = await fit(mlp, data, { ...o, earlyStopping: { fraction: 0.2, patience: 5, from: 1 } });
    expect(Array.from(one.params)).toEqual(Array.from(free.params));
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

  it('given rows: scores those (standardized as the data) and trains on every row of the data', async () => {
    const data = noisy(300, 5);
    const held = noisy(60, 6);
    const mlp = await Mlp.create(spec, { capacity: 32 });
    const o = { epochs: 2000, batchSize: 30, learningRate: 1e-2, priorPrecision: 0 };
    const r = await fit(mlp, data, { ...o, earlyStopping: { fraction: 0.2, patience: 5, rows: held } });
    // Every one of the 300 rows trains: 10 batches of 30 per epoch (a held-out share would leave 8).
    expect(r.steps).toBe(10 * r.losses.length);
    expect(r.losses.length).toBe(r.bestEpoch! + 5);
    // The kept loss is the given rows' mean loss at the kept values, in the data's standardized units.
    const std = r.standardizer!;
    const z = held.x.map((v) => (v - std.xMean[0]) / std.xStd[0]);
    const f = mlp.forward(r.params, z);
    let sse = 0;
    for (let i = 0; i < held.n; i++) sse += (f[i] - (held.y[i] - std.yMean![0]) / std.yStd![0]) ** 2;
    expect(r.validationLoss).toBeCloseTo(0.5 * sse / held.n + 0.5 * Math.log(2 * Math.PI), 4);
    // Not the held-out share's run, and a fixed run of bestEpoch epochs on every row gives the same bits.
    const share = await fit(mlp, data, { ...o, earlyStopping: { fraction: 0.2, patience: 5 } });
    expect(Array.from(share.params)).not.toEqual(Array.from(r.params));
    const again = await fit(mlp, data, { ...o, epochs: r.bestEpoch! });
    expect(Array.from(again.params)).toEqual(Array.from(r.params));
    // Rows of another shape are refused; fewer than 20 turn early stopping off.
    await expect(fit(mlp, data, { ...o, earlyStopping: { fraction: 0.2, patience: 5, rows: { ...held, inputs: 2 } } })).rejects.toMatchObject({ code: 'E_SHAPE' });
    const few = await fit(mlp, data, { ...o, epochs: 3, earlyStopping: { fraction: 0.2, patience: 1, rows: noisy(10, 7) } });
    expect(few.bestEpoch).toBeUndefined();
    expect(few.losses.length).toBe(3);
  });

  it('tempered (classification): keeps the epoch whose held-out rows score best at their best temperature', async () => {
    const blobs = (n: number, seed: number) => {
      const rng = new Rng(seed, 4);
      const x: number[][] = [];
      const y: number[] = [];
      for (let i = 0; i < n; i++) {
        x.push([Math.cos((2 * Math.PI * (i % 3)) / 3) + rng.normal(), Math.sin((2 * Math.PI * (i % 3)) / 3) + rng.normal()]);
        y.push(i % 3);
      }
      return makeDataset(x, y);
    };
    const data = blobs(150, 1);
    const held = blobs(150, 2);
    const mlp = await Mlp.create({ inputs: 2, hidden: [200], outputs: 3, activation: 'relu', likelihood: 'categorical' }, { capacity: 32 });
    const o = { epochs: 600, learningRate: 1e-2, priorPrecision: 0 };
    const plain = await fit(mlp, data, { ...o, earlyStopping: { fraction: 0.1, patience: 30, rows: held } });
    const tempered = await fit(mlp, data, { ...o, earlyStopping: { fraction: 0.1, patience: 30, rows: held, tempered: true } });
    const std = tempered.standardizer!;
    const z = Float32Array.from(held.x, (v, i) => (v - std.xMean[i % 2]) / std.xStd[i % 2]);
    const logits = Float64Array.from(mlp.forward(tempered.params, z));
    // The kept score is the tempered NLL of the kept values, below their NLL at T = 1.
    expect(tempered.validationLoss).toBeCloseTo(temperedNll(logits, held.y, 3), 6);
    expect(tempered.validationLoss!).toBeLessThan(mlp.loss(tempered.params, { ...held, x: z }) - 1e-3);
    // Another criterion, another epoch (here the plain NLL keeps epoch 34, the tempered one epoch 8).
    expect(tempered.bestEpoch).not.toBe(plain.bestEpoch);
    // Regression has no temperature: the same bits as the plain score.
    const reg = noisy(300, 5);
    const rmlp = await Mlp.create(spec, { capacity: 32 });
    const a = await fit(rmlp, reg, { ...o, earlyStopping: { fraction: 0.2, patience: 5 } });
    const b = await fit(rmlp, reg, { ...o, earlyStopping: { fraction: 0.2, patience: 5, tempered: true } });
    expect(Array.from(b.params)).toEqual(Array.from(a.params));
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

  it('given validation rows: every row trains, so the budget counts all n rows; the method\'s standardizer is applied to them', () => {
    const v = noisy(40, 8);
    // 5,000 rows all train: 157 batches of 32 → 255 epochs at most, patience 7 epochs.
    expect(budgetOf({ validation: v }, 5000, true)).toEqual({ epochs: 255, earlyStopping: { fraction: 0.1, patience: 7, rows: v } });
    const std: Standardizer = { xMean: Float64Array.of(1), xStd: Float64Array.of(2) };
    const rows = budgetOf({ validation: v }, 5000, true, std).earlyStopping!.rows!;
    expect(rows.x[3]).toBeCloseTo((v.x[3] - 1) / 2, 6);
    expect(Array.from(rows.y)).toEqual(Array.from(v.y));
    // Ignored where the method cannot stop, when epochs is given, or with fewer than 20 rows.
    expect(budgetOf({ validation: v }, 5000, false)).toEqual({ epochs: defaultEpochs(5000) });
    expect(budgetOf({ validation: v, epochs: 7 }, 5000, true)).toEqual({ epochs: 7 });
    expect(budgetOf({ validation: noisy(10, 9) }, 5000, true)).toEqual(budgetOf({}, 5000, true));
    // stoppingScore 'tempered-nll' asks fit for the tempered score; 'nll' (or nothing) does not.
    expect(budgetOf({ stoppingScore: 'tempered-nll' }, 5000, true).earlyStopping).toEqual({ fraction: 0.1, patience: 8, tempered: true });
    expect(budgetOf({ stoppingScore: 'nll' }, 5000, true)).toEqual(budgetOf({}, 5000, true));
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

describe('early stopping of a classifier: stratified held-out rows', () => {
  // 400 rows, class 2 has 6 of them: a plain 10 % permutation misses it about half the time.
  const rng = new Rng(5, 0);
  const labels = Array.from({ length: 400 }, (_, i) => (i < 6 ? 2 : i % 2));
  const data = makeDataset(labels.map((c) => [c + rng.normal(), rng.normal()]), labels);

  it('holds out every class for every seed, in each share (heldOutRows with labels)', () => {
    for (let seed = 0; seed < 30; seed++) {
      const held = heldOutRows(400, 0.1, seed, 1, 0, data.y)!;
      expect(held.validation.length).toBe(40);
      expect(Array.from(held.validation, (r) => labels[r])).toContain(2);
      expect(new Set([...held.validation, ...held.train]).size).toBe(400);
    }
  });

  it('fit holds out those rows for a classifier (the same bits as training on the rest and stopping on them)', async () => {
    const cls = { inputs: 2, hidden: [8], outputs: 3, activation: 'relu' as const, likelihood: 'categorical' as const };
    const mlp = await Mlp.create(cls, { capacity: 32 });
    const o = { epochs: 30, seed: 4, stream: 2, standardize: false, learningRate: 1e-2 };
    const r = await fit(mlp, data, { ...o, earlyStopping: { fraction: 0.1, patience: 3 } });
    const held = heldOutRows(400, 0.1, 4, 2, 0, data.y)!;
    const given = await fit(mlp, subset(data, held.train), { ...o, earlyStopping: { fraction: 0.1, patience: 3, rows: subset(data, held.validation) } });
    expect(r.validationCurve).toEqual(given.validationCurve);
    expect(Array.from(r.params)).toEqual(Array.from(given.params));
  });

  it('leaves regression (no labels) on the plain seeded permutation, bit for bit', () => {
    const perm = new Rng(3, 1, [0, 0, 0x76]).permutation(400);
    const held = heldOutRows(400, 0.1, 3, 1)!;
    expect(Array.from(held.validation)).toEqual(Array.from(perm.subarray(0, 40)));
    expect(Array.from(held.train)).toEqual(Array.from(perm.subarray(40)));
  });
});

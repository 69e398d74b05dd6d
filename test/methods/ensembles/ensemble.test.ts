import { describe, expect, it } from 'vitest';
import { BdlError } from '../../../src/errors.js';
import { makeDataset } from '../../../src/data/dataset.js';
import { refitEpochs, trainEnsemble, trainEnsembleWithRefit } from '../../../src/methods/ensembles/ensemble.js';
import { posteriorFromBytes } from '../../../src/posterior/restore.js';
import type { Predictive } from '../../../src/posterior/types.js';
import { trainMember } from '../../../src/methods/ensembles/train-member.js';
import { gapContrast, gapData, gapGrid, linearData } from '../helpers.js';
import { budgetOf } from '../../../src/methods/common.js';
import { applyStandardizer } from '../../../src/data/standardize.js';
import { trainTestSplit } from '../../../src/data/split.js';
import { Rng } from '../../../src/random/index.js';
import { standardized } from '../../../src/methods/noise.js';

/** The per-member means and variances of a regression predictive. */
function members(p: Predictive): { mean: Float32Array; variance: Float32Array; count: number } {
  if (p.kind !== 'regression' || !p.members) throw new Error('a regression predictive with members expected');
  return p.members;
}

describe('deep ensemble', () => {
  it('regression that stops early: heteroscedastic members on the β-NLL (β ½) at 4× patience; gaussian when epochs or σ is given', async () => {
    const data = linearData(300, 2, 0.3, 9);
    const post = await trainEnsemble(data, { hidden: [8], members: 2, seed: 4 });
    expect(post.spec.likelihood).toBe('heteroscedastic');
    // Member 1 is the member trainMember gives for exactly that recipe, bit for bit.
    const budget = budgetOf({}, data.n, true);
    const es = budget.earlyStopping!;
    const z = standardized(data, true).data;
    const options = { epochs: budget.epochs, earlyStopping: { ...es, patience: 4 * es.patience }, batchSize: 32, learningRate: 1e-3, priorPrecision: 1, betaNll: 0.5 };
    const m1 = await trainMember(post.spec, options, 4, 1, { x: z.x, y: z.y });
    expect(Array.from(post.source.members[1])).toEqual(Array.from(m1.theta));
    expect((await trainEnsemble(data, { hidden: [8], members: 2, epochs: 5 })).spec.likelihood).toBe('gaussian');
    expect((await trainEnsemble(data, { hidden: [8], members: 2, noise: 0.3, validationFraction: 0.2 })).spec.likelihood).toBe('gaussian');
  });

  it('has more epistemic variance in a gap of the inputs than on the data', async () => {
    const post = await trainEnsemble(gapData(120, 4), { hidden: [32], epochs: 150, learningRate: 1e-2, seed: 1 });
    const p = await post.predict(gapGrid);
    if (p.kind !== 'regression') throw new Error('regression expected');
    const c = gapContrast(p.epistemic, gapGrid);
    expect(c.gap).toBeGreaterThan(2 * c.data);
    expect(p.members!.count).toBe(5);
  });

  it('heteroscedastic members: aleatoric = mean of member variances, epistemic = variance of member means', async () => {
    const post = await trainEnsemble(gapData(80, 2), { hidden: [16], epochs: 30, members: 3, likelihood: 'heteroscedastic', seed: 3 });
    const p = await post.predict(Float32Array.from([0, 1.5]));
    if (p.kind !== 'regression') throw new Error('regression expected');
    const { mean, variance, count } = p.members!;
    for (let i = 0; i < 2; i++) {
      const ms = Array.from({ length: count }, (_, s) => mean[s * 2 + i]);
      const vs = Array.from({ length: count }, (_, s) => variance[s * 2 + i]);
      const m = ms.reduce((a, b) => a + b) / count;
      expect(p.aleatoric[i]).toBeCloseTo(vs.reduce((a, b) => a + b) / count, 5);
      expect(p.epistemic[i]).toBeCloseTo(ms.reduce((a, b) => a + (b - m) ** 2, 0) / count, 5);
      expect(new Set(vs).size).toBe(count);
    }
  });

  it('heteroscedastic members: off the data each variance reverts towards its training level; on it nothing changes', async () => {
    const train = gapData(80, 2);
    const o = { hidden: [16], epochs: 30, members: 3, likelihood: 'heteroscedastic' as const, seed: 3 };
    const reverted = await trainEnsemble(train, o);
    const raw = await trainEnsemble(train, { ...o, revertOffData: false });
    expect(raw.source.offData).toBeUndefined();
    const levels = reverted.source.offData!.levels;
    // On training inputs (distance 0: weight 0) the two predictives agree bit for bit.
    const onData = train.x.subarray(0, 6);
    const [a, b] = [await reverted.predict(onData), await raw.predict(onData)];
    expect(Array.from(members(a).variance)).toEqual(Array.from(members(b).variance));
    // Far away (x = 40, the data are in [−2, 2]) every member's variance is at least its level (original units).
    const ys = reverted.standardizer!.yStd![0];
    const far = await reverted.predict(Float32Array.from([40, -40]));
    const farRaw = await raw.predict(Float32Array.from([40, -40]));
    let raised = 0;
    for (let m = 0; m < 3; m++) {
      for (let i = 0; i < 2; i++) {
        const v = members(far).variance[m * 2 + i];
        if (v > members(farRaw).variance[m * 2 + i]) raised++;
        expect(v).toBeGreaterThanOrEqual(Math.fround(levels[m] * ys * ys) * (1 - 1e-6));
        expect(v).toBeGreaterThanOrEqual(members(farRaw).variance[m * 2 + i]);
        expect(members(far).mean[m * 2 + i]).toBe(members(farRaw).mean[m * 2 + i]);
      }
    }
    expect(raised).toBeGreaterThan(0);
    // The level is the member's mean predicted variance on its (standardized) training rows.
    const onTrain = await raw.predict(train.x);
    for (let m = 0; m < 3; m++) {
      let mean = 0;
      for (let i = 0; i < train.n; i++) mean += members(onTrain).variance[m * train.n + i] / train.n;
      expect(levels[m] * ys * ys).toBeCloseTo(mean, 4);
    }
    // Serialized with its support: the same predictions after a round trip.
    const again = await posteriorFromBytes(reverted.toBytes());
    const c = await again.predict(Float32Array.from([40, -40, 0.3]));
    const d = await reverted.predict(Float32Array.from([40, -40, 0.3]));
    expect(Array.from(members(c).variance)).toEqual(Array.from(members(d).variance));
  });

  it('trains member m with stream m: a member is a pure function of (spec, options, seed, stream, data)', async () => {
    const train = linearData(40, 2, 0.3, 1);
    const spec = { inputs: 2, hidden: [6], outputs: 1, activation: 'relu' as const, likelihood: 'gaussian' as const };
    const o = { epochs: 3, batchSize: 8, learningRate: 1e-2, priorPrecision: 1 };
    const a = await trainMember(spec, o, 7, 1, { x: train.x, y: train.y });
    const b = await trainMember(spec, o, 7, 1, { x: train.x, y: train.y });
    const c = await trainMember(spec, o, 7, 2, { x: train.x, y: train.y });
    expect(Array.from(b.theta)).toEqual(Array.from(a.theta));
    expect(b.noiseVar).toBe(a.noiseVar);
    expect(Array.from(c.theta)).not.toEqual(Array.from(a.theta));
  });

  it('is deterministic for a seed and restores from bytes with identical predictions', async () => {
    const train = linearData(50, 2, 0.3, 7);
    const a = await trainEnsemble(train, { hidden: [8], epochs: 4, members: 3, seed: 4 });
    const b = await trainEnsemble(train, { hidden: [8], epochs: 4, members: 3, seed: 4 });
    a.source.members.forEach((t, m) => expect(Array.from(b.source.members[m])).toEqual(Array.from(t)));
    const again = await posteriorFromBytes(a.toBytes());
    expect(again.method).toBe('ensemble');
    const x = Float32Array.from([0.1, -0.4, 1.2, 0.3]);
    const pa = await a.predict(x);
    const pb = await again.predict(x);
    if (pa.kind !== 'regression' || pb.kind !== 'regression') throw new Error('regression expected');
    expect(Array.from(pb.mean)).toEqual(Array.from(pa.mean));
    expect(Array.from(pb.variance)).toEqual(Array.from(pa.variance));
  });

  it('β-NLL: β = 0 is the plain NLL bit for bit; β > 0 trains other members, kept through bytes', async () => {
    const train = gapData(60, 5);
    const o = { hidden: [8], epochs: 10, members: 2, likelihood: 'heteroscedastic' as const, seed: 2 };
    const [plain, zero, half] = await Promise.all([trainEnsemble(train, o), trainEnsemble(train, { ...o, betaNll: 0 }), trainEnsemble(train, { ...o, betaNll: 0.5 })]);
    expect(Array.from(zero.source.members[1])).toEqual(Array.from(plain.source.members[1]));
    expect(Array.from(half.source.members[1])).not.toEqual(Array.from(plain.source.members[1]));
    const x = Float32Array.from([-1, 0.5, 1.7]);
    const [a, b] = [await half.predict(x), await (await posteriorFromBytes(half.toBytes())).predict(x)];
    expect(Array.from(members(b).variance)).toEqual(Array.from(members(a).variance));
    expect(members(a).variance.every((v) => v > 0 && Number.isFinite(v))).toBe(true);
  });

  it('refit epochs: the median of the kept epochs for every member; none without a stop for each', () => {
    expect(refitEpochs([12, 6, 13, 11, 8])).toEqual([11, 11, 11, 11, 11]);
    expect(refitEpochs([6, 9])).toEqual([8, 8]);
    expect(refitEpochs([7])).toEqual([7]);
    expect(refitEpochs([12, undefined, 8])).toEqual([12, undefined, 8]);
    expect(refitEpochs([12, 0, 8])).toEqual([12, 0, 8]);
    expect(refitEpochs([])).toEqual([]);
  });

  it('classification stopped on given rows: every member refits for the median of the epochs the members kept', async () => {
    // Three overlapping Gaussian blobs in 2-D.
    const rng = new Rng(5, 0);
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 300; i++) {
      x.push([Math.cos((2 * Math.PI * (i % 3)) / 3) + 0.9 * rng.normal(), Math.sin((2 * Math.PI * (i % 3)) / 3) + 0.9 * rng.normal()]);
      y.push(i % 3);
    }
    const { train, test: held } = trainTestSplit(makeDataset(x, y), { testFraction: 0.2, seed: 1 });
    const opts = { task: 'classification' as const, classes: 3, hidden: [8], members: 3, seed: 6, stoppingScore: 'tempered-nll' as const };
    const { posterior: stopped, refit } = await trainEnsembleWithRefit(train, { ...opts, validation: held });
    // Each member's own best epoch: the member trainMember gives for the stopped recipe.
    const { data: z, standardizer } = standardized(train, false);
    const budget = budgetOf({ ...opts, validation: held }, train.n, true, standardizer);
    const es = budget.earlyStopping!;
    expect(es.rows).toBeDefined();
    const options = { epochs: budget.epochs, earlyStopping: { ...es, rows: applyStandardizer(standardizer!, held) }, batchSize: 32, learningRate: 1e-3, priorPrecision: 1 };
    const kept: number[] = [];
    for (let m = 0; m < 3; m++) {
      const r = await trainMember(stopped.spec, options, 6, m, { x: z.x, y: z.y });
      expect(Array.from(stopped.source.members[m])).toEqual(Array.from(r.theta));
      kept.push(r.bestEpoch!);
    }
    // The members stopped at different epochs; the refit trains all three for their median.
    expect(new Set(kept).size).toBeGreaterThan(1);
    const median = kept.slice().sort((a, b) => a - b)[1];
    expect(refit!.epochs).toEqual([median, median, median]);
  }, 60_000);

  it('rejects bad options with typed errors', async () => {
    const train = makeDataset([[0], [1], [2]], [0, 1, 2]);
    for (const bad of [{ members: 0 }, { members: 1.5 }, { learningRate: () => 1e-3 }, { noise: 0 }, { epochs: -1 }, { betaNll: 0.5 }, { likelihood: 'heteroscedastic' as const, betaNll: -0.1 }]) {
      await expect(trainEnsemble(train, { hidden: [2], epochs: 1, ...bad })).rejects.toBeInstanceOf(BdlError);
    }
  });
});

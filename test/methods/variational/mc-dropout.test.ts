import { describe, expect, it } from 'vitest';
import { BdlError } from '../../../src/errors.js';
import { makeDataset } from '../../../src/data/dataset.js';
import { dropoutRates, trainMcDropout } from '../../../src/methods/variational/mc-dropout.js';
import { aleatoricOverResidual, blockOutlierData, expectEarlyStopping, expectRefit, gapContrast, gapData, gapGrid, linearData, expectRoundTrip } from '../helpers.js';

describe('MC dropout', () => {
  it('stops early on held-out rows by default at 4× the patience (its masks make the gradient sampled); runs the given epochs when told', async () => {
    // At a given rate: without one, each candidate rate's fit reports its own epochs (next test).
    await expectEarlyStopping((d, o) => trainMcDropout(d, { ...o, dropout: 0.05 }), 4);
  });

  it('then trains again on every row for the epochs it kept (regression)', async () => {
    await expectRefit((d, o) => trainMcDropout(d, { ...o, dropout: 0.05 }));
  });

  // Two hidden layers: with one, dropout put less variance in the gap than on the data here, the
  // in-between failure Foong et al. (2019) describe for single-hidden-layer approximate posteriors.
  it('has more epistemic variance in a gap of the inputs than on the data (two hidden layers)', async () => {
    for (const seed of [1, 2]) {
      const post = await trainMcDropout(gapData(120, 4), { hidden: [64, 64], dropout: 0.1, epochs: 200, learningRate: 3e-3, seed });
      const p = await post.predict(gapGrid, { samples: 100 });
      if (p.kind !== 'regression') throw new Error('regression expected');
      const c = gapContrast(p.epistemic, gapGrid);
      expect(c.gap).toBeGreaterThan(1.5 * c.data);
    }
  });

  // The rate chosen on held-out rows when none is given: mc-dropout-rate.node.test.ts (a few dozen full fits).
  it('takes the one default rate when there is no choice (a fixed length: every --tune candidate)', async () => {
    expect((await trainMcDropout(linearData(60, 2, 0.3, 1), { hidden: [4], epochs: 2 })).info.dropout).toBe(0.05);
  });

  it("its default σ sees outliers outside the first held-out block: the mixture optimum of NOISE_ROWS cross-fitted rows", async () => {
    const data = blockOutlierData();
    // Without the other blocks σ² is the larger of the first block's residual and the training residual.
    expect(await aleatoricOverResidual(await trainMcDropout(data, { hidden: [16], seed: 0 }), data, 0)).toBeGreaterThan(1.5);
    // A given σ is kept as given.
    expect((await trainMcDropout(data, { hidden: [16], seed: 0, noise: 0.5 })).info.noiseStd).toBeCloseTo(0.5, 5);
  });

  it('offers per-layer rates and input dropout (the UCI setup)', () => {
    expect(dropoutRates(2, {})).toBe(0.05);
    expect(dropoutRates(2, { dropout: 0.01, inputDropout: true })).toEqual([0.01, 0.01]);
    expect(dropoutRates(3, { dropout: [0, 0.1, 0.2] })).toEqual([0, 0.1, 0.2]);
  });

  it('draws test masks apart from training masks and from one pass to the next', async () => {
    const post = await trainMcDropout(linearData(40, 2, 0.3, 1), { hidden: [16], dropout: 0.2, epochs: 2, seed: 0 });
    // Rows repeat with period 256 (the engine's chunk): equal masks would give equal outputs.
    const x = Float32Array.from({ length: 600 }, (_, i) => Math.sin((Math.floor(i / 2) % 256) + (i % 2)));
    const p = await post.predict(x, { samples: 4 });
    if (p.kind !== 'regression') throw new Error('regression expected');
    // 300 rows span two engine chunks: each pass must still differ from the next one everywhere.
    const { mean, count } = p.members!;
    for (let s = 0; s + 1 < count; s++) {
      let same = 0;
      for (let i = 256; i < 300; i++) if (mean[s * 300 + i] === mean[(s + 1) * 300 + i - 256]) same++;
      expect(same).toBeLessThan(10);
    }
  });

  it('is deterministic for a seed and restores from bytes with identical predictions', async () => {
    const train = linearData(50, 2, 0.3, 7);
    const a = await trainMcDropout(train, { hidden: [8], epochs: 4, seed: 4, inputDropout: true });
    const b = await trainMcDropout(train, { hidden: [8], epochs: 4, seed: 4, inputDropout: true });
    expect(Array.from(b.source.theta)).toEqual(Array.from(a.source.theta));
    await expectRoundTrip(a, 'mc-dropout', Float32Array.from([0.1, -0.4, 1.2, 0.3]), 3);
  });

  it('rejects bad options with typed errors', async () => {
    const train = makeDataset([[0], [1], [2]], [0, 1, 2]);
    for (const bad of [{ dropout: 1 }, { dropout: 0 }, { dropout: [0.1] }, { dropout: [0.1, 0.1], inputDropout: true }, { samples: 0 }, { noise: -1 }, { betaNll: 0.5 }, { likelihood: 'heteroscedastic' as const, betaNll: 2 }, { priorPrecision: -1 }]) {
      await expect(trainMcDropout(train, { hidden: [2], epochs: 1, ...bad })).rejects.toBeInstanceOf(BdlError);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { heldOutBlock, meanCurveEpoch, pooledMixtureNoise } from '../../src/methods/held-out-mixture.js';
import { bestNoiseVariance, mixtureLogLikAtNoise } from '../../src/methods/tune/noise-search.js';
import { Mlp } from '../../src/model/mlp.js';
import { fit, heldOutRows } from '../../src/train/fit.js';
import { Rng } from '../../src/random/index.js';

describe('the σ of a sampled predictive on pooled held-out blocks (held-out-mixture.ts)', () => {
  it('pools the blocks row by row: the σ² and log-likelihood of the rows taken together', () => {
    const rng = new Rng(3, 1);
    const S = 4;
    const block = (m: number) => ({ means: Float32Array.from({ length: S * m }, () => rng.normal()), y: Float32Array.from({ length: m }, () => 2 * rng.normal()) });
    const blocks = [block(5), block(5), block(5)];
    // The same rows written out as one block: S rows of all 15 values.
    const N = 15;
    const means = new Float64Array(S * N);
    blocks.forEach((b, j) => {
      for (let d = 0; d < S; d++) for (let i = 0; i < 5; i++) means[d * N + 5 * j + i] = b.means[d * 5 + i];
    });
    const y = Float64Array.from(blocks.flatMap((b) => Array.from(b.y)));
    const pooled = pooledMixtureNoise(blocks)!;
    expect(pooled.variance).toBe(bestNoiseVariance(means, y));
    expect(pooled.logLik).toBe(mixtureLogLikAtNoise(means, y, pooled.variance));
    // One sample: the Gaussian MLE, the mean squared residual.
    const one = pooledMixtureNoise([{ means: [1, 2, 3], y: [2, 2, 5] }])!;
    expect(one.variance).toBeCloseTo(5 / 3, 12);
    // Samples that hit every row: no σ.
    expect(pooledMixtureNoise([{ means: [1, 2, 1, 2], y: [1, 2] }])).toBeUndefined();
  });

  it('block k is fold k of the seeded permutation early stopping holds out: disjoint blocks of the same size', () => {
    const rng = new Rng(4, 2);
    const xs = Array.from({ length: 200 }, () => [rng.normal()]);
    const data = makeDataset(xs, xs.map(([v]) => v + 0.1 * rng.normal()));
    const es = { fraction: 0.1, patience: 3 };
    const seen = new Set<number>();
    for (let k = 0; k < 3; k++) {
      const block = heldOutBlock(data, es, 2, 0, k);
      const rows = heldOutRows(200, 0.1, 2, 0, k)!.validation;
      expect(Array.from(block.y)).toEqual(Array.from(rows, (r) => data.y[r]));
      expect(block.n).toBe(20);
      for (const r of rows) seen.add(r);
    }
    expect(seen.size).toBe(60);
  });

  it('keeps the epoch the mean curve of K blocks stops at, not block 0\'s own best', async () => {
    const rng = new Rng(5, 3);
    const xs = Array.from({ length: 300 }, () => [rng.normal(), rng.normal()]);
    const data = makeDataset(xs, xs.map(([a, b]) => Math.sin(2 * a) + 0.5 * b + rng.normal()));
    const mlp = await Mlp.create({ inputs: 2, hidden: [64], outputs: 1, activation: 'relu', likelihood: 'gaussian' }, { capacity: 32 });
    const es = { fraction: 0.1, patience: 10 };
    // Every block's fit runs the whole budget (its own stop would cut the mean curve short).
    const S = 120;
    const fo = { epochs: S, seed: 1, stream: 0, learningRate: 1e-2 };
    const fits = [];
    const K = 4;
    for (let k = 0; k < K; k++) fits.push(await fit(mlp, data, { ...fo, earlyStopping: { ...es, fold: k, patience: S } }));
    const curves = fits.map((r) => r.validationCurve!);
    // The rule written out: the blocks' mean curve over S epochs, the stop rule on it.
    const mean = Array.from({ length: S }, (_, i) => curves.reduce((a, c) => a + c[i], 0) / K);
    let best = 0;
    for (let i = 1; i < S && i - best < es.patience; i++) if (mean[i] < mean[best]) best = i;
    const E = meanCurveEpoch(curves, es.patience);
    expect(E).toBe(best + 1);
    // Block 0's own best over the same run is another epoch: one block's curve wanders.
    const own = fits[0].validationCurve!.indexOf(Math.min(...fits[0].validationCurve!)) + 1;
    expect(own).not.toBe(E);
    // One block: the stop rule on its own curve; `from` shifts the epochs.
    let one = 0;
    for (let i = 1; i < S && i - one < es.patience; i++) if (curves[0][i] < curves[0][one]) one = i;
    expect(meanCurveEpoch([curves[0]], es.patience)).toBe(one + 1);
    expect(meanCurveEpoch([curves[0]], es.patience, 5)).toBe(one + 5);
  });
});

import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { crossFittedBlocks, crossFittedEpoch, pooledMixtureNoise } from '../../src/methods/held-out-mixture.js';
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

  it('block 0 is the early-stopped fit, block k ≥ 1 a fit of exactly its epochs holding out fold k', async () => {
    const rng = new Rng(4, 2);
    const xs = Array.from({ length: 200 }, () => [rng.normal()]);
    const data = makeDataset(xs, xs.map(([v]) => v + 0.1 * rng.normal()));
    const mlp = await Mlp.create({ inputs: 1, hidden: [4], outputs: 1, activation: 'tanh', likelihood: 'gaussian' }, { capacity: 32 });
    const fo = { epochs: 30, seed: 2, stream: 0, earlyStopping: { fraction: 0.1, patience: 3 } };
    const first = await fit(mlp, data, fo);
    const seen: { epochs: number; rows: number[] }[] = [];
    const blocks = await crossFittedBlocks(mlp, data, data, fo, first, 3, () => ({}), async (r, v) => {
      seen.push({ epochs: r === first ? first.bestEpoch! : r.losses.length, rows: Array.from(v.y) });
      return { kind: 'regression', mean: Float32Array.from(v.y), variance: new Float32Array(v.n), aleatoric: new Float32Array(v.n), epistemic: new Float32Array(v.n), targets: 1 } as never;
    });
    expect(blocks).toHaveLength(3);
    for (let k = 0; k < 3; k++) {
      expect(seen[k].epochs).toBe(first.bestEpoch);
      expect(seen[k].rows).toEqual(Array.from(heldOutRows(200, 0.1, 2, 0, k)!.validation, (r) => data.y[r]));
    }
  });

  it('keeps the epoch the mean curve of K blocks stops at, not block 0\'s own best', async () => {
    const rng = new Rng(5, 3);
    const xs = Array.from({ length: 300 }, () => [rng.normal(), rng.normal()]);
    const data = makeDataset(xs, xs.map(([a, b]) => Math.sin(2 * a) + 0.5 * b + rng.normal()));
    const mlp = await Mlp.create({ inputs: 2, hidden: [64], outputs: 1, activation: 'relu', likelihood: 'gaussian' }, { capacity: 32 });
    const es = { fraction: 0.1, patience: 10 };
    // Block 0's fit runs the whole budget (its own stop would cut the mean curve short).
    const S = 120;
    const fo = { epochs: S, seed: 1, stream: 0, learningRate: 1e-2, earlyStopping: es };
    const first = await fit(mlp, data, { ...fo, earlyStopping: { ...es, patience: S } });
    const K = 4;
    // The rule written out: every block's curve over S epochs, their mean, the stop rule on it.
    const curves = [first.validationCurve!];
    for (let k = 1; k < K; k++) curves.push((await fit(mlp, data, { ...fo, earlyStopping: { ...es, fold: k, patience: S } })).validationCurve!);
    const mean = Array.from({ length: S }, (_, i) => curves.reduce((a, c) => a + c[i], 0) / K);
    let best = 0;
    for (let i = 1; i < S && i - best < es.patience; i++) if (mean[i] < mean[best]) best = i;
    const E = await crossFittedEpoch(mlp, data, fo, first, K, es.patience, () => ({}));
    expect(E).toBe(best + 1);
    // Block 0's own best over the same run is another epoch: one block's curve wanders.
    expect(first.bestEpoch).not.toBe(E);
    // One block: its own best.
    expect(await crossFittedEpoch(mlp, data, fo, first, 1, es.patience, () => ({}))).toBe(first.bestEpoch);
  });
});

import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { Mlp } from '../../src/model/mlp.js';
import { heldOutLoss, heldOutNoiseVar } from '../../src/methods/noise.js';
import { residualVariance, trainMap } from '../../src/methods/map.js';
import { viObjective } from '../../src/methods/variational/vi.js';
import { Rng } from '../../src/random/index.js';
import { crossFittedHeldOutLoss, NOISE_ROWS } from '../../src/methods/common.js';
import { heldOutRows } from '../../src/train/fit.js';
import { aleatoricOverResidual, blockOutlierData } from './helpers.js';

function rows(n: number, inputs: number, targets: number, seed: number) {
  const rng = new Rng(seed, 11);
  const x = Float32Array.from({ length: n * inputs }, () => rng.normal());
  const y = Float32Array.from({ length: n * targets }, () => 2 * rng.normal());
  return makeDataset({ data: x, cols: inputs }, { data: y, cols: targets });
}

describe('the σ of held-out rows (noise.ts heldOutNoiseVar)', () => {
  it('inverts the held-out score: the mean squared residual of the rows, per target, in float64', async () => {
    for (const T of [1, 3]) {
      const mlp = await Mlp.create({ inputs: 4, hidden: [7], outputs: T, activation: 'tanh', likelihood: 'gaussian' }, { capacity: 16 });
      const theta = mlp.init(2);
      const data = rows(45, 4, T, T);
      // The score early stopping keeps: summed over the rows, then divided by their number (fit.ts).
      const a = mlp.arena;
      const [p, x, y] = [a.putF32(theta), a.putF32(data.x), a.putF32(data.y)];
      let sum = 0;
      for (let s = 0; s < data.n; s += 16) {
        const b = Math.min(16, data.n - s);
        sum += heldOutLoss(mlp, p, x + 4 * s * 4, y + 4 * s * T, b);
      }
      const expected = residualVariance(mlp, theta, data);
      expect(heldOutNoiseVar(sum / data.n, T, 0)).toBeCloseTo(expected, 5);
      // Never below the training rows' estimate; nothing without a held-out score.
      expect(heldOutNoiseVar(sum / data.n, T, 10 * expected)).toBe(10 * expected);
      expect(heldOutNoiseVar(undefined, T, 0.5)).toBeUndefined();
    }
  });

  it('a heteroscedastic network is scored by its mean head\'s squared error (float64 reference), whatever its variance head says', async () => {
    for (const T of [1, 2]) {
      const spec = { inputs: 4, hidden: [6], outputs: T, activation: 'tanh' as const, likelihood: 'heteroscedastic' as const };
      const mlp = await Mlp.create(spec, { capacity: 32 });
      const data = rows(21, 4, T, 9 + T);
      const theta = mlp.init(4);
      const a = mlp.arena;
      const [x, y] = [a.putF32(data.x), a.putF32(data.y)];
      const score = heldOutLoss(mlp, a.putF32(theta), x, y, data.n);
      // Reference: the network's outputs row by row (mean head first, then the variance head).
      const out = mlp.forward(theta, data.x);
      let ref = 0;
      for (let r = 0; r < data.n; r++) for (let j = 0; j < T; j++) ref += 0.5 * ((out[2 * T * r + j] - data.y[T * r + j]) ** 2 + Math.log(2 * Math.PI));
      expect(score).toBeCloseTo(ref, 3);
      // Moving only the variance head's bias leaves the score unchanged; the plain NLL would move.
      const shifted = theta.slice();
      for (let j = 0; j < T; j++) shifted[theta.length - T + j] += 3;
      expect(heldOutLoss(mlp, a.putF32(shifted), x, y, data.n)).toBeCloseTo(score, 4);
      expect(mlp.loss(shifted, data)).not.toBeCloseTo(mlp.loss(theta, data), 2);
    }
  });

  it("VI scores held-out rows at its mean weights: φ's first half, whatever the spread ρ", async () => {
    const mlp = await Mlp.create({ inputs: 4, hidden: [6], outputs: 1, activation: 'relu', likelihood: 'gaussian' }, { capacity: 32 });
    const data = rows(20, 4, 1, 5);
    const obj = viObjective(mlp);
    const phi = obj.init(3, 0);
    const a = mlp.arena;
    const [x, y] = [a.putF32(data.x), a.putF32(data.y)];
    const narrow = obj.validationLossAt!(a.putF32(phi), x, y, data.n);
    phi.fill(2, mlp.size);
    const wide = obj.validationLossAt!(a.putF32(phi), x, y, data.n);
    expect(wide).toBe(narrow);
    expect(narrow / data.n).toBeCloseTo(mlp.loss(phi.subarray(0, mlp.size), data, { noiseVar: 1 }), 5);
  });

  it("MAP's default σ: the held-out residual's when above the training residual's; the training residual's with early stopping off; a given σ as given", async () => {
    // Three inputs, two of them noise, and a wide network: it fits its own rows' noise, so the held-out
    // residual is larger than the training residual.
    const rng = new Rng(7, 2);
    const xs = Array.from({ length: 240 }, () => [2 * rng.uniform() - 1, rng.normal(), rng.normal()]);
    const data = makeDataset(xs, xs.map(([v]) => 5 + 3 * v + rng.normal()));
    const x = Float32Array.from(xs.flat());
    const aleatoricAndTrainVar = async (o: Record<string, unknown>) => {
      const post = await trainMap(data, { hidden: [200], seed: 1, learningRate: 3e-3, ...o });
      const p = await post.predict(x);
      if (p.kind !== 'regression') throw new Error('regression expected');
      let rss = 0;
      for (let i = 0; i < data.n; i++) rss += (p.mean[i] - data.y[i]) ** 2;
      return { aleatoric: p.aleatoric[0], trainVar: rss / data.n };
    };
    const stopped = await aleatoricAndTrainVar({});
    expect(stopped.aleatoric).toBeGreaterThan(1.05 * stopped.trainVar);
    const fixed = await aleatoricAndTrainVar({ validationFraction: 0 });
    expect(fixed.aleatoric).toBeCloseTo(fixed.trainVar, 4);
    const given = await aleatoricAndTrainVar({ noise: 0.8 });
    expect(given.aleatoric).toBeCloseTo(0.64, 4);
  });
});

describe('a held-out σ on at least NOISE_ROWS rows (common.ts crossFittedHeldOutLoss)', () => {
  it('folds of the seeded permutation are disjoint blocks; fold 0 is the rows held out before', () => {
    const n = 230;
    const base = heldOutRows(n, 0.1, 3, 1)!;
    expect(Array.from(heldOutRows(n, 0.1, 3, 1, 0)!.validation)).toEqual(Array.from(base.validation));
    const seen = new Set<number>();
    for (let k = 0; k < 10; k++) {
      const f = heldOutRows(n, 0.1, 3, 1, k)!;
      expect(f.validation.length).toBe(23);
      expect(f.train.length).toBe(n - 23);
      expect(new Set([...f.validation, ...f.train]).size).toBe(n);
      for (const r of f.validation) seen.add(r);
    }
    expect(seen.size).toBe(230);
    expect(() => heldOutRows(n, 0.1, 3, 1, 10)).toThrow(/earlyStopping.fold/);
  });

  it("a block of NOISE_ROWS or more rows is σ's alone: no further fits", async () => {
    const mlp = await Mlp.create({ inputs: 2, hidden: [4], outputs: 1, activation: 'tanh', likelihood: 'gaussian' }, { capacity: 32 });
    const data = rows(10 * NOISE_ROWS, 2, 1, 4);
    const first = { params: mlp.init(0), losses: [], steps: 0, seconds: 0, bestEpoch: 3, validationLoss: 1.25 };
    expect(await crossFittedHeldOutLoss(mlp, data, { earlyStopping: { fraction: 0.1, patience: 5 } }, first)).toBe(1.25);
  });

  it("MAP's σ sees outliers outside the first held-out block: the mean of the held-out residuals of NOISE_ROWS rows", async () => {
    const data = blockOutlierData();
    // Without the other blocks σ² is the larger of the first block's residual and the training residual.
    expect(await aleatoricOverResidual(await trainMap(data, { hidden: [16], seed: 0 }), data)).toBeGreaterThan(1.5);
  });
});

import { describe, expect, it } from 'vitest';
import { BdlError } from '../../../src/errors.js';
import type { SamplesPosterior } from '../../../src/methods/samples.js';
import { medianHeuristic, svgdEpochs, svgdObjective, trainSvgd } from '../../../src/methods/variational/svgd.js';
import { makeDataset } from '../../../src/data/dataset.js';
import { Rng } from '../../../src/random/index.js';
import { Mlp } from '../../../src/model/mlp.js';
import { posteriorFromBytes } from '../../../src/posterior/restore.js';
import { conjugateRegression, moments } from '../../helpers/conjugate.js';
import { GAP_X, gapData } from '../../helpers/gap.js';

const conj = conjugateRegression(200, 2, 0.5, 1, 1);
const linear = { hidden: [], noise: 0.5, standardize: false, priorPrecision: 1 };

describe('SVGD', () => {
  it('particles centre on the exact posterior mean of Bayesian linear regression, with spread', async () => {
    const p = (await trainSvgd(conj.data, { ...linear, seed: 1, epochs: 100, learningRate: 1e-2 })) as SamplesPosterior;
    expect(p.source.draws).toBe(20);
    const m = moments(p.source.samples, 3);
    for (let j = 0; j < 3; j++) {
      const sd = Math.sqrt(conj.cov[j][j]);
      expect(Math.abs(m.mean[j] - conj.mean[j])).toBeLessThan(0.5 * sd);
      // SVGD with few particles under-disperses somewhat, but the repulsion keeps a real spread.
      expect(Math.sqrt(m.variance[j])).toBeGreaterThan(0.4 * sd);
      expect(Math.sqrt(m.variance[j])).toBeLessThan(1.5 * sd);
    }
    expect(p.info.bandwidth as number).toBeGreaterThan(0);
  });

  it('has more epistemic variance in the gap than on the data', async () => {
    const p = await trainSvgd(gapData(60, 1), { seed: 2, pretrainEpochs: 300, epochs: 300, learningRate: 1e-2 });
    const pr = await p.predict(GAP_X);
    if (pr.kind !== 'regression') throw new Error('regression expected');
    expect(pr.epistemic[1]).toBeGreaterThan(3 * pr.epistemic[0]);
    expect(pr.epistemic[1]).toBeGreaterThan(3 * pr.epistemic[2]);
  });

  it('with one particle the Stein direction is the posterior score: the objective gradient is MAP\'s', async () => {
    const mlp = await Mlp.create({ inputs: 2, hidden: [5], outputs: 1, activation: 'tanh', likelihood: 'gaussian' });
    const [N, lambda, noiseVar] = [200, 2, 0.25];
    const obj = svgdObjective(mlp, 1, { n: N, lambda, noiseVar });
    const theta = mlp.init(3, 0);
    const a = mlp.arena;
    const batch = 13;
    const x = a.putF32(conj.data.x.subarray(0, 2 * batch));
    const y = a.putF32(conj.data.y.subarray(0, batch));
    const p = a.putF32(theta);
    const g = a.allocF32(mlp.size);
    obj.lossAndGradAt(p, g, x, y, batch, { arena: a, step: 0 } as never);
    const got = a.getF32(g, mlp.size);
    const ref = mlp.lossAndGrad(theta, { ...conj.data, n: batch, x: conj.data.x.subarray(0, 2 * batch), y: conj.data.y.subarray(0, batch) }, { noiseVar });
    for (let i = 0; i < mlp.size; i++) {
      const want = ref.grad[i] + (lambda / N) * theta[i];
      expect(Math.abs(got[i] - want)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want)));
    }
  });

  it('the median heuristic: h = median squared distance / log(K+1)', () => {
    // Three particles with squared distances 1, 4, 9 between pairs (0,1), (0,2), (1,2).
    const d = Float32Array.from([0, 1, 4, 1, 0, 9, 4, 9, 0]);
    expect(medianHeuristic(d, 3)).toBeCloseTo(4 / Math.log(4), 12);
    expect(medianHeuristic(new Float32Array(4), 2)).toBe(1);
    expect(medianHeuristic(new Float32Array(1), 1)).toBe(1);
  });

  it('is deterministic for a seed and round-trips through bytes', async () => {
    const opts = { ...linear, seed: 4, epochs: 5, particles: 7 };
    const a = (await trainSvgd(conj.data, opts)) as SamplesPosterior;
    const b = (await trainSvgd(conj.data, opts)) as SamplesPosterior;
    expect(b.source.samples).toEqual(a.source.samples);
    expect(a.source.draws).toBe(7);
    const again = await posteriorFromBytes(a.toBytes());
    expect(again.method).toBe('svgd');
    const x = Float32Array.from([1, 2]);
    const pa = await a.predict(x);
    const pb = await again.predict(x);
    if (pa.kind !== 'regression' || pb.kind !== 'regression') throw new Error('regression expected');
    expect(Array.from(pb.mean)).toEqual(Array.from(pa.mean));
    expect(pa.epistemic[0]).toBeGreaterThan(0);
  });

  it('without epochs, regression stops on held-out rows and trains again on every row for the kept epochs', async () => {
    // A wiggly function on 200 rows: SVGD's particles start from the initialization and need far
    // more than the 50 epochs (350 steps) it used to run.
    const rng = new Rng(5, 0);
    const sine = (n: number) => {
      const x = Array.from({ length: n }, () => [4 * rng.uniform() - 2]);
      const y = x.map(([v]) => Math.sin(3 * v) + 0.1 * rng.normal());
      return makeDataset(x, y);
    };
    const train = sine(200);
    const test = sine(200);
    const rmse = async (p: SamplesPosterior) => {
      const pr = await p.predict(test.x);
      if (pr.kind !== 'regression') throw new Error('regression expected');
      let s = 0;
      for (let i = 0; i < test.n; i++) s += (pr.mean[i] - test.y[i]) ** 2;
      return Math.sqrt(s / test.n);
    };
    const opts = { seed: 3, particles: 5, hidden: [20] };
    const byDefault = (await trainSvgd(train, opts)) as SamplesPosterior;
    const kept = byDefault.info.epochs as number;
    expect(kept).toBeGreaterThan(50);
    // The default is the refit: the same particles as a run of the kept epochs on every row.
    const again = (await trainSvgd(train, { ...opts, epochs: kept })) as SamplesPosterior;
    expect(again.source.samples).toEqual(byDefault.source.samples);
    const short = (await trainSvgd(train, { ...opts, epochs: 50 })) as SamplesPosterior;
    expect(await rmse(byDefault)).toBeLessThan(0.6 * (await rmse(short)));
  });

  it('elsewhere, a fixed length of MAP\'s step budget, never under 50 epochs', () => {
    expect(svgdEpochs(277)).toBe(400); // yacht: 9 steps an epoch
    expect(svgdEpochs(455)).toBe(267); // boston: 15
    expect(svgdEpochs(10_000)).toBe(50); // Fashion-MNIST 10k: as before
    expect(svgdEpochs(600, 128)).toBe(400);
  });

  it('rejects bad options with typed errors', async () => {
    await expect(trainSvgd(conj.data, { ...linear, particles: 0 })).rejects.toBeInstanceOf(BdlError);
    await expect(trainSvgd(conj.data, { ...linear, epochs: -1 })).rejects.toMatchObject({ code: 'E_ARG' });
  });
});

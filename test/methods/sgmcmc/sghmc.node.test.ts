import { describe, expect, it } from 'vitest';
import { essMean } from '../../../src/diagnostics/ess.js';
import type { SamplesPosterior } from '../../../src/methods/samples.js';
import { trainSghmc, trainSghmcMh } from '../../../src/methods/sgmcmc/sghmc.js';
import { posteriorFromBytes } from '../../../src/posterior/serialize.js';
import { column, conjugateRegression, moments } from '../../helpers/conjugate.js';
import { errorCode } from '../../helpers/errors.js';

const conj = conjugateRegression(200, 2, 0.5, 1, 1);
/** No hidden layer, known noise, raw units, full batch: the conjugate Gaussian posterior. */
const linear = { hidden: [], noise: 0.5, standardize: false, pretrainEpochs: 0, priorPrecision: 1, batchSize: 200 };

/** Σⱼ |log(sample variance / exact variance)|: 0 for an unbiased sampler. */
function varianceBias(p: SamplesPosterior): number {
  const m = moments(p.samples, 3);
  let b = 0;
  for (let j = 0; j < 3; j++) b += Math.abs(Math.log(m.variance[j] / conj.cov[j][j]));
  return b;
}

describe('SGHMC and SGHMC-MH on a Gaussian posterior (conjugate linear regression)', () => {
  it('the MH correction removes the bias that plain SGHMC has at the same (big) step', async () => {
    // Full batch (N = 200): one step per epoch. lr·(max curvature of the mean loss) ≈ 3.2.
    const step = { seed: 1, epochs: 2000, burnIn: 200, samples: 400, learningRate: 0.8 };
    const plain = (await trainSghmc(conj.data, { ...linear, ...step })) as SamplesPosterior;
    const mh = (await trainSghmcMh(conj.data, { ...linear, ...step, every: 5, targetAcceptance: false })) as SamplesPosterior;
    // Plain SGHMC at this step inflates the stiffest variance (the bias term's) several-fold; the
    // corrected sampler's variances stay within sampling error of the exact ones.
    expect(moments(plain.samples, 3).variance[2] / conj.cov[2][2]).toBeGreaterThan(3);
    const mv = moments(mh.samples, 3).variance;
    for (let j = 0; j < 3; j++) {
      expect(mv[j] / conj.cov[j][j]).toBeGreaterThan(0.65);
      expect(mv[j] / conj.cov[j][j]).toBeLessThan(1.5);
    }
    expect(varianceBias(mh)).toBeLessThan(varianceBias(plain) / 2);
    const m = moments(mh.samples, 3);
    for (let j = 0; j < 3; j++) {
      const mcse = Math.sqrt(conj.cov[j][j] / essMean([column(mh.samples, 3, j)]));
      expect(Math.abs(m.mean[j] - conj.mean[j])).toBeLessThan(4 * mcse);
    }
    const acc = mh.info.acceptance as number;
    expect(acc).toBeGreaterThan(0.3);
    expect(acc).toBeLessThan(1);
    expect(mh.info.tests).toBe(400);
  });

  it('SGHMC with a small step and minibatches is close to the exact posterior', async () => {
    const p = (await trainSghmc(conj.data, { ...linear, batchSize: 32, seed: 2, epochs: 500, burnIn: 20, samples: 300, learningRate: 2e-3, friction: 0.1 })) as SamplesPosterior;
    const m = moments(p.samples, 3);
    for (let j = 0; j < 3; j++) {
      const mcse = Math.sqrt(conj.cov[j][j] / essMean([column(p.samples, 3, j)]));
      expect(Math.abs(m.mean[j] - conj.mean[j])).toBeLessThan(4 * mcse);
      expect(m.variance[j] / conj.cov[j][j]).toBeGreaterThan(0.6);
      expect(m.variance[j] / conj.cov[j][j]).toBeLessThan(1.7);
    }
  });

  it('adapts the step during burn-in towards the target acceptance', async () => {
    const p = (await trainSghmcMh(conj.data, { ...linear, seed: 3, epochs: 300, burnIn: 100, samples: 50, learningRate: 2, every: 5 })) as SamplesPosterior;
    expect(p.info.stepSize as number).toBeLessThan(2);
    expect(p.info.acceptance as number).toBeGreaterThan(0.3);
  });

  it('is deterministic for a seed and round-trips through bytes', async () => {
    for (const train of [trainSghmc, trainSghmcMh]) {
      const opts = { ...linear, batchSize: 50, seed: 5, epochs: 30, samples: 10 };
      const a = (await train(conj.data, opts)) as SamplesPosterior;
      const b = (await train(conj.data, opts)) as SamplesPosterior;
      expect(b.samples).toEqual(a.samples);
      const again = await posteriorFromBytes(a.toBytes());
      expect(again.method).toBe(a.method);
      expect(again.info).toEqual(a.info);
      const x = Float32Array.from([0.3, -1.2]);
      const pa = await a.predict(x);
      const pb = await again.predict(x);
      if (pa.kind !== 'regression' || pb.kind !== 'regression') throw new Error('regression expected');
      expect(Array.from(pb.mean)).toEqual(Array.from(pa.mean));
    }
  });

  it('rejects bad options with typed errors', async () => {
    expect(await errorCode(() => trainSghmc(conj.data, { ...linear, friction: 0 }))).toBe('E_ARG');
    expect(await errorCode(() => trainSghmcMh(conj.data, { ...linear, every: 0 }))).toBe('E_ARG');
    expect(await errorCode(() => trainSghmcMh(conj.data, { ...linear, targetAcceptance: 1.5 }))).toBe('E_ARG');
    expect(await errorCode(() => trainSghmcMh(conj.data, { ...linear, batchSize: 1000 }))).toBe('E_ARG');
  });
});

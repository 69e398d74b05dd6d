import { describe, expect, it } from 'vitest';
import { essMean } from '../../../src/diagnostics/ess.js';
import { trainCsgld, trainSgld } from '../../../src/methods/sgmcmc/sgld.js';
import type { SamplesPosterior } from '../../../src/methods/samples.js';
import { posteriorFromBytes } from '../../../src/posterior/serialize.js';
import { column, conjugateRegression, moments } from '../../helpers/conjugate.js';
import { errorCode } from '../../helpers/errors.js';
import { GAP_X, gapData } from '../../helpers/gap.js';

const conj = conjugateRegression(200, 2, 0.5, 1, 1);
/** A network with no hidden layer, known noise, raw units: exactly the conjugate model. */
const linear = { hidden: [], noise: 0.5, standardize: false, pretrainEpochs: 0, priorPrecision: 1 };

function expectPosterior(p: SamplesPosterior, varLo: number, varHi: number) {
  const m = moments(p.samples, 3);
  for (let j = 0; j < 3; j++) {
    const ess = essMean([column(p.samples, 3, j)]);
    const mcse = Math.sqrt(conj.cov[j][j] / ess);
    expect(Math.abs(m.mean[j] - conj.mean[j])).toBeLessThan(4 * mcse);
    expect(m.variance[j] / conj.cov[j][j]).toBeGreaterThan(varLo);
    expect(m.variance[j] / conj.cov[j][j]).toBeLessThan(varHi);
  }
}

describe('SGLD', () => {
  it('with a small step matches the exact posterior of Bayesian linear regression', async () => {
    const p = (await trainSgld(conj.data, { ...linear, seed: 3, epochs: 1000, burnIn: 20, samples: 500, learningRate: 3e-2 })) as SamplesPosterior;
    expect(p.count).toBe(500);
    expectPosterior(p, 0.7, 1.6);
  });

  it('preconditioned (pSGLD) also centres on the exact posterior mean', async () => {
    const p = (await trainSgld(conj.data, { ...linear, seed: 3, epochs: 400, burnIn: 100, samples: 200, precondition: true, learningRate: 1e-2 })) as SamplesPosterior;
    const m = moments(p.samples, 3);
    for (let j = 0; j < 3; j++) {
      expect(Math.abs(m.mean[j] - conj.mean[j])).toBeLessThan(3 * Math.sqrt(conj.cov[j][j]));
      expect(m.variance[j] / conj.cov[j][j]).toBeGreaterThan(0.3);
      expect(m.variance[j] / conj.cov[j][j]).toBeLessThan(3);
    }
    expect(p.info.preconditioned).toBe(true);
  });

  it('has more epistemic variance in the gap than on the data', async () => {
    const p = await trainSgld(gapData(60, 1), { seed: 2, pretrainEpochs: 300, epochs: 1000, learningRate: 1e-2 });
    const pr = await p.predict(GAP_X);
    if (pr.kind !== 'regression') throw new Error('regression expected');
    expect(pr.epistemic[1]).toBeGreaterThan(2 * pr.epistemic[0]);
    expect(pr.epistemic[1]).toBeGreaterThan(2 * pr.epistemic[2]);
  });

  it('is deterministic for a seed and round-trips through bytes', async () => {
    const opts = { ...linear, seed: 5, epochs: 20, samples: 10 };
    const a = (await trainSgld(conj.data, opts)) as SamplesPosterior;
    const b = (await trainSgld(conj.data, opts)) as SamplesPosterior;
    expect(b.samples).toEqual(a.samples);
    const c = (await trainSgld(conj.data, { ...opts, seed: 6 })) as SamplesPosterior;
    expect(c.samples).not.toEqual(a.samples);
    const again = await posteriorFromBytes(a.toBytes());
    expect(again.method).toBe('sgld');
    const x = Float32Array.from([0.3, -1.2, 0.5, 0.5]);
    const pa = await a.predict(x);
    const pb = await again.predict(x);
    if (pa.kind !== 'regression' || pb.kind !== 'regression') throw new Error('regression expected');
    expect(Array.from(pb.mean)).toEqual(Array.from(pa.mean));
    expect(Array.from(pb.variance)).toEqual(Array.from(pa.variance));
    expect((await again.sampleWeights!(3)).length).toBe(3);
  });

  it('rejects bad options with typed errors', async () => {
    expect(await errorCode(() => trainSgld(conj.data, { ...linear, epochs: 0 }))).toBe('E_ARG');
    expect(await errorCode(() => trainSgld(conj.data, { ...linear, burnIn: -1 }))).toBe('E_ARG');
    expect(await errorCode(() => trainSgld(conj.data, { ...linear, samples: 1.5 }))).toBe('E_ARG');
  });
});

describe('cyclical SGLD', () => {
  it('collects samples in each cycle and centres on the exact posterior', async () => {
    const p = (await trainCsgld(conj.data, { ...linear, seed: 2, epochs: 400, cycles: 4, samples: 100, learningRate: 0.1 })) as SamplesPosterior;
    expect(p.count).toBe(100);
    expect(p.info.cycles).toBe(4);
    const m = moments(p.samples, 3);
    for (let j = 0; j < 3; j++) {
      expect(Math.abs(m.mean[j] - conj.mean[j])).toBeLessThan(2 * Math.sqrt(conj.cov[j][j]));
      expect(m.variance[j]).toBeGreaterThan(0);
    }
    const again = await posteriorFromBytes(p.toBytes());
    expect(again.method).toBe('csgld');
  });

  it('rejects bad options with typed errors', async () => {
    expect(await errorCode(() => trainCsgld(conj.data, { ...linear, explore: 1 }))).toBe('E_ARG');
    expect(await errorCode(() => trainCsgld(conj.data, { ...linear, epochs: 1, cycles: 100 }))).toBe('E_ARG');
  });
});

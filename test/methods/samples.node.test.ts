// The samplers' starting point (samples.ts `prepare`, mcmc.ts): for a 'gaussian' regression they take
// MAP's default — its network and its held-out σ — instead of a fixed budget's mode and its training
// residual. The SG-MCMC length: a step budget (samples.ts `collectEpochs`, `samplerLength`).
import { describe, expect, it } from 'vitest';
import { trainMap } from '../../src/methods/map.js';
import { trainNuts } from '../../src/methods/mcmc/mcmc.js';
import { CLASSIFICATION_EPOCHS, collectEpochs, COLLECT_STEPS, prepare, samplerLength } from '../../src/methods/samples.js';
import type { Dataset } from '../../src/data/dataset.js';
import type { MlpSpec } from '../../src/model/spec.js';
import { trainCsgld, trainSgld } from '../../src/methods/sgmcmc/sgld.js';
import { trainSghmcMh } from '../../src/methods/sgmcmc/sghmc.js';
import { trainSvgd } from '../../src/methods/variational/svgd.js';
import type { RegressionPredictive } from '../../src/posterior/types.js';
import { blockOutlierData } from './helpers.js';

// Rows whose outliers sit outside the first held-out block: a held-out σ and a training residual differ.
const data = blockOutlierData();
const x = data.x.subarray(0, 3 * data.inputs);
const sigma2 = async (p: { predict(x: Float32Array): Promise<unknown> }) => ((await p.predict(x)) as RegressionPredictive).aleatoric[0];

describe("the samplers start from MAP's default", () => {
  it("prepare: MAP's network and σ² for a gaussian regression; the fixed budget when pretrainEpochs is given", async () => {
    const map = await trainMap(data, { hidden: [8], seed: 0 });
    const prep = await prepare(data, { hidden: [8], seed: 0 });
    expect(Array.from(prep.theta0)).toEqual(Array.from(map.source.theta));
    expect(prep.noiseVar).toBe(map.source.noiseVar);
    const fixed = await prepare(data, { hidden: [8], seed: 0, pretrainEpochs: 40 });
    expect(fixed.noiseVar).not.toBe(map.source.noiseVar);
  });

  it("SGLD, SVGD and NUTS predict with MAP's default σ", async () => {
    const want = await sigma2(await trainMap(data, { hidden: [8], seed: 0 }));
    expect(await sigma2(await trainSgld(data, { hidden: [8], seed: 0, epochs: 2, burnIn: 1, samples: 3 }))).toBe(want);
    expect(await sigma2(await trainSvgd(data, { hidden: [8], seed: 0, epochs: 2, particles: 3 }))).toBe(want);
    const nuts = await trainNuts(data, { hidden: [8], seed: 0, chains: 2, warmup: 10, draws: 10, keep: 2, poolSize: 0 });
    expect(await sigma2(nuts)).toBe(want);
  }, 60_000);
});

/** Only the likelihood decides the task (spec.ts taskOf). */
const specOf = (likelihood: MlpSpec['likelihood']) => ({ likelihood }) as MlpSpec;

describe('the SG-MCMC length is a step budget', () => {
  it('collects COLLECT_STEPS steps in whole epochs at the batch size, with a tenth of the epochs before', () => {
    expect(COLLECT_STEPS).toBe(40_000);
    // yacht's 277 training rows at batch 32: 9 steps an epoch; 50,000 rows: 1,563; a batch as large as the data: 1.
    expect(collectEpochs(277, 32)).toBe(4445);
    expect(collectEpochs(50_000, 32)).toBe(26);
    expect(collectEpochs(277, 256)).toBe(20_000);
    expect(collectEpochs(100, 512)).toBe(40_000);
    expect(collectEpochs(10_000_000, 32)).toBe(1);
    const regression = (n: number) => ({ spec: specOf('gaussian'), data: { n } as Dataset });
    expect(samplerLength({}, regression(277), 32)).toEqual({ epochs: 4445, burnIn: 445 });
    expect(samplerLength({ epochs: 100 }, regression(277), 32)).toEqual({ epochs: 100, burnIn: 10 });
    expect(samplerLength({ burnIn: 0 }, regression(50_000), 32)).toEqual({ epochs: 26, burnIn: 0 });
    // Classification keeps the length it was measured with (a longer chain was worse on Fashion-MNIST).
    expect(samplerLength({}, { spec: specOf('categorical'), data: { n: 9000 } as Dataset }, 32)).toEqual({ epochs: CLASSIFICATION_EPOCHS, burnIn: 10 });
  });

  it('the defaults are bit for bit a run of those epochs (SGLD, cyclical SGLD, SGHMC-MH and its own batch)', async () => {
    const o = { hidden: [4], seed: 1, samples: 5, pretrainEpochs: 2 };
    const prep = { spec: specOf('gaussian'), data };
    const bits = async (p: { predict(x: Float32Array): Promise<unknown> }) => Array.from(((await p.predict(x)) as RegressionPredictive).mean);
    const sgld = samplerLength({}, prep, 32);
    expect(await bits(await trainSgld(data, o))).toEqual(await bits(await trainSgld(data, { ...o, ...sgld })));
    expect(await bits(await trainCsgld(data, o))).toEqual(await bits(await trainCsgld(data, { ...o, epochs: collectEpochs(data.n, 32) })));
    const mh = samplerLength({}, prep, Math.min(256, data.n));
    expect(await bits(await trainSghmcMh(data, o))).toEqual(await bits(await trainSghmcMh(data, { ...o, ...mh })));
    expect(await bits(await trainSgld(data, o))).not.toEqual(await bits(await trainSgld(data, { ...o, epochs: 100, burnIn: 10 })));
  }, 120_000);
});

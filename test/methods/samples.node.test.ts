// The samplers' starting point (samples.ts `prepare`, mcmc.ts): for a 'gaussian' regression they take
// MAP's default — its network and its held-out σ — instead of a fixed budget's mode and its training
// residual.
import { describe, expect, it } from 'vitest';
import { trainMap } from '../../src/methods/map.js';
import { trainNuts } from '../../src/methods/mcmc/mcmc.js';
import { prepare } from '../../src/methods/samples.js';
import { trainSgld } from '../../src/methods/sgmcmc/sgld.js';
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

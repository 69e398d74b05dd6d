import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { BdlError } from '../../src/errors.js';
import { trainConcreteDropout } from '../../src/methods/variational/concrete-dropout.js';
import { trainEnsemble } from '../../src/methods/ensembles/ensemble.js';
import { trainMap } from '../../src/methods/map.js';
import { trainMcDropout } from '../../src/methods/variational/mc-dropout.js';
import type { PredictiveNoiseOption } from '../../src/methods/noise.js';
import { trainMultiSwag, trainSwa, trainSwag } from '../../src/methods/ensembles/swag.js';
import { trainVi } from '../../src/methods/variational/vi.js';
import type { Posterior, RegressionPredictive } from '../../src/posterior/types.js';
import { posteriorFromBytes } from '../../src/posterior/serialize.js';
import { linearData } from './helpers.js';

type Trainer = (d: Dataset, o: { hidden: number[]; epochs: number; seed: number } & PredictiveNoiseOption) => Promise<Posterior>;
const trainers: Record<string, Trainer> = {
  map: trainMap,
  'mc-dropout': trainMcDropout,
  'concrete-dropout': trainConcreteDropout,
  vi: trainVi,
  ensemble: (d, o) => trainEnsemble(d, { ...o, members: 2 }),
  swa: (d, o) => trainSwa(d, { ...o, swaStart: 5 }),
  swag: (d, o) => trainSwag(d, { ...o, swaStart: 5 }),
  multiswag: (d, o) => trainMultiSwag(d, { ...o, swaStart: 5, members: 2 }),
};

describe('predictiveNoise', () => {
  const data = linearData(40, 2, 0.3, 5);
  const x = data.x.subarray(0, 16);
  const predict = async (p: Posterior) => (await p.predict(x, { seed: 3 })) as RegressionPredictive;

  for (const [name, train] of Object.entries(trainers)) {
    it(`${name}: replaces the noise at prediction only (same fit, aleatoric = σ² in target units), and survives a round trip`, async () => {
      const o = { hidden: [8], epochs: 10, seed: 2 };
      const plain = await predict(await train(data, o));
      const post = await train(data, { ...o, predictiveNoise: 0.7 });
      const p = await predict(post);
      expect(Array.from(p.mean)).toEqual(Array.from(plain.mean));
      expect(Array.from(p.epistemic)).toEqual(Array.from(plain.epistemic));
      for (let i = 0; i < p.aleatoric.length; i++) expect(p.aleatoric[i]).toBeCloseTo(0.49, 5);
      expect(plain.aleatoric[0]).not.toBeCloseTo(0.49, 5);
      const again = await predict(await posteriorFromBytes(post.toBytes()));
      expect(Array.from(again.variance)).toEqual(Array.from(p.variance));
    });
  }

  it('refuses a σ that is not positive and finite, or a likelihood without a homoscedastic noise', async () => {
    await expect(trainMcDropout(data, { hidden: [4], epochs: 1, predictiveNoise: 0 })).rejects.toBeInstanceOf(BdlError);
    await expect(trainVi(data, { hidden: [4], epochs: 1, predictiveNoise: Number.NaN })).rejects.toBeInstanceOf(BdlError);
    await expect(trainEnsemble(data, { hidden: [4], epochs: 1, members: 1, likelihood: 'heteroscedastic', predictiveNoise: -1 })).rejects.toMatchObject({ code: 'E_ARG' });
    await expect(trainMap(data, { hidden: [4], epochs: 1, likelihood: 'heteroscedastic', predictiveNoise: 1 })).rejects.toMatchObject({ code: 'E_ARG' });
  });

  it('heteroscedastic ensemble members: σ² is added to each member\'s predicted variance (a floor), same means, and survives a round trip', async () => {
    const o = { hidden: [4], epochs: 20, seed: 2, members: 2, likelihood: 'heteroscedastic' as const };
    const plain = await predict(await trainEnsemble(data, o));
    const floored = await trainEnsemble(data, { ...o, predictiveNoise: 0.7 });
    const p = await predict(floored);
    expect(Array.from(p.members!.mean)).toEqual(Array.from(plain.members!.mean));
    for (let i = 0; i < p.members!.variance.length; i++) {
      expect(p.members!.variance[i]).toBeCloseTo(plain.members!.variance[i] + 0.49, 4);
    }
    const back = await predict(await posteriorFromBytes(floored.toBytes()));
    expect(Array.from(back.variance)).toEqual(Array.from(p.variance));
  });
});

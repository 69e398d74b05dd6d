// The LoRA methods' options by schema, checked before anything touches the network or the data.
import { expect, test } from 'vitest';
import type { Dataset } from '../../../src/data/dataset.js';
import type { Mlp } from '../../../src/model/mlp.js';
import { fitLora, loraLaplace, loraSwag, loraVi, type LoraFit } from '../../../src/methods/lora/bayes.js';

const none = {} as never;
const arg = async (f: () => unknown) => {
  try {
    await f();
  } catch (e) {
    return [(e as { code: string }).code, (e as { argument: string }).argument];
  }
  return 'accepted';
};

test('fitLora, loraLaplace, loraSwag and loraVi refuse bad options naming them', async () => {
  const mlp = none as Mlp;
  const f = none as LoraFit;
  const d = none as Dataset;
  expect(await arg(() => fitLora(mlp, new Float32Array(1), d, { layers: [] }, { epochs: 0 }))).toEqual(['E_ARG', 'epochs']);
  expect(await arg(() => fitLora(mlp, new Float32Array(1), d, { layers: [] }, { learningRate: -1 }))).toEqual(['E_ARG', 'learningRate']);
  expect(await arg(() => fitLora(mlp, new Float32Array(1), d, { layers: [] }, { prior: 1 } as never))).toEqual(['E_ARG', 'prior']);
  expect(await arg(() => loraLaplace(f, d, { link: 'logit' as 'mc' }))).toEqual(['E_ARG', 'link']);
  expect(await arg(() => loraLaplace(f, d, { predictive: 'mean' as 'glm' }))).toEqual(['E_ARG', 'predictive']);
  expect(await arg(() => loraLaplace(f, d, { samples: 0 }))).toEqual(['E_ARG', 'samples']);
  expect(await arg(() => loraLaplace(f, d, { priorPrecision: 0 }))).toEqual(['E_ARG', 'priorPrecision']);
  expect(await arg(() => loraSwag(f, d, { epochs: 1.5 }))).toEqual(['E_ARG', 'epochs']);
  expect(await arg(() => loraVi(mlp, new Float32Array(1), d, { layers: [] }, { rhoInit: NaN }))).toEqual(['E_ARG', 'rhoInit']);
});

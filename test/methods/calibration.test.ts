import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { trainTestSplit } from '../../src/data/split.js';
import { BdlError } from '../../src/errors.js';
import { trainMap } from '../../src/methods/map.js';
import { trainMethod } from '../../src/methods/registry.js';
import { TEMPERED_BY_DEFAULT } from '../../src/methods/calibration.js';
import { decodePosterior, encodePosterior } from '../../src/posterior/serialize.js';
import { posteriorFromBytes } from '../../src/posterior/restore.js';
import { fitTemperature } from '../../src/posterior/temperature.js';
import { TemperedPosterior } from '../../src/posterior/tempered.js';
import type { ClassificationPredictive } from '../../src/posterior/types.js';
import { Rng } from '../../src/random/index.js';
import { linearData } from './helpers.js';

/** Three overlapping Gaussian blobs in 2-D: a network trained long on them is over-confident. */
function blobs(n: number, seed: number) {
  const rng = new Rng(seed, 0);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    x.push([Math.cos((2 * Math.PI * c) / 3) + 0.9 * rng.normal(), Math.sin((2 * Math.PI * c) / 3) + 0.9 * rng.normal()]);
    y.push(c);
  }
  return makeDataset(x, y);
}

const nll = (p: ClassificationPredictive, y: Float32Array) => {
  let s = 0;
  for (let i = 0; i < y.length; i++) s -= Math.log(p.probs[i * p.classes + y[i]]);
  return s / y.length;
};

describe('calibrate: temperature scaling as a method default', () => {
  const data = blobs(600, 1);
  const opts = { task: 'classification' as const, hidden: [16], epochs: 200, seed: 2 };

  it('fits the temperature on the held-out rows the method did not train on, lowering their NLL', async () => {
    const { posterior } = await trainMethod('map', data, opts);
    expect(posterior).toBeInstanceOf(TemperedPosterior);
    const t = posterior as TemperedPosterior;
    const held = trainTestSplit(data, { testFraction: 0.1, seed: 2, stream: 0x7e }).test;
    const raw = (await t.inner.predict(held.x, { seed: 2 })) as ClassificationPredictive;
    expect(t.temperature).toBe(fitTemperature(raw.probs, held.y, 3));
    expect(t.temperature).toBeGreaterThan(1);
    expect(nll(await t.predict(held.x, { seed: 2 }), held.y)).toBeLessThan(nll(raw, held.y));
    expect(t.info.temperature).toBe(t.temperature);
    expect(t.method).toBe('map');
  });

  it('is part of the file: restored with the same temperature and bit-identical predictions', async () => {
    const { posterior } = await trainMethod('map', data, opts);
    const bytes = posterior.toBytes();
    expect(decodePosterior(bytes).state?.temperature).toBe((posterior as TemperedPosterior).temperature);
    const back = await posteriorFromBytes(bytes);
    expect(back).toBeInstanceOf(TemperedPosterior);
    expect((back as TemperedPosterior).temperature).toBe((posterior as TemperedPosterior).temperature);
    const x = Float32Array.from([0.1, 0.2, -1, 0.5, 3, -3]);
    expect(Array.from(((await back.predict(x)) as ClassificationPredictive).probs)).toEqual(Array.from(((await posterior.predict(x)) as ClassificationPredictive).probs));
    expect(Array.from(back.toBytes())).toEqual(Array.from(bytes));
    // A file whose temperature is not a positive number is refused as corrupt.
    const parts = decodePosterior(bytes);
    for (const bad of [-1, 0, 'x', null]) {
      const code = await posteriorFromBytes(encodePosterior({ ...parts, state: { ...parts.state, temperature: bad } })).then(() => 'ok', (e: BdlError) => e.code);
      expect(code).toBe('E_FORMAT');
    }
  });

  it("'none' trains on every row exactly as the method itself; regression and calibrated methods stay untempered", async () => {
    const { posterior } = await trainMethod('map', data, { ...opts, calibrate: 'none' });
    expect(posterior).not.toBeInstanceOf(TemperedPosterior);
    expect(Array.from(posterior.toBytes())).toEqual(Array.from((await trainMap(data, opts)).toBytes()));
    expect(TEMPERED_BY_DEFAULT.has('ensemble')).toBe(false);
    expect(await trainMethod('ensemble', data, { ...opts, members: 2, epochs: 5 }).then((r) => r.posterior)).not.toBeInstanceOf(TemperedPosterior);
    const reg = linearData(100, 2, 0.3, 3);
    expect((await trainMethod('map', reg, { epochs: 5 })).posterior).not.toBeInstanceOf(TemperedPosterior);
    const code = await trainMethod('map', reg, { epochs: 5, calibrate: 'temperature' }).then(() => 'ok', (e: BdlError) => e.code);
    expect(code).toBe('E_ARG');
    const unknown = await trainMethod('map', data, { ...opts, calibrate: 'platt' }).then(() => 'ok', (e: BdlError) => e.code);
    expect(unknown).toBe('E_ARG');
  });
});

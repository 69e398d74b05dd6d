import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { trainTestSplit } from '../../src/data/split.js';
import { BdlError } from '../../src/errors.js';
import { trainMap, trainMapWithRefit } from '../../src/methods/map.js';
import { trainEnsemble, trainEnsembleWithRefit, type EnsemblePosterior } from '../../src/methods/ensembles/ensemble.js';
import { trainLaplace, trainLaplaceWithRefit } from '../../src/methods/laplace/laplace.js';
import { trainMcDropout } from '../../src/methods/variational/mc-dropout.js';
import { trainConcreteDropout } from '../../src/methods/variational/concrete-dropout.js';
import { trainVi } from '../../src/methods/variational/vi.js';
import type { Dataset } from '../../src/data/dataset.js';
import { METHODS, methodNames, trainMethod } from '../../src/methods/registry.js';
import { calibrationOf } from '../../src/methods/calibration.js';
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
    const held = trainTestSplit(data, { testFraction: 0.1, seed: 2, stream: 0x7e, stratify: true }).test;
    const raw = (await t.inner.predict(held.x, { seed: 2 })) as ClassificationPredictive;
    expect(t.temperature).toBe(fitTemperature(raw.probs, held.y, 3));
    expect(t.temperature).toBeGreaterThan(1);
    expect(nll(await t.predict(held.x, { seed: 2 }), held.y)).toBeLessThan(nll(raw, held.y));
    expect(t.info.temperature).toBe(t.temperature);
    expect(t.method).toBe('map');
  });

  // One hold-out, then a refit: a method that stops early stops on the rows the temperature is then
  // fitted on (not on a second hold-out), and the networks returned are the same recipe trained again
  // on every row for the epochs each kept, under the stopped run's temperature.
  it.each([
    ['map', (d: Dataset, o: Record<string, unknown>) => trainMapWithRefit(d, o), (d: Dataset, o: Record<string, unknown>) => trainMap(d, o)],
    ['ensemble', (d: Dataset, o: Record<string, unknown>) => trainEnsembleWithRefit(d, { ...o, members: 2 }), (d: Dataset, o: Record<string, unknown>) => trainEnsemble(d, { ...o, members: 2 })],
    ['laplace', (d: Dataset, o: Record<string, unknown>) => trainLaplaceWithRefit(d, o), (d: Dataset, o: Record<string, unknown>) => trainLaplace(d, o)],
  ] as const)('%s stops early on the calibration rows, then trains on every row for the kept epochs under their temperature', async (m, withRefit, direct) => {
    const small = blobs(300, 4);
    const o = { task: 'classification' as const, hidden: [8], seed: 3 };
    const { posterior } = await trainMethod(m, small, { ...o, ...(m === 'ensemble' && { members: 2 }) });
    const { train: rest, test: held } = trainTestSplit(small, { testFraction: 0.1, seed: 3, stream: 0x7e, stratify: true });
    const { posterior: stopped, refit } = await withRefit(rest, { ...o, classes: 3, validation: held, stoppingScore: 'tempered-nll' });
    // The public trainer returns the same posterior, without the refit.
    expect(Array.from((await direct(rest, { ...o, classes: 3, validation: held, stoppingScore: 'tempered-nll' })).toBytes())).toEqual(Array.from(stopped.toBytes()));
    const raw = (await stopped.predict(held.x, { seed: 3 })) as ClassificationPredictive;
    expect((posterior as TemperedPosterior).temperature).toBe(fitTemperature(raw.probs, held.y, 3));
    const { epochs } = refit!;
    expect(epochs).toHaveLength(m === 'ensemble' ? 2 : 1);
    const inner = (posterior as TemperedPosterior).inner;
    // Not a network of the stopped run (the held-out rows trained too)...
    expect(Array.from(inner.toBytes())).not.toEqual(Array.from(stopped.toBytes()));
    // ...but, network by network, the method on every row for that network's kept epochs.
    if (m === 'ensemble') {
      const members = (inner as EnsemblePosterior).source.members;
      for (const [k, e] of epochs.entries()) {
        const alone = (await trainEnsemble(small, { ...o, classes: 3, members: 2, epochs: e })).source.members[k];
        expect(Array.from(members[k])).toEqual(Array.from(alone));
      }
    } else {
      expect(Array.from(inner.toBytes())).toEqual(Array.from((await direct(small, { ...o, classes: 3, epochs: epochs[0] })).toBytes()));
    }
    // A run that did not stop on given rows returns no refit.
    expect((await withRefit(rest, { ...o, classes: 3 })).refit).toBeUndefined();
  }, 60_000);

  // The methods trained on a sampled objective (dropout masks, VI's draws) stop on the calibration rows
  // and are not refit: their network is the stopped one, trained on the other rows.
  it.each([
    ['mc-dropout', (d: Dataset, o: Record<string, unknown>) => trainMcDropout(d, { ...o, samples: 2 })],
    ['concrete-dropout', (d: Dataset, o: Record<string, unknown>) => trainConcreteDropout(d, { ...o, samples: 2 })],
    ['vi', (d: Dataset, o: Record<string, unknown>) => trainVi(d, { ...o, samples: 2 })],
  ] as const)('%s stops early on the calibration rows and keeps that network (no refit)', async (m, direct) => {
    const small = blobs(300, 4);
    const o = { task: 'classification' as const, hidden: [8], seed: 3, samples: 2 };
    const { posterior } = await trainMethod(m, small, o);
    const { train: rest, test: held } = trainTestSplit(small, { testFraction: 0.1, seed: 3, stream: 0x7e, stratify: true });
    // These trainers have no refit to return (registry.ts rows by `method`, not `refitting`).
    const stopped = await direct(rest, { ...o, classes: 3, validation: held, stoppingScore: 'tempered-nll' });
    expect(Array.from((posterior as TemperedPosterior).inner.toBytes())).toEqual(Array.from(stopped.toBytes()));
  }, 60_000);

  it('given validation rows: every training row trains, and the temperature is fitted on the given rows', async () => {
    const small = blobs(300, 5);
    const held = blobs(60, 6);
    const o = { task: 'classification' as const, hidden: [8], seed: 3 };
    const { posterior } = await trainMethod('map', small, { ...o, validation: held });
    const inner = (posterior as TemperedPosterior).inner;
    expect(Array.from(inner.toBytes())).toEqual(Array.from((await trainMap(small, { ...o, classes: 3, validation: held, stoppingScore: 'tempered-nll' })).toBytes()));
    const raw = (await inner.predict(held.x, { seed: 3 })) as ClassificationPredictive;
    expect((posterior as TemperedPosterior).temperature).toBe(fitTemperature(raw.probs, held.y, 3));
  }, 60_000);

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

  it("'none' trains on every row exactly as the method itself; regression stays untempered", async () => {
    const { posterior } = await trainMethod('map', data, { ...opts, calibrate: 'none' });
    expect(posterior).not.toBeInstanceOf(TemperedPosterior);
    expect(Array.from(posterior.toBytes())).toEqual(Array.from((await trainMap(data, opts)).toBytes()));
    const reg = linearData(100, 2, 0.3, 3);
    expect((await trainMethod('map', reg, { epochs: 5 })).posterior).not.toBeInstanceOf(TemperedPosterior);
    const code = await trainMethod('map', reg, { epochs: 5, calibrate: 'temperature' }).then(() => 'ok', (e: BdlError) => e.code);
    expect(code).toBe('E_ARG');
    const unknown = await trainMethod('map', data, { ...opts, calibrate: 'platt' }).then(() => 'ok', (e: BdlError) => e.code);
    expect(unknown).toBe('E_ARG');
  });

  // The rule (calibration.ts): every method is tempered for classification, none for regression.
  // The cheapest run of each method that still goes through its trainer (2-D blobs, 3 classes).
  const tiny: Record<string, Record<string, unknown>> = {
    map: { epochs: 3 },
    ensemble: { epochs: 3, members: 2 },
    'mc-dropout': { epochs: 3, samples: 2 },
    'concrete-dropout': { epochs: 3, samples: 2 },
    vi: { epochs: 3, samples: 2 },
    swa: { epochs: 4, swaStart: 2 },
    swag: { epochs: 4, swaStart: 2, samples: 2, rank: 2 },
    multiswag: { epochs: 4, swaStart: 2, samples: 2, rank: 2, members: 2, pool: { size: 0 } },
    'swag-subspace': { epochs: 4, swaStart: 2, rank: 2, dimension: 2, chains: 1, warmup: 10, draws: 10 },
    laplace: { epochs: 3 },
    nuts: { hidden: [], epochs: 3, chains: 1, warmup: 10, draws: 10, keep: 10, poolSize: 0 },
    hmc: { hidden: [], epochs: 3, chains: 1, warmup: 10, draws: 10, keep: 10, poolSize: 0, steps: 4 },
    sgld: { epochs: 3, pretrainEpochs: 2, samples: 2 },
    csgld: { epochs: 4, pretrainEpochs: 2, samples: 2, cycles: 2 },
    sghmc: { epochs: 3, pretrainEpochs: 2, samples: 2 },
    'sghmc-mh': { epochs: 3, pretrainEpochs: 2, samples: 2 },
    svgd: { epochs: 3, pretrainEpochs: 2, samples: 2, particles: 2 },
  };

  it('the default of every method is what the rule says: temperature for classification, none for regression', () => {
    expect(Object.keys(tiny).sort()).toEqual(methodNames().sort());
    for (const m of methodNames()) {
      expect(METHODS[m].options.fields.calibrate.defaultText, m).toBe("'temperature' for classification");
    }
    expect(calibrationOf({ task: 'classification' })).toBe('temperature');
    expect(calibrationOf({ task: 'regression' })).toBe('none');
    expect(calibrationOf({})).toBe('none');
    expect(calibrationOf({ task: 'classification', calibrate: 'none' })).toBe('none');
  });

  it.each(methodNames())('%s trains tempered by default for classification', async (m) => {
    const small = blobs(240, 3);
    const { posterior } = await trainMethod(m, small, { task: 'classification', hidden: [4], seed: 1, ...tiny[m] });
    expect(posterior).toBeInstanceOf(TemperedPosterior);
    expect((posterior as TemperedPosterior).method.startsWith(m)).toBe(true);
  }, 60_000);
});

describe('labels of one class', () => {
  const x = Array.from({ length: 40 }, (_, i) => [i / 40]);
  const refusal = (p: Promise<unknown>) => p.then(() => { throw new Error('resolved'); }, (e: BdlError) => e);

  // classes: 2 with every label 1 (or 0) made a network that answers P = 1 for that class, silently.
  it.each([
    ['every label 1, classes 2', 1, { classes: 2 }],
    ['every label 0, classes 2', 0, { classes: 2 }],
    ['every label 1', 1, {}],
    ['every label 1, calibrate none', 1, { calibrate: 'none' }],
  ] as const)('%s: E_ARG on train.y before any work', async (_, label, extra) => {
    const data = makeDataset(x, x.map(() => label));
    let epochs = 0;
    const e = await refusal(trainMethod('map', data, { task: 'classification', hidden: [4], epochs: 3, onProgress: () => epochs++, ...extra }));
    expect(e).toBeInstanceOf(BdlError);
    expect([e.code, e.argument]).toEqual(['E_ARG', 'train.y']);
    expect(e.message).toMatch(new RegExp(`^train\\.y: expected labels of at least two classes, found all 40 labels are class ${label}; classification needs at least two classes present\\.`));
    expect(epochs).toBe(0);
  });

  it('two classes present are enough, however few rows the second has', async () => {
    const data = makeDataset(x, x.map((_, i) => (i === 7 ? 1 : 0)));
    const { posterior } = await trainMethod('map', data, { task: 'classification', hidden: [4], epochs: 3, classes: 2 });
    expect((await posterior.predict(data.x)).kind).toBe('classification');
  });
});

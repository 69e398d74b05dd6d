import { describe, expect, it } from 'vitest';
import { makeDataset, type Dataset } from '../../../src/data/dataset.js';
import { BdlError } from '../../../src/errors.js';
import { defaultEpochs, type MethodOptions } from '../../../src/methods/common.js';
import { trainMcDropout } from '../../../src/methods/variational/mc-dropout.js';
import { trainMethod } from '../../../src/methods/registry.js';
import { gridPoints, tune, validationScore } from '../../../src/methods/tune/tune.js';
import type { Posterior, RegressionPredictive } from '../../../src/posterior/types.js';
import { linearData } from '../helpers.js';

/** A posterior that predicts the constant `c` with unit variance, remembering the rows it saw. */
type Fake = MethodOptions & { c?: number; noise?: number };
function fakeTrainer(seen: Dataset[]) {
  return async (d: Dataset, o: Fake): Promise<Posterior> => {
    seen.push(d);
    const c = o.c ?? 0;
    return {
      method: 'fake',
      spec: { inputs: d.inputs, hidden: [], outputs: 1, activation: 'relu', likelihood: 'gaussian' },
      predict: async (x) => {
        const n = (x as Float32Array).length / d.inputs;
        const v = (o.noise ?? 1) ** 2;
        const members = { mean: new Float32Array(n).fill(c), variance: new Float32Array(n).fill(v), count: 1 };
        return { kind: 'regression', mean: new Float64Array(n).fill(c), variance: new Float64Array(n).fill(v), aleatoric: new Float64Array(n).fill(v), epistemic: new Float64Array(n), members };
      },
      toBytes: () => new Uint8Array(),
    };
  };
}

/** Rows of the dataset as strings, to compare sets of rows. */
function rowsOf(d: Dataset): string[] {
  return Array.from({ length: d.n }, (_, i) => `${Array.from(d.x.subarray(i * d.inputs, (i + 1) * d.inputs))}|${d.y[i]}`);
}

describe('tune', () => {
  it('expands a record of lists into its cartesian product and keeps a list as given', () => {
    expect(gridPoints({ a: [1, 2], b: ['x', 'y', 'z'] })).toEqual([
      { a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 1, b: 'z' }, { a: 2, b: 'x' }, { a: 2, b: 'y' }, { a: 2, b: 'z' },
    ]);
    expect(gridPoints([{ a: 3 }, { b: 4 }])).toEqual([{ a: 3 }, { b: 4 }]);
    expect(() => gridPoints({ a: [] })).toThrow(BdlError);
  });

  it('scores candidates on held-out training rows only, picks the best and retrains on all rows', async () => {
    const data = linearData(50, 2, 0.1, 1);
    const seen: Dataset[] = [];
    const candidates = [-3, 0, 0.3, 3];
    const progress: string[] = [];
    const r = await tune(data, fakeTrainer(seen), { seed: 7 } as Fake, { grid: { c: candidates }, onProgress: (p) => progress.push(`${p.stage}${p.candidate}`) });
    // 4 candidate fits on the same 40 rows, then one fit on all 50.
    expect(seen.map((d) => d.n)).toEqual([40, 40, 40, 40, 50]);
    const fitRows = new Set(rowsOf(seen[0]));
    const all = rowsOf(data);
    const held = all.filter((r) => !fitRows.has(r));
    expect(held.length).toBe(10);
    // The winner is the constant with the best Gaussian log-likelihood on the 10 held-out rows.
    const heldY = data.y.filter((_, i) => !fitRows.has(all[i]));
    const ll = (c: number) => heldY.reduce((s, y) => s - 0.5 * Math.log(2 * Math.PI) - 0.5 * (y - c) ** 2, 0) / heldY.length;
    const best = candidates.reduce((b, c) => (ll(c) > ll(b) ? c : b));
    expect(r.chosen).toEqual({ c: best });
    r.scores.forEach((s, i) => expect(s.score).toBeCloseTo(ll(candidates[i]), 5));
    expect(progress).toEqual(['search0', 'search1', 'search2', 'search3', `final${candidates.indexOf(best)}`]);
    // The split depends on the seed, and only on it.
    const again: Dataset[] = [];
    await tune(data, fakeTrainer(again), { seed: 7 } as Fake, { grid: { c: [0] } });
    expect(rowsOf(again[0])).toEqual(rowsOf(seen[0]));
    const other: Dataset[] = [];
    await tune(data, fakeTrainer(other), { seed: 8 } as Fake, { grid: { c: [0] } });
    expect(rowsOf(other[0])).not.toEqual(rowsOf(seen[0]));
  });

  it('with folds: fits each candidate k times, validates every row exactly once, scores the pooled rows', async () => {
    const data = linearData(43, 2, 0.1, 2);
    const seen: Dataset[] = [];
    const candidates = [-1, 0.2, 2];
    const r = await tune(data, fakeTrainer(seen), { seed: 5 } as Fake, { grid: { c: candidates }, folds: 4 });
    // 3 candidates × 4 folds, then the winner on all 43 rows; folds of 11, 11, 10, 11 rows held out.
    expect(seen.length).toBe(13);
    expect(seen.slice(0, 4).map((d) => data.n - d.n)).toEqual([11, 11, 10, 11]);
    expect(seen[12].n).toBe(43);
    const all = rowsOf(data);
    const heldCount = new Map<string, number>();
    for (const fit of seen.slice(0, 4)) {
      const inFit = new Set(rowsOf(fit));
      for (const row of all) if (!inFit.has(row)) heldCount.set(row, (heldCount.get(row) ?? 0) + 1);
    }
    expect([...heldCount.values()].every((n) => n === 1) && heldCount.size === 43).toBe(true);
    // Every row validates, so each score is the mean LL over all 43 rows: the winner is the best constant for all y.
    const ll = (c: number) => data.y.reduce((s, y) => s - 0.5 * Math.log(2 * Math.PI) - 0.5 * (y - c) ** 2, 0) / data.n;
    candidates.forEach((c, i) => expect(r.scores[i].score).toBeCloseTo(ll(c), 5));
    expect(r.chosen).toEqual({ c: candidates.reduce((b, c) => (ll(c) > ll(b) ? c : b)) });
    for (const bad of [1, 2.5, 22]) {
      await expect(tune(data, fakeTrainer([]), {} as Fake, { grid: { c: [0] }, folds: bad })).rejects.toMatchObject({ code: 'E_ARG', argument: 'folds' });
    }
  });

  it('with folds on a classifier: every fold validates every class (a class of 4 rows in 4 folds: once each)', async () => {
    const y = Array.from({ length: 40 }, (_, i) => (i < 4 ? 2 : i % 2));
    const data = makeDataset(y.map((_, i) => [i / 40]), y);
    const seen: Dataset[] = [];
    await tune(data, fakeTrainer(seen), { seed: 5, task: 'classification' } as Fake, { grid: { c: [0] }, folds: 4 });
    for (const fit of seen.slice(0, 4)) {
      const held = data.n - fit.n;
      expect(held).toBe(10);
      // The fit trains on the other folds: three of the rare class's four rows.
      expect(Array.from(fit.y).filter((v) => v === 2)).toHaveLength(3);
    }
  });

  it('with noise: scores each fit again at its held-out optimal σ (no refit), then refits the best with σ fixed', async () => {
    const data = linearData(60, 1, 0.1, 4);
    const seen: Dataset[] = [];
    const r = await tune(data, fakeTrainer(seen), { seed: 2 } as Fake, { grid: { c: [0, 5] }, noise: true });
    const fitRows = new Set(rowsOf(seen[0]));
    const all = rowsOf(data);
    const heldY = data.y.filter((_, i) => !fitRows.has(all[i]));
    // One sample per fit: the optimal σ² is the held-out mean squared residual (the Gaussian MLE).
    const sigma = (c: number) => Math.sqrt(heldY.reduce((s, y) => s + (y - c) ** 2, 0) / heldY.length);
    const ll = (c: number, v: number) => heldY.reduce((s, y) => s - 0.5 * Math.log(2 * Math.PI * v) - (y - c) ** 2 / (2 * v), 0) / heldY.length;
    expect(r.scores.map((c) => Object.keys(c.overrides))).toEqual([['c'], ['c', 'predictiveNoise'], ['c'], ['c', 'predictiveNoise'], ['c', 'noise'], ['c', 'noise', 'predictiveNoise']]);
    expect(r.scores[1].overrides.predictiveNoise as number).toBeCloseTo(sigma(0), 5);
    expect(r.scores[3].overrides.predictiveNoise as number).toBeCloseTo(sigma(5), 5);
    expect(r.scores[1].score).toBeCloseTo(ll(0, sigma(0) ** 2), 5);
    expect(r.scores[1].score).toBeGreaterThan(r.scores[0].score);
    // The refit of the best (c = 0) at σ fixed scores the same as its twin here; ties go to the first.
    expect(r.scores[4].overrides).toEqual({ c: 0, noise: r.scores[1].overrides.predictiveNoise });
    expect(r.scores[4].score).toBeCloseTo(r.scores[1].score, 5);
    expect(r.chosen).toEqual(r.scores[1].overrides);
    // Three fits on the 80 % (the twins cost none), one on all the rows.
    expect(seen.map((d) => d.n)).toEqual([48, 48, 48, 60]);
  });

  it('lets a diverged candidate lose, passes other errors on, and stops when cancelled', async () => {
    const data = linearData(30, 1, 0.1, 2);
    const base = fakeTrainer([]);
    const diverging = async (d: Dataset, o: Fake) => {
      if (o.c === 1) throw new BdlError('E_NONFINITE', 'fit: the loss became NaN.');
      return base(d, o);
    };
    const r = await tune(data, diverging, {} as Fake, { grid: { c: [1, 0] } });
    expect(r.chosen).toEqual({ c: 0 });
    expect(r.scores[0].score).toBe(-Infinity);
    // The same divergence inside a pool worker arrives as E_WORKER with the task's error as its cause.
    const inWorker = async (d: Dataset, o: Fake) => {
      if (o.c === 1) throw Object.assign(new BdlError('E_WORKER', 'task 0 failed.'), { cause: { code: 'E_NONFINITE' } });
      return base(d, o);
    };
    expect((await tune(data, inWorker, {} as Fake, { grid: { c: [1, 0] } })).chosen).toEqual({ c: 0 });
    // A winner that diverges on all the rows (but not on the search's part) gives way to the runner-up.
    const bigDiverges = async (d: Dataset, o: Fake) => {
      if (o.c === 0 && d.n === data.n) throw new BdlError('E_NONFINITE', 'fit: the loss became Infinity.');
      return base(d, o);
    };
    const fallback = await tune(data, bigDiverges, {} as Fake, { grid: { c: [0, 9, 1] } });
    expect(fallback.chosen).toEqual({ c: 1 });
    expect(fallback.scores[0].score).toBeGreaterThan(fallback.scores[2].score);
    const workerBug = async () => {
      throw Object.assign(new BdlError('E_WORKER', 'task 0 failed.'), { cause: { code: 'E_ARG' } });
    };
    await expect(tune(data, workerBug, {} as Fake, { grid: { c: [0] } })).rejects.toMatchObject({ code: 'E_WORKER' });
    const broken = async () => {
      throw new BdlError('E_ARG', 'dropout: expected a rate.');
    };
    await expect(tune(data, broken, {} as Fake, { grid: { c: [0] } })).rejects.toMatchObject({ code: 'E_ARG' });
    const signal = { aborted: false };
    const stopping = async (d: Dataset, o: Fake) => {
      signal.aborted = true;
      return base(d, o);
    };
    await expect(tune(data, stopping, { signal } as Fake, { grid: { c: [0, 1, 2] } })).rejects.toMatchObject({ code: 'E_ABORTED' });
    await expect(tune(data, base, {} as Fake, { grid: { c: [0] }, validationFraction: 1 })).rejects.toBeInstanceOf(BdlError);
  });

  it('scores a mixture by its exact log-likelihood, not a moment-matched Gaussian', () => {
    // Two members at ±1 with tiny variance: the mixture puts its mass at ±1, the Gaussian at 0.
    const p = { kind: 'regression' as const, mean: new Float64Array([0]), variance: new Float64Array([1.01]), aleatoric: new Float64Array([0.01]), epistemic: new Float64Array([1]), members: { mean: new Float32Array([1, -1]), variance: new Float32Array([0.01, 0.01]), count: 2 } };
    const y = new Float32Array([1]);
    const mixture = Math.log(0.5 / Math.sqrt(2 * Math.PI * 0.01));
    expect(validationScore(p, y)).toBeCloseTo(mixture, 4);
  });

  it('tunes a real method reproducibly; options the caller set are not searched', async () => {
    const data = linearData(60, 2, 0.3, 3);
    const grid = { dropout: [0.01, 0.2] };
    const a = await tune(data, trainMcDropout, { hidden: [8], epochs: 20, seed: 1 }, { grid });
    const b = await tune(data, trainMcDropout, { hidden: [8], epochs: 20, seed: 1 }, { grid });
    expect(a.chosen).toEqual(b.chosen);
    expect(a.scores).toEqual(b.scores);
    expect(a.scores.every((s) => Number.isFinite(s.score))).toBe(true);
    const x = data.x.subarray(0, 10);
    const mean = async (p: Posterior) => ((await p.predict(x)) as RegressionPredictive).mean;
    expect(await mean(a.posterior)).toEqual(await mean(b.posterior));
    // trainMethod: the registry's grid minus what the caller fixed. Here dropout and epochs: the noise
    // is still chosen; with σ fixed too nothing is left and nothing is searched.
    const fixed = await trainMethod('mc-dropout', data, { hidden: [8], epochs: 20, dropout: 0.1, seed: 1 }, true);
    expect(fixed.tuned!.scores.map((c) => Object.keys(c.overrides).sort())).toEqual([[], ['predictiveNoise'], ['noise'], ['noise', 'predictiveNoise']]);
    expect(Object.keys(fixed.tuned!.chosen).every((k) => k === 'noise' || k === 'predictiveNoise')).toBe(true);
    const allFixed = await trainMethod('mc-dropout', data, { hidden: [8], epochs: 20, dropout: 0.1, noise: 0.3, seed: 1 }, true);
    expect(allFixed.tuned).toBeUndefined();
    const searched = await trainMethod('map', data, { hidden: [8], epochs: 20, seed: 1 }, true);
    expect(searched.tuned!.scores.map((c) => Object.keys(c.overrides).sort())).toEqual([
      ['priorPrecision'], ['predictiveNoise', 'priorPrecision'], ['priorPrecision'], ['predictiveNoise', 'priorPrecision'], ['noise', 'priorPrecision'], ['noise', 'predictiveNoise', 'priorPrecision'],
    ]);
    expect(Object.keys(searched.tuned!.chosen)).toContain('priorPrecision');
  });

  it('crossFitNoise rescores only the calibrated twins, each with σ fitted on the other half of the validation rows', async () => {
    const data = linearData(80, 2, 0.3, 5);
    const opts = { hidden: [8], epochs: 20, dropout: 0.1, seed: 1 };
    const plain = await trainMethod('mc-dropout', data, opts, [{}]);
    const honest = await trainMethod('mc-dropout', data, opts, [{}], undefined, { crossFitNoise: true });
    const twin = (t: typeof plain) => t.tuned!.scores.find((c) => Object.keys(c.overrides).join() === 'predictiveNoise')!;
    const fit = (t: typeof plain) => t.tuned!.scores.find((c) => Object.keys(c.overrides).length === 0)!;
    expect(fit(honest)).toEqual(fit(plain));
    // Same σ, a lower (honest) score: the in-sample optimum is optimistic.
    expect(twin(honest).overrides).toEqual(twin(plain).overrides);
    expect(twin(honest).score).toBeLessThan(twin(plain).score);
  });

  it('trainMethod scores candidates with the samples it is told to predict with', async () => {
    const data = linearData(60, 2, 0.3, 3);
    const opts = { hidden: [8], epochs: 20, dropout: 0.1, noise: 0.3, seed: 1 };
    const grid = [{}];
    const own = await trainMethod('mc-dropout', data, opts, grid);
    const thirty = await trainMethod('mc-dropout', data, opts, grid, undefined, { samples: 30 });
    const few = await trainMethod('mc-dropout', data, opts, grid, undefined, { samples: 3 });
    // MC dropout's own default is 30 passes; 3 passes score a different (coarser) mixture.
    expect(thirty.tuned!.scores).toEqual(own.tuned!.scores);
    expect(few.tuned!.scores[0].score).not.toBe(own.tuned!.scores[0].score);
    // The samples asked of the final posterior (e.g. `bdl fit --samples 1000`) are not the search's.
    const asked = await trainMethod('mc-dropout', data, { ...opts, samples: 3 }, grid);
    expect(asked.tuned!.scores).toEqual(own.tuned!.scores);
    expect(asked.posterior.info?.samples).toBe(3);
  });

  it('gives small sets a step budget of epochs, within [40, 400]', () => {
    expect(defaultEpochs(277)).toBe(400); // yacht's training split: 9 batches of 32
    expect(defaultEpochs(455)).toBe(267); // boston: 15 batches
    expect(defaultEpochs(1439)).toBe(89); // wine: 45 batches
    expect(defaultEpochs(100000)).toBe(40);
    expect(defaultEpochs(10, 32)).toBe(400);
  });
});

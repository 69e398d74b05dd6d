// Property tests over the method table: every method, on tiny data sets of any shape the readers
// accept (constant columns, repeated rows, one class, huge and tiny magnitudes), with options drawn
// from its own schema (valid values, boundaries, invalid ones). Either trainMethod rejects with a
// BdlError, or it returns a posterior whose predictions are finite numbers of the right shape — never
// another error, never a NaN in silence, and the caller's data and options are left as they were.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { BdlError } from '../../src/errors.js';
import { METHODS, trainMethod } from '../../src/methods/registry.js';
import { createPool } from '../../src/orchestration/pool.js';
import type { Pool } from '../../src/pool/types.js';
import type { Field } from '../../src/options/schema.js';
import { fuzz } from '../helpers/fuzz.js';

let pool: Pool;
beforeAll(async () => {
  pool = await createPool({ size: 0 });
});
afterAll(async () => {
  await pool.close();
});

/** A budget of milliseconds per method: every run count small, pools in-thread. */
const BUDGET: Record<string, Record<string, unknown>> = {
  ensemble: { members: 2 },
  'mc-dropout': { samples: 3, dropout: 0.1 },
  'concrete-dropout': { samples: 3 },
  vi: { samples: 3 },
  swa: { swaStart: 1 },
  swag: { swaStart: 1, samples: 3, rank: 2 },
  multiswag: { swaStart: 1, samples: 2, members: 2, rank: 2 },
  'swag-subspace': { swaStart: 1, rank: 2, chains: 1, warmup: 3, draws: 3, keep: 2, maxTreeDepth: 3 },
  nuts: { chains: 1, warmup: 3, draws: 3, keep: 2, maxTreeDepth: 3 },
  hmc: { chains: 1, warmup: 3, draws: 3, keep: 2, steps: 3 },
  sgld: { pretrainEpochs: 1, samples: 3 },
  csgld: { pretrainEpochs: 1, samples: 3 },
  sghmc: { pretrainEpochs: 1, samples: 3 },
  'sghmc-mh': { pretrainEpochs: 1, samples: 3 },
  svgd: { particles: 3 },
};
/** Options whose large values cost time (a run count, a width): never drawn above COSTLY_MAX. */
const COSTLY = new Set(['epochs', 'members', 'samples', 'chains', 'warmup', 'draws', 'keep', 'maxTreeDepth', 'steps', 'pretrainEpochs', 'burnIn', 'cycles', 'rank', 'dimension', 'particles', 'swaStart', 'klWarmup', 'hidden', 'classes', 'poolSize']);
const COSTLY_MAX = 6;
/** API-only options given as objects (a pool, a data set, a signal): left to their own tests. */
const SKIP = new Set(['pool', 'validation', 'signal', 'onProgress', 'traceAt', 'subnetwork', 'learningRate']);

const NUMBERS = [0, 1, 2, 3, 5, 0.5, 0.999, 1.5, 1e-9, 1e-3, 0.1, 10, 1e6, 1e30, -1, -0.5, NaN, Infinity, -Infinity];
const OTHERS: unknown[] = [true, false, null, '', 'x', [], [1], [2, 2], [0.1], [0], [1e6], { a: 1 }];

/** Values to try for one field: the enum's words, numbers, and a few of anything else. */
function candidates(key: string, f: Field<unknown>): unknown[] {
  const words = [...f.expected.matchAll(/'([^']+)'/g)].map((m) => m[1]);
  const all = [...words, ...NUMBERS, ...OTHERS, ['x'], [0.1, 0.2]];
  if (!COSTLY.has(key)) return all;
  const small = (v: unknown): boolean => (typeof v === 'number' ? !(v > COSTLY_MAX) : Array.isArray(v) ? v.every(small) : true);
  return all.filter(small);
}

/** An options overlay for `method`: mostly values its schema accepts, now and then any value. */
function overlay(method: string) {
  const fields = Object.entries(METHODS[method].options.fields as Record<string, Field<unknown>>).filter(([k]) => !SKIP.has(k));
  const entry = fc.constantFrom(...fields).chain(([k, f]) => {
    const all = candidates(k, f);
    const valid = all.filter((v) => f.valid(v));
    const pick = valid.length > 0 ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: fc.constantFrom(...all) }) : fc.constantFrom(...all);
    return fc.tuple(fc.constant(k), pick);
  });
  return fc.array(entry, { maxLength: 4 }).map((kv) => Object.fromEntries(kv));
}

type Column = 'plain' | 'constant' | 'huge' | 'tiny' | 'integers';
/** A tiny data set: 12–30 rows, 1–3 inputs, columns of a kind each; rows repeated now and then. */
const dataArb = fc.record({
  n: fc.integer({ min: 12, max: 30 }),
  d: fc.integer({ min: 1, max: 3 }),
  columns: fc.array(fc.constantFrom<Column>('plain', 'plain', 'constant', 'huge', 'tiny', 'integers'), { minLength: 3, maxLength: 3 }),
  target: fc.constantFrom('plain', 'constant', 'huge', 'tiny', 'two-targets', 'one-class', 'two-classes', 'three-classes'),
  repeat: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1000 }),
});

function rows(p: { n: number; d: number; columns: Column[]; target: string; repeat: boolean; seed: number }) {
  let s = p.seed + 1;
  const u = () => ((s = (s * 16807) % 2147483647) / 2147483647) * 2 - 1;
  const scale: Record<Column, number> = { plain: 1, constant: 0, huge: 1e30, tiny: 1e-30, integers: 1 };
  const x: number[][] = [];
  const y: (number | number[])[] = [];
  for (let i = 0; i < p.n; i++) {
    const row = p.repeat && i % 2 === 1 ? x[i - 1] : Array.from({ length: p.d }, (_, j) => {
      const c = p.columns[j];
      return c === 'constant' ? 3 : c === 'integers' ? Math.round(5 * u()) : scale[c] * u();
    });
    x.push([...row]);
    const t = p.target;
    const lin = row.reduce((a, v) => a + Math.tanh(v), 0);
    if (t === 'two-targets') y.push([lin, 0.5 * lin + u()]);
    else y.push(t === 'constant' ? 2 : t === 'huge' ? 1e30 * (lin + u()) : t === 'tiny' ? 1e-30 * (lin + u()) : t === 'one-class' ? 0 : t === 'two-classes' ? i % 2 : t === 'three-classes' ? i % 3 : lin + 0.1 * u());
  }
  const task = p.target.endsWith('class') || p.target.endsWith('classes') ? 'classification' : 'regression';
  return { x, y, task };
}

const snapshot = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === 'function' ? 'fn' : typeof x === 'number' && !Number.isFinite(x) ? String(x) : x));

/** One case: a BdlError, or a posterior predicting finite numbers of the right shape. */
async function trainCase(method: string, x: number[][], y: (number | number[])[], task: string, extra: Record<string, unknown>): Promise<void> {
  const opts: Record<string, unknown> = { task, hidden: [2], epochs: 2, seed: 1, ...BUDGET[method], ...extra };
  if ('pool' in METHODS[method].options.fields) opts.pool = pool;
  if ('poolSize' in METHODS[method].options.fields && opts.pool === undefined) opts.poolSize = 0;
  const before = snapshot({ x, y, extra });
  try {
    const data = makeDataset(x, y as number[] | number[][]);
    const { posterior } = await trainMethod(method, data, opts);
    const q = x.slice(0, 3);
    // The rows it trained on: a posterior that was returned predicts them, or the fit should have refused.
    const pred = await posterior.predict(q, { seed: 2 }).catch((e: unknown) => {
      throw new Error(`${method}: trained, then refused to predict its own training rows: ${e instanceof Error ? e.message : String(e)}`);
    });
    if (pred.kind === 'regression') {
      for (const a of [pred.mean, pred.variance]) {
        expect(a.length).toBe(q.length * (Array.isArray(y[0]) ? y[0].length : 1));
        if (!a.every(Number.isFinite)) throw new Error(`${method}: non-finite regression prediction ${Array.from(a)}`);
      }
    } else {
      expect(pred.probs.length).toBe(q.length * pred.classes);
      if (!pred.probs.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)) throw new Error(`${method}: probabilities ${Array.from(pred.probs)}`);
    }
  } catch (e) {
    if (!(e instanceof BdlError)) throw e;
  }
  expect(snapshot({ x, y, extra })).toBe(before);
}

describe('trainMethod, every method on tiny data with options from its schema', () => {
  it('a BdlError or finite predictions of the right shape; nothing the caller passed mutated', async () => {
    const names = Object.keys(METHODS);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...names).chain((m) => fc.tuple(fc.constant(m), dataArb, overlay(m))),
        async ([method, p, extra]) => {
          const { x, y, task } = rows(p);
          await trainCase(method, x, y, task, extra);
        },
      ),
      // A case that runs past 20 s has hung (each takes milliseconds): fast-check reports it as a failure.
      { ...fuzz(30), timeout: 20_000 },
    );
  }, 30 * 60_000);
});

describe('defects the property found, each on its counterexample', () => {
  const tiny = makeDataset(Array.from({ length: 12 }, (_, i) => [i / 6 - 1]), Array.from({ length: 12 }, (_, i) => Math.sin(i)));

  it('sghmc-mh refuses a run whose collection has no energy test, before any work (it returned a posterior with no draws)', async () => {
    // Seed 1315823493: every 5 over 3 steps (12 rows in one batch, burn-in 1 + 2 epochs): no test ever ran.
    let progressed = false;
    const onProgress = () => (progressed = true);
    await expect(trainMethod('sghmc-mh', tiny, { hidden: [2], epochs: 2, pretrainEpochs: 1, samples: 3, every: 5, seed: 1, onProgress })).rejects.toMatchObject({
      code: 'E_ARG',
      argument: 'every',
      message: expect.stringMatching(/every: expected .*found 5/),
    });
    // The default segment (2 steps) after a burn-in that takes the only test: named by epochs.
    await expect(trainMethod('sghmc-mh', tiny, { hidden: [2], epochs: 1, burnIn: 2, pretrainEpochs: 1, samples: 3, onProgress })).rejects.toMatchObject({ code: 'E_ARG', argument: 'epochs' });
    await expect(trainMethod('sghmc-mh', tiny, { hidden: [2], epochs: 1, burnIn: 0, pretrainEpochs: 1, samples: 3, onProgress })).rejects.toMatchObject({ code: 'E_ARG', argument: 'epochs' });
    expect(progressed).toBe(false);
    // Enough steps for one test after burn-in: a posterior with draws.
    const { posterior } = await trainMethod('sghmc-mh', tiny, { hidden: [2], epochs: 5, burnIn: 0, pretrainEpochs: 1, samples: 3, every: 5, seed: 1 });
    expect((await posterior.predict([[0]])).kind).toBe('regression');
  });

  it('refuses a noise σ whose variance leaves float32, naming it, before any work (1e30 trained, then every predict blamed the input)', async () => {
    // Seed -1287870825: ensemble { noise: 1e30 } on 12 rows; map, vi, laplace, nuts and the SWAG family alike.
    let progressed = false;
    const onProgress = () => (progressed = true);
    for (const [method, extra] of [['ensemble', { members: 2, pool }], ['map', {}], ['laplace', {}], ['swag', { swaStart: 1 }], ['nuts', { chains: 1, warmup: 3, draws: 3, poolSize: 0 }]] as const) {
      await expect(trainMethod(method, tiny, { hidden: [2], epochs: 2, noise: 1e30, onProgress, ...extra }), method).rejects.toMatchObject({ code: 'E_ARG', argument: 'noise', message: expect.stringMatching(/noise: expected a finite number > 0 and ≤ 1e18/) });
    }
    await expect(trainMethod('map', tiny, { hidden: [2], epochs: 2, predictiveNoise: 1e30, onProgress })).rejects.toMatchObject({ code: 'E_ARG', argument: 'predictiveNoise' });
    expect(progressed).toBe(false);
    // Within the bounds (≤ 1e18, and ≤ 1e18 × the target's σ of 0.71), predictions are finite.
    const { posterior } = await trainMethod('map', tiny, { hidden: [2], epochs: 2, noise: 7e17 });
    const p = await posterior.predict([[0]]);
    expect(p.kind === 'regression' && Number.isFinite(p.variance[0])).toBe(true);
  });

  it('a fit whose last step diverges is refused as diverged (it returned weights that predicted Infinity or NaN, blaming the input)', async () => {
    // Seed 683002436: multiswag { swaLearningRate: 1e30 } on 12 rows; the step after the last loss went unchecked.
    for (const [method, extra] of [
      ['multiswag', { swaStart: 1, samples: 2, members: 2, rank: 2, swaLearningRate: 1e30, pool }],
      ['swa', { swaStart: 1, swaLearningRate: 1e30 }],
      ['map', { epochs: 1, learningRate: 1e30 }],
      ['map', { epochs: 1, learningRate: 1e10 }],
      ['vi', { epochs: 1, learningRate: 1e30, samples: 3 }],
    ] as const) {
      await expect(trainMethod(method, tiny, { hidden: [2], epochs: 2, seed: 1, ...extra }), `${method} ${Object.keys(extra).join(' ')}`).rejects.toMatchObject({ code: 'E_NONFINITE', message: expect.stringMatching(/training diverged/) });
    }
    // Seed 705055661: the last batch (one row) scored finite while other rows' outputs had left float32.
    const { x, y } = rows({ n: 22, d: 2, columns: ['plain', 'integers', 'plain'], target: 'constant', repeat: false, seed: 299 });
    await expect(trainMethod('swag', makeDataset(x, y as number[]), { hidden: [2], epochs: 2, seed: 1, swaStart: 1, samples: 3, rank: 2, batchSize: 3, swaLearningRate: 1 })).rejects.toMatchObject({ code: 'E_NONFINITE', message: expect.stringMatching(/training diverged/) });
  });

  it('a target measured in small units is standardized, not taken for a constant (σ 7e-13: it predicted means of order 1)', async () => {
    const small = makeDataset(Array.from({ length: 12 }, (_, i) => [i / 6 - 1]), Array.from({ length: 12 }, (_, i) => 1e-12 * Math.sin(i)));
    const { posterior } = await trainMethod('map', small, { hidden: [2], epochs: 20, seed: 1 });
    const p = await posterior.predict([[0], [0.5]]);
    if (p.kind !== 'regression') throw new Error('regression expected');
    expect(Math.max(...Array.from(p.mean, Math.abs))).toBeLessThan(1e-11);
    expect(Math.max(...p.variance)).toBeLessThan(1e-22);
  });

  it('refuses a target too small for float32 variances, and a noise σ too large for the target, before any work', async () => {
    const x = Array.from({ length: 12 }, (_, i) => [Math.sin(3.1 * i)]);
    let progressed = false;
    const onProgress = () => (progressed = true);
    // Seed -1892267745: map { noise: 1 } on two targets, the first of σ 7e-31: σ²/σ_y² overflowed float32 and every predict failed.
    const two = makeDataset(x, x.map(([v], i) => [1e-30 * Math.tanh(v), Math.cos(i)]));
    await expect(trainMethod('map', two, { hidden: [2], epochs: 2, noise: 1, onProgress })).rejects.toMatchObject({ code: 'E_NONFINITE', argument: 'y' });
    const small = makeDataset(x, x.map(([v], i) => [1e-15 * Math.tanh(v), Math.cos(i)]));
    await expect(trainMethod('map', small, { hidden: [2], epochs: 2, noise: 1e4, onProgress })).rejects.toMatchObject({ code: 'E_ARG', argument: 'noise', message: expect.stringMatching(/noise: expected a σ at most 1e18 times/) });
    await expect(trainMethod('map', makeDataset(x, x.map(([v]) => 1e-15 * v)), { hidden: [2], epochs: 2, predictiveNoise: 1e4, onProgress })).rejects.toMatchObject({ code: 'E_ARG', argument: 'predictiveNoise' });
    // Without a noise the same target predicted a variance of 0 (σ_y² underflows float32).
    await expect(trainMethod('map', makeDataset(x, x.map(([v]) => 1e-30 * v)), { hidden: [2], epochs: 2, onProgress })).rejects.toMatchObject({ code: 'E_NONFINITE', argument: 'y', message: expect.stringMatching(/standard deviation ≥ 1e-18/) });
    expect(progressed).toBe(false);
  });
});


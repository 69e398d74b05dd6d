// Property tests over `posterior.predict(x, opts)` for every kind of posterior (a point, members,
// mean-field, SWAG, draws, dropout masks, the linearized Laplace, a tempered classifier, and the same
// restored from bytes): whatever x and options a caller passes, predict either rejects with a
// BdlError or returns a predictive of one row per input row with finite values — never another
// error, never NaN — and leaves x and the options as they were.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { BdlError } from '../../src/errors.js';
import { trainMethod } from '../../src/methods/registry.js';
import { createPool } from '../../src/orchestration/pool.js';
import { posteriorFromBytes } from '../../src/posterior/restore.js';
import type { Posterior } from '../../src/posterior/types.js';
import type { Pool } from '../../src/pool/types.js';
import { fuzz } from '../helpers/fuzz.js';

const D = 2;
const xs = Array.from({ length: 24 }, (_, i) => [Math.sin(i), (i % 5) - 2]);
const regression = makeDataset(xs, xs.map(([a, b]) => a - 0.3 * b));
const twoTargets = makeDataset(xs, xs.map(([a, b]) => [a - 0.3 * b, a * b]));
const classes = makeDataset(xs, xs.map(([a, b]) => (a + b > 0 ? 1 : 0) + (a > 0.5 ? 1 : 0)));

const KINDS: [string, 'regression' | 'classification' | 'two-targets', Record<string, unknown>][] = [
  ['map', 'regression', {}],
  ['map', 'classification', {}],
  ['ensemble', 'regression', { members: 2 }],
  ['ensemble', 'regression', { members: 2, likelihood: 'heteroscedastic' }],
  ['vi', 'regression', { samples: 3 }],
  ['vi', 'classification', { samples: 3, calibrate: 'none' }],
  ['swag', 'regression', { swaStart: 1, samples: 3, rank: 2 }],
  ['sgld', 'regression', { pretrainEpochs: 1, samples: 3 }],
  ['mc-dropout', 'regression', { samples: 3, dropout: 0.1 }],
  ['concrete-dropout', 'classification', { samples: 3 }],
  ['laplace', 'regression', {}],
  ['laplace', 'classification', { subset: 'all', hessian: 'diag' }],
  ['laplace', 'regression', { predictive: 'mc' }],
  ['nuts', 'regression', { chains: 1, warmup: 3, draws: 3, keep: 2, maxTreeDepth: 3 }],
  ['map', 'two-targets', {}],
  ['vi', 'two-targets', { samples: 3 }],
  ['laplace', 'two-targets', { hessian: 'full' }],
];

let pool: Pool;
const posteriors: { name: string; task: string; targets: number; p: Posterior }[] = [];
beforeAll(async () => {
  pool = await createPool({ size: 0 });
  for (const [method, task, extra] of KINDS) {
    const data = task === 'regression' ? regression : task === 'two-targets' ? twoTargets : classes;
    const opts: Record<string, unknown> = { task: task === 'two-targets' ? 'regression' : task, hidden: [3], epochs: 3, seed: 1, ...extra };
    if (method === 'ensemble' || method === 'mc-dropout') opts.pool = pool;
    if (method === 'nuts') opts.poolSize = 0;
    const { posterior } = await trainMethod(method, data, opts);
    posteriors.push({ name: `${method} ${task} ${JSON.stringify(extra)}`, task: task === 'two-targets' ? 'regression' : task, targets: data.targets, p: posterior });
  }
  // The restored forms of a few (their predict runs the restored sources).
  for (const i of [0, 2, 6, 10, 15]) posteriors.push({ ...posteriors[i], name: `restored ${posteriors[i].name}`, p: await posteriorFromBytes(posteriors[i].p.toBytes()) });
}, 60_000);
afterAll(async () => {
  await pool.close();
});

const value = fc.oneof(
  { weight: 6, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, 1e30, -1e30, 1e-30, 3e38, 0, -0) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('1', null, undefined, true, [1], {}) },
);
const finiteRow = (w: number) => fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: w, maxLength: w });

/** Test inputs: mostly well-formed rows, and everything a caller might pass by mistake. */
const inputs = fc.oneof(
  { weight: 4, arbitrary: fc.array(finiteRow(D), { minLength: 1, maxLength: 6 }) },
  { weight: 2, arbitrary: fc.array(fc.array(value, { minLength: 0, maxLength: 4 }), { minLength: 0, maxLength: 5 }) },
  { weight: 2, arbitrary: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { maxLength: 9 }).map((a) => Float32Array.from(a)) },
  { weight: 1, arbitrary: fc.array(fc.double(), { maxLength: 8 }).map((a) => Float32Array.from(a)) },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom('f64', 'i32', 'u8', 'i8', 'u8c', 'f32-in-array'), fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 0, maxLength: 8 })).map(([k, a]) =>
      k === 'f64' ? Float64Array.from(a) : k === 'i32' ? Int32Array.from(a) : k === 'u8' ? Uint8Array.from(a) : k === 'i8' ? Int8Array.from(a) : k === 'u8c' ? Uint8ClampedArray.from(a) : [Float32Array.from(a.slice(0, D))],
    ),
  },
  { weight: 2, arbitrary: fc.record({ data: fc.oneof(fc.array(value, { maxLength: 8 }), fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { maxLength: 8 }).map((a) => Float32Array.from(a))), cols: fc.constantFrom<unknown>(0, 1, 2, 3, -1, 2.5, NaN, '2', undefined) }) },
  { weight: 1, arbitrary: fc.array(fc.array(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { maxLength: 2 }), { maxLength: 2 }), { minLength: 1, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, undefined, 0, 'a,b', {}, [], new Float32Array(0), [[]], [[1, 2], [3]], [new Array(2)], new ArrayBuffer(8), new DataView(new ArrayBuffer(8))) },
);

/** predict options: valid ones, boundary ones, and anything else. */
const options = fc.oneof(
  { weight: 3, arbitrary: fc.record({ samples: fc.constantFrom<unknown>(1, 2, 5, 0, -1, 1.5, NaN, 32767, 32768, '3', null, undefined), seed: fc.constantFrom<unknown>(0, 7, -1, 1.5, 2 ** 32, NaN, '1', undefined) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 3, 'x', [], { sample: 2 }, { signal: {} }, { signal: new AbortController().signal }, Object.create({ samples: 1e9 }) as unknown) },
);

const snapshot = (v: unknown) => {
  try {
    return JSON.stringify(v, (_k, x) => (ArrayBuffer.isView(x) ? [x.constructor.name, ...Array.from(x as Uint8Array, String)] : typeof x === 'number' && !Number.isFinite(x) ? String(x) : x === undefined ? 'undef' : x));
  } catch {
    return String(v);
  }
};

/** The rows a well-formed input holds (a Float32Array, rows that are arrays or typed arrays, { data, cols }), or undefined. */
function rowsOf(x: unknown): number | undefined {
  const numbers = (a: unknown): a is ArrayLike<number> => (Array.isArray(a) || (ArrayBuffer.isView(a) && !(a instanceof DataView))) && Array.prototype.every.call(a, (v: unknown) => typeof v === 'number');
  if (x instanceof Float32Array) return x.length > 0 && x.length % D === 0 ? x.length / D : undefined;
  if (Array.isArray(x)) return x.length > 0 && x.every((r) => numbers(r) && r.length === D) ? x.length : undefined;
  if (x && typeof x === 'object' && 'data' in x && 'cols' in x) {
    const { data, cols } = x as { data: unknown; cols: unknown };
    return numbers(data) && cols === D && data.length > 0 && data.length % D === 0 ? data.length / D : undefined;
  }
  return undefined;
}

describe('posterior.predict, every kind of posterior, on any inputs and options', () => {
  it('a BdlError, or one finite prediction per row; neither the inputs nor the options mutated', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), inputs, options, async (k, x, opts) => {
        const { name, task, targets, p } = posteriors[k % posteriors.length];
        const before = snapshot([x, opts]);
        let pred;
        try {
          pred = await p.predict(x as never, opts as never);
        } catch (e) {
          if (!(e instanceof BdlError)) throw new Error(`${name}: ${String(e)}`);
          expect(e.argument, `${name}: ${e.message}`).toBeTruthy();
          expect(snapshot([x, opts])).toBe(before);
          return;
        }
        expect(snapshot([x, opts])).toBe(before);
        const n = rowsOf(x);
        expect(n, `${name}: accepted ${before.slice(0, 200)}`).toBeDefined();
        expect(pred.kind).toBe(task);
        if (pred.kind === 'regression') {
          for (const a of [pred.mean, pred.variance, pred.aleatoric, pred.epistemic]) {
            expect(a.length).toBe(n! * targets);
            expect(a.every(Number.isFinite), `${name}: ${Array.from(a)}`).toBe(true);
          }
          expect(pred.variance.every((v) => v >= 0)).toBe(true);
        } else {
          expect(pred.probs.length).toBe(n! * pred.classes);
          expect(pred.probs.every((v) => v >= 0 && v <= 1), `${name}: ${Array.from(pred.probs)}`).toBe(true);
          for (const a of [pred.entropy, pred.expectedEntropy, pred.mutualInformation]) expect(a.every(Number.isFinite), `${name}: ${Array.from(a)}`).toBe(true);
        }
      }),
      fuzz(200),
    );
  }, 60_000);
});

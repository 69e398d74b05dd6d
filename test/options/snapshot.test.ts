/**
 * Options are checked once and used as checked: every entry point reads the frozen snapshot its
 * schema's check returns, never the caller's object again. A Proxy whose get trap answers the check
 * one value and the method another (or throws on a second read) slipped past the plain-object rule.
 */
import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { int, list, nested, num, schema } from '../../src/options/schema.js';
import { trainMap } from '../../src/methods/map.js';
import { trainEnsemble } from '../../src/methods/ensembles/ensemble.js';
import { trainMultiSwag } from '../../src/methods/ensembles/swag.js';
import { trainMethod } from '../../src/methods/registry.js';
import { fit } from '../../src/train/fit.js';
import { Mlp } from '../../src/model/mlp.js';
import { runChain } from '../../src/samplers/chain.js';
import { philoxRng } from '../../src/samplers/rng.js';
import { normalTarget } from '../samplers/helpers.js';

const data = makeDataset(Array.from({ length: 12 }, (_, i) => [i / 6 - 1]), Array.from({ length: 12 }, (_, i) => Math.sin(i)));

/**
 * `first` behind a Proxy whose get trap answers a key's first read from `first` and every later read
 * from `later` (when it names the key); `reads` counts the get trap's calls per option (a key of
 * `first`: asking whether the object is a Promise or a Pool reads `then` or `run`, which are no options).
 */
function twoFaced<T extends object>(first: T, later: Partial<Record<keyof T, unknown>>): { p: T; reads: Record<string, number> } {
  const reads: Record<string, number> = {};
  const p = new Proxy(first, {
    get(t, k, r) {
      if (typeof k !== 'string' || !Object.hasOwn(t, k)) return Reflect.get(t, k, r);
      reads[k] = (reads[k] ?? 0) + 1;
      return reads[k] > 1 && k in later ? later[k as keyof T] : Reflect.get(t, k, r);
    },
  });
  return { p, reads };
}

/** `o` behind a Proxy whose get trap throws on any key's second read. */
function throwsOnSecondRead<T extends object>(o: T): T {
  const reads = new Map<PropertyKey, number>();
  return new Proxy(o, {
    get(t, k, r) {
      const n = (reads.get(k) ?? 0) + 1;
      reads.set(k, n);
      if (n > 1) throw new Error(`second read of ${String(k)}`);
      return Reflect.get(t, k, r);
    },
  });
}

const weights = async (p: { toBytes(): Uint8Array }) => Array.from(p.toBytes());

describe('Schema.check returns a frozen snapshot of what it checked', () => {
  const s = schema('s', {
    n: int({ min: 1, default: 1, help: '' }),
    xs: list(num({ help: '' }), { help: '' }),
    inner: nested(schema('inner', { k: int({ min: 0, help: '' }) }), { help: '' }),
  });

  it('copies values, lists and nested options objects once, freezes them, and leaves the caller\'s object alone', () => {
    const xs = [1, 2];
    const given = { n: 3, xs, inner: { k: 2 } };
    const c = s.check(given);
    expect(c).toEqual(given);
    expect(c).not.toBe(given);
    expect(c.xs).not.toBe(xs);
    expect(c.inner).not.toBe(given.inner);
    expect(Object.isFrozen(c) && Object.isFrozen(c.xs) && Object.isFrozen(c.inner)).toBe(true);
    expect(Object.isFrozen(given) || Object.isFrozen(xs)).toBe(false);
    xs[0] = NaN;
    expect(c.xs).toEqual([1, 2]);
    expect(s.check(undefined)).toBeUndefined();
  });

  it('reads each option once, through its descriptor: a get trap is never asked, a nested Proxy neither', () => {
    const inner = twoFaced({ k: 2 }, { k: -1 });
    const outer = twoFaced({ n: 3, xs: [1], inner: inner.p }, { n: 1e9 });
    const c = s.check(outer.p);
    expect(c).toEqual({ n: 3, xs: [1], inner: { k: 2 } });
    expect(outer.reads).toEqual({});
    expect(inner.reads).toEqual({});
  });

  it('refuses a hidden (non-enumerable) option the check would not list', () => {
    const o = Object.defineProperty({}, 'n', { value: 1e9, enumerable: false });
    expect(() => s.check(o)).toThrow(expect.objectContaining({ code: 'E_ARG', argument: 'n', message: expect.stringMatching(/n: expected an enumerable value/) }));
  });

  it('rules between options read the snapshot too', () => {
    let seen: unknown;
    const r = s.refine({ option: 'n', expected: '', hint: '', holds: (o) => ((seen = o), true) });
    const given = { n: 2 };
    const c = r.check(given);
    expect(seen).toBe(c);
    expect(c).not.toBe(given);
  });
});

describe('entry points read the checked snapshot', () => {
  const small = { hidden: [2], epochs: 2, seed: 1 };

  it('trainMap and trainMethod: hidden [2] and seed 1 at the check, then [3] and 2 — the run is the checked one', async () => {
    const want = await weights(await trainMap(data, small));
    const a = twoFaced({ ...small }, { hidden: [3], seed: 2 });
    expect(await weights(await trainMap(data, a.p))).toEqual(want);
    expect(a.reads).toEqual({});
    const b = twoFaced({ ...small }, { hidden: [3], seed: 2 });
    expect(await weights((await trainMethod('map', data, b.p)).posterior)).toEqual(want);
    await expect(trainMap(data, throwsOnSecondRead({ ...small }))).resolves.toBeDefined();
  });

  it('trainEnsemble and trainMultiSwag (pool options nested): the checked member count and pool', async () => {
    const ens = { ...small, members: 2 };
    const a = twoFaced({ ...ens }, { members: 3, seed: 2 });
    expect(await weights(await trainEnsemble(data, a.p))).toEqual(await weights(await trainEnsemble(data, ens)));
    const swag = { ...small, epochs: 4, members: 2, pool: { size: 0 } };
    const want = await weights(await trainMultiSwag(data, swag));
    const pool = twoFaced({ size: 0 }, { size: -1 });
    const b = twoFaced({ ...swag, pool: pool.p }, { members: 3 });
    expect(await weights(await trainMultiSwag(data, b.p))).toEqual(want);
    expect({ ...a.reads, ...b.reads, ...pool.reads }).toEqual({});
  });

  it("predict: the checked samples and seed", async () => {
    const post = await trainMethod('mc-dropout', data, { ...small, samples: 3 });
    const want = await post.posterior.predict([[0], [0.5]], { samples: 3, seed: 4 });
    const a = twoFaced({ samples: 3, seed: 4 }, { samples: 9, seed: 5 });
    expect(await post.posterior.predict([[0], [0.5]], a.p)).toEqual(want);
    await expect(post.posterior.predict([[0]], throwsOnSecondRead({ samples: 3 }))).resolves.toBeDefined();
  });

  it('fit: the checked epochs', async () => {
    const spec = { inputs: 1, hidden: [2], outputs: 1, activation: 'tanh' as const, likelihood: 'gaussian' as const };
    const run = async (o: object) => (await fit(await Mlp.create(spec), data, o)).params;
    const want = await run({ epochs: 2, seed: 3 });
    expect(await run(twoFaced({ epochs: 2, seed: 3 }, { epochs: 50, seed: 4 }).p)).toEqual(want);
    await expect(run(throwsOnSecondRead({ epochs: 2 }))).resolves.toBeDefined();
  });

  it('runChain: the checked draws, seed and nested adapt', async () => {
    const base = { rng: philoxRng, warmup: 30, draws: 10, seed: 3, yieldEveryMs: 0 };
    const want = await runChain(normalTarget(3), { ...base, adapt: { targetAccept: 0.9 } });
    const adapt = twoFaced({ targetAccept: 0.9 }, { targetAccept: 0.5 });
    const a = twoFaced({ ...base, adapt: adapt.p }, { draws: 11, seed: 4 });
    const got = await runChain(normalTarget(3), a.p);
    expect(got.samples!.draws).toEqual(want.samples!.draws);
    expect(got.stepSize).toBe(want.stepSize);
    expect({ ...a.reads, ...adapt.reads }).toEqual({});
    await expect(runChain(normalTarget(3), throwsOnSecondRead({ ...base }))).resolves.toBeDefined();
  });
});

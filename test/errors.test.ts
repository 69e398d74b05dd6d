/**
 * The found-part of messages: `describe` names what the caller passed by mistake — a Promise (a
 * forgotten `await`), a function, a class instance, a plain object by its keys — briefly, and never
 * throws, whatever the value's getters or traps do.
 */
import { describe as suite, expect, it } from 'vitest';
import { makeDataset } from '../src/data/dataset.js';
import { describe } from '../src/errors.js';
import { trainMap } from '../src/methods/map.js';
import { posthoc } from '../src/methods/posthoc/posthoc.js';
import { posteriorFromBytes } from '../src/posterior/restore.js';
import { runChain } from '../src/samplers/chain.js';
import { sampleChains } from '../src/samplers/sample-chains.js';

const FORGOT = 'a Promise (did you forget await?)';

suite('describe', () => {
  class Options {
    epochs = 1;
  }
  it.each<[string, unknown, string]>([
    ['a Promise', Promise.resolve(1), FORGOT],
    ['a thenable', { then: () => {} }, FORGOT],
    ['an async function’s result', (async () => 1)(), FORGOT],
    ['a named function', function trainX() {}, 'a function trainX'],
    ['an arrow function', (() => () => 1)(), 'a function'],
    ['a class instance', new Options(), 'an instance of Options'],
    ['a Map', new Map([[1, 2]]), 'a Map of 1 entries'],
    ['a Set', new Set([1, 2]), 'a Set of 2 values'],
    ['a Date', new Date(0), 'a Date (1970-01-01T00:00:00.000Z)'],
    ['an invalid Date', new Date(NaN), 'an invalid Date'],
    ['an Error', new TypeError('bad'), 'a TypeError: bad'],
    ['an ArrayBuffer', new ArrayBuffer(8), 'an ArrayBuffer of 8 bytes'],
    ['a DataView', new DataView(new ArrayBuffer(8)), 'DataView(8 bytes)'],
    ['a plain object', { x: 1, y: 2 }, '{ x, y }'],
    ['an empty object', {}, 'an empty object {}'],
    ['an object without a prototype', Object.assign(Object.create(null) as object, { a: 1 }), '{ a }'],
    ['an object with a prototype of its own', Object.create({ epochs: 1 }), 'an object with a prototype of its own'],
    ['a boolean', false, 'false'],
    ['a bigint', 10n, '10n'],
    ['a symbol', Symbol('s'), 'Symbol(s)'],
    // As before:
    ['a typed array', new Float32Array(3), 'Float32Array(3)'],
    ['an array', [1, 2], 'Array(2)'],
    ['NaN', NaN, 'NaN'],
    ['a string', 'abc', '"abc"'],
    ['null', null, 'null'],
    ['undefined', undefined, 'undefined'],
  ])('%s', (_, v, want) => expect(describe(v)).toBe(want));

  it('stays short: many or long keys, long messages and names are cut', () => {
    const wide = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`key${i}`, i]));
    expect(describe(wide)).toMatch(/^\{ key0, key1, .*, … \(200 keys\) \}$/);
    expect(describe(wide).length).toBeLessThanOrEqual(100);
    expect(describe({ ['k'.repeat(500)]: 1 }).length).toBeLessThanOrEqual(40);
    expect(describe(new Error('e'.repeat(10_000))).length).toBe(80);
    expect(describe(Object.defineProperty(() => {}, 'name', { value: 'f'.repeat(1000) })).length).toBe(80);
  });

  it('never throws: a getter or Proxy trap that throws gives the value’s type', () => {
    const hostile = new Proxy({}, { get() { throw new Error('trap'); }, ownKeys() { throw new Error('trap'); }, getPrototypeOf() { throw new Error('trap'); } });
    expect(describe(hostile)).toBe('object');
    expect(describe({ get then() { throw new Error('getter'); } })).toBe('{ then }');
  });
});

suite('messages at the entry points name a forgotten await', () => {
  const data = makeDataset([[0], [1], [2]], [0, 1, 2]);
  const message = async (f: () => unknown) => {
    try {
      await f();
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('expected a refusal');
  };
  const later = <T>(v: T) => Promise.resolve(v) as never;

  it.each<[string, () => unknown, RegExp]>([
    ['data to a trainer', () => trainMap(later(data)), /^train: expected a Dataset .*, found a Promise \(did you forget await\?\)\. Pass the Dataset it resolves to\.$/],
    ['options to a trainer', () => trainMap(data, later({ epochs: 2 })), /^trainMap: expected a plain options object \(\{ … \}\), found a Promise \(did you forget await\?\)\./],
    ['rows to predict', async () => (await trainMap(data, { hidden: [2], epochs: 1 })).predict(later([[0]])), /^x: expected .*, found a Promise \(did you forget await\?\)/],
    ['bytes to posteriorFromBytes', () => posteriorFromBytes(later(new Uint8Array(4))), /^posterior bytes: expected a Uint8Array, found a Promise \(did you forget await\?\)/],
    ['a network to posthoc', () => posthoc(later({}), data), /^net: expected an ImportedNetwork .*, found a Promise \(did you forget await\?\)/],
    ['a target to runChain', () => runChain(later({ dim: 2 }), {} as never), /^runChain: target: expected .*, found a Promise \(did you forget await\?\)/],
    ['a target to sampleChains', () => sampleChains(later({ type: 'bnn' })), /^sampleChains: target: expected .*, found a Promise \(did you forget await\?\)/],
    ['a signal-like object', () => trainMap(data, { epochs: 1, signal: { aborted: false } } as never), /signal: expected an AbortSignal .*, found \{ aborted \}\./],
  ])('%s', async (_, f, want) => expect(await message(f)).toMatch(want));
});

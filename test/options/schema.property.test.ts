// Property tests over every method's option schema: whatever a caller passes, the check either
// accepts it or throws a BdlError E_ARG naming the option — never another error — and never mutates
// what it was given. FUZZ_RUNS sets the budget (test/helpers/fuzz.ts); `npm run fuzz` raises it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { METHODS } from '../../src/methods/registry.js';
import { fuzz } from '../helpers/fuzz.js';

const names = Object.keys(METHODS);

/** Any JS value an options bag might hold, valid or not. */
const anyValue = fc.oneof(
  fc.integer({ min: -10, max: 1000 }),
  fc.double(),
  fc.constantFrom(0, 1, 5, 0.5, 1e-3, 1e6, -1, NaN, Infinity, -Infinity, null, '', 'abc', true, false, [], [50], [0], ['a']),
  fc.string({ maxLength: 8 }),
  fc.array(fc.integer({ min: -2, max: 200 }), { maxLength: 3 }),
  fc.constant(() => 1),
  fc.object({ maxDepth: 1 }),
);

/** Option bags: known names with any values, now and then a misspelled or unknown name. */
function bagFor(method: string) {
  const keys = Object.keys(METHODS[method].options.fields);
  const key = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 10 }) });
  return fc.dictionary(key, anyValue, { maxKeys: 4 });
}

describe('every method schema, on any options object', () => {
  it('accepts or throws BdlError E_ARG naming an option it was given, without mutating the input', () => {
    fc.assert(
      fc.property(fc.constantFrom(...names).chain((m) => fc.tuple(fc.constant(m), bagFor(m))), ([m, bag]) => {
        const schema = METHODS[m].options;
        const before = JSON.stringify(bag, (_k, v) => (typeof v === 'function' ? 'fn' : Number.isNaN(v) ? 'NaN' : v));
        try {
          schema.check(bag);
        } catch (e) {
          if (!(e instanceof BdlError)) throw e;
          expect(e.code).toBe('E_ARG');
          // A nested option (pool: { sise: 2 }) is named by its path from a key given: 'pool.sise'.
          expect(Object.keys(bag).some((k) => e.argument === k || e.argument!.startsWith(k + '.'))).toBe(true);
          expect(e.message).toMatch(/expected|unknown option/);
        }
        const after = JSON.stringify(bag, (_k, v) => (typeof v === 'function' ? 'fn' : Number.isNaN(v) ? 'NaN' : v));
        expect(after).toBe(before);
      }),
      fuzz(),
    );
  });

  it('refuses every one-letter misspelling of a known option, suggesting the option', () => {
    fc.assert(
      fc.property(fc.constantFrom(...names), fc.nat(), fc.nat(), (m, ki, pos) => {
        const keys = Object.keys(METHODS[m].options.fields).filter((k) => k.length >= 5);
        if (keys.length === 0) return;
        const key = keys[ki % keys.length];
        const at = pos % key.length;
        const typo = key.slice(0, at) + (key[at] === 'x' ? 'y' : 'x') + key.slice(at + 1);
        if (typo in METHODS[m].options.fields) return;
        let err: unknown;
        try {
          METHODS[m].options.check({ [typo]: 1 });
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(BdlError);
        expect((err as BdlError).message).toMatch(/unknown option/);
        expect((err as BdlError).message).toMatch(/Did you mean/);
      }),
      fuzz(),
    );
  });
});

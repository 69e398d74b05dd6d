/**
 * Property tests of makeDataset: any JavaScript value as x, y or name gives a Dataset of finite
 * float32 values or a BdlError (never a TypeError or RangeError), and never changes its input.
 * Budget: FUZZ_RUNS (test/helpers/fuzz.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeDataset, type Dataset } from '../../src/data/dataset.js';
import { BdlError } from '../../src/errors.js';
import { fuzz } from '../helpers/fuzz.js';

const cell = fc.oneof(
  { weight: 6, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, undefined, '', '1', true, false, [], [1], {}, NaN, Infinity, -Infinity, 1e39, -3.5e38, 3.4e38, 1e30, -0, 2n) },
);
const rowsOf = (c: fc.Arbitrary<unknown>) => fc.integer({ min: 0, max: 4 }).chain((cols) =>
  fc.array(fc.oneof(
    { weight: 8, arbitrary: fc.array(c, { minLength: cols, maxLength: cols }) },
    { weight: 1, arbitrary: fc.array(c, { maxLength: 5 }) },
    { weight: 1, arbitrary: fc.float32Array({ minLength: cols, maxLength: cols }) },
    { weight: 1, arbitrary: fc.anything() },
  ), { maxLength: 6 }));
const flat = fc.record({ data: fc.oneof(fc.array(cell, { maxLength: 12 }), fc.float64Array({ maxLength: 12 }), fc.anything()), cols: fc.oneof(fc.integer({ min: -1, max: 4 }), fc.anything()) });
const anything = fc.anything({ withTypedArray: true, withSparseArray: true, withNullPrototype: true, withBoxedValues: true, withMap: true, withSet: true, withBigInt: true, withDate: true });
const matrixish = fc.oneof(rowsOf(cell), flat, anything, fc.array(cell, { maxLength: 6 }), fc.float32Array({ maxLength: 6 }));

function checkDataset(d: Dataset) {
  expect(d.n).toBeGreaterThan(0);
  expect(d.x.length).toBe(d.n * d.inputs);
  expect(d.y.length).toBe(d.n * d.targets);
  for (const v of d.x) expect(Number.isFinite(v)).toBe(true);
  for (const v of d.y) expect(Number.isFinite(v)).toBe(true);
}

describe('makeDataset (property)', () => {
  it('any value gives a Dataset of finite float32 values or a BdlError, and is never mutated', () => {
    fc.assert(
      fc.property(matrixish, matrixish, fc.oneof(fc.constant(undefined), fc.string(), anything), (x, y, name) => {
        const before = structuredClone([x, y, name]);
        try {
          checkDataset(makeDataset(x as never, y as never, name as never));
        } catch (e) {
          if (!(e instanceof BdlError)) throw e;
          expect(e.code).toMatch(/^E_(ARG|SHAPE|EMPTY|NONFINITE)$/);
        }
        expect([x, y, name]).toEqual(before);
      }),
      fuzz(),
    );
  });

  it('copies valid numeric rows exactly (float32-rounded) and names the cell of any bad value', () => {
    const good = fc.double({ min: -1e30, max: 1e30, noNaN: true });
    const bad = fc.constantFrom<unknown>(null, '', true, [], NaN, Infinity, 1e39, undefined);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 4 }), fc.array(good, { minLength: 20, maxLength: 20 }), fc.option(fc.tuple(fc.nat(), fc.nat(), bad)), (rows, cols, pool, poison) => {
        const x: unknown[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => pool[(i * cols + j) % pool.length]));
        const y = Array.from({ length: rows }, (_, i) => pool[(i + 7) % pool.length]);
        if (poison) x[poison[0] % rows][poison[1] % cols] = poison[2];
        try {
          const d = makeDataset(x as number[][], y, 'train');
          expect(poison).toBeNull();
          expect(Array.from(d.x)).toEqual(x.flat().map((v) => Math.fround(v as number)));
        } catch (e) {
          expect(e).toBeInstanceOf(BdlError);
          const lost = /^train\.(x|y)(?: column (\d+))?: expected values that float32/.exec((e as BdlError).message);
          if (lost) {
            // Refused for precision: the named column really loses its spread in float32 (precision.test.ts).
            const col = lost[1] === 'y' ? y : x.map((row) => row[Number(lost[2] ?? 0)] as number);
            if (poison) col.forEach((v) => expect(Number.isFinite(Math.fround(v))).toBe(true));
            const m = col.reduce((a, v) => a + v, 0) / rows;
            const std = Math.sqrt(col.reduce((a, v) => a + (v - m) ** 2, 0) / rows);
            const rms = Math.sqrt(col.reduce((a, v) => a + (v - Math.fround(v)) ** 2, 0) / rows);
            expect(rms).toBeGreaterThan(0.005 * std);
            return;
          }
          const [r, c] = [poison![0] % rows, poison![1] % cols];
          expect((e as BdlError).message.startsWith(`train.x[${r}][${c}]: expected`)).toBe(true);
          expect((e as BdlError).code).toBe(typeof poison![2] === 'number' ? 'E_NONFINITE' : 'E_ARG');
        }
      }),
      fuzz(),
    );
  });
});

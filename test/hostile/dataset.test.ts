/**
 * Hostile input, issue 16 parts 2 and 6 (data side): makeDataset's coercions and raw TypeErrors,
 * values beyond float32, and inputs near 1e30. Each asserts the code, the named cell, and that the
 * caller's arrays are unchanged.
 */
import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { thrownBdlError } from '../helpers/errors.js';
import { trainMap } from '../../src/methods/map.js';

const thrown = thrownBdlError;

describe('hostile makeDataset (16.2, 16.6)', () => {
  it('null, "", true and [] are E_ARG naming [row][column], never coerced to numbers; nothing is mutated', () => {
    for (const bad of [null, '', true, [], undefined, '3', {}]) {
      const x = [[1, 2], [3, bad as number]];
      const y = [1, 2];
      const before = structuredClone([x, y]);
      const e = thrown(() => makeDataset(x, y, 'train'));
      expect(e.code).toBe('E_ARG');
      expect(e.message).toMatch(/^train\.x\[1\]\[1\]: expected a number, found /);
      expect([x, y]).toEqual(before);
    }
    expect(thrown(() => makeDataset([[1], [2]], [1, null as unknown as number])).message).toMatch(/^dataset\.y\[1\]: expected a number, found null/);
  });

  it('makeDataset(x, null) and other non-arrays are E_ARG naming the argument, not a TypeError', () => {
    for (const y of [null, undefined, 5, 'abc', {}, { data: null, cols: 1 }]) {
      const e = thrown(() => makeDataset([[1, 2]], y as never));
      expect(e.code).toBe('E_ARG');
      expect(e.argument).toMatch(/^dataset\.y/);
    }
    expect(thrown(() => makeDataset(null as never, [1])).argument).toBe('dataset.x');
    expect(thrown(() => makeDataset([[1]], [1], 7 as never)).argument).toBe('name');
  });

  it('values beyond float32 are E_NONFINITE naming row and column, not a silent Infinity', () => {
    const e = thrown(() => makeDataset({ data: new Float64Array([1, 2, 3, 1e39]), cols: 2 }, [1, 2], 'train'));
    expect(e.code).toBe('E_NONFINITE');
    expect(e.message).toMatch(/^train\.x\[1\]\[1\]: expected a finite number, found 1e\+39, beyond the float32 range/);
    expect(thrown(() => makeDataset([[1]], [-4e38])).message).toMatch(/^dataset\.y\[0\]: expected a finite number/);
  });

  it('inputs near 1e30 and up to 3e38 train to finite predictions (standardized in f64)', async () => {
    const x = Array.from({ length: 40 }, (_, i) => [1e30 * (1 + i / 40), i % 2 ? 3e38 : -3e38]);
    const y = Array.from({ length: 40 }, (_, i) => Math.sin(i));
    const p = await trainMap(makeDataset(x, y), { epochs: 3, seed: 1 });
    const pred = await p.predict(Float32Array.from(x.flat()));
    if (pred.kind !== 'regression') throw new Error('expected a regression predictive');
    for (const v of [...pred.mean, ...pred.variance]) expect(Number.isFinite(v)).toBe(true);
  });

  it('targets near 1e30 (variances beyond float32 in target units) are E_NONFINITE before any training', async () => {
    const x = Array.from({ length: 40 }, (_, i) => [i]);
    const y = Array.from({ length: 40 }, (_, i) => 3e30 * Math.sin(i));
    let progressed = false;
    await expect(trainMap(makeDataset(x, y), { epochs: 3, onProgress: () => (progressed = true) })).rejects.toMatchObject({
      code: 'E_NONFINITE',
      message: expect.stringMatching(/^y \(target 0\): expected a standard deviation ≤ 1e18 .* Divide the target by 1e\d+ before training/),
    });
    expect(progressed).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { checkDataset, makeDataset, subset } from '../../src/data/dataset.js';
import { applyStandardizer, fitStandardizer, unscaleMean, unscaleVariance } from '../../src/data/standardize.js';
import { trainTestSplit } from '../../src/data/split.js';
import { BdlError } from '../../src/errors.js';

const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as BdlError).code;
  }
};

describe('makeDataset', () => {
  it('copies rows and never mutates the input', () => {
    const x = [[1, 2], [3, 4]];
    const y = [5, 6];
    const ds = makeDataset(x, y);
    ds.x[0] = 99;
    expect(x[0][0]).toBe(1);
    expect(ds.n).toBe(2);
    expect(ds.inputs).toBe(2);
  });

  it('accepts a flat matrix with a column count', () => {
    const ds = makeDataset({ data: new Float64Array([1, 2, 3, 4, 5, 6]), cols: 3 }, [0, 1]);
    expect(ds.inputs).toBe(3);
    expect(ds.n).toBe(2);
  });

  it('rejects bad input with the argument named', () => {
    expect(code(() => makeDataset([[1, 2], [3]], [1, 2]))).toBe('E_SHAPE');
    expect(code(() => makeDataset([[1, NaN]], [1]))).toBe('E_NONFINITE');
    expect(code(() => makeDataset([], []))).toBe('E_EMPTY');
    expect(code(() => makeDataset([[1], [2]], [1]))).toBe('E_SHAPE');
    try {
      makeDataset([[1, 2], [3, Infinity]], [1, 2], 'train');
    } catch (e) {
      expect((e as Error).message).toMatch(/^train\.x\[1\]\[1\]: expected a finite number, found Infinity\./);
    }
  });
});

describe('standardization', () => {
  it('fits on train, maps to zero mean and unit variance, and is undone on outputs', () => {
    const ds = makeDataset([[1, 10], [2, 10], [3, 10]], [100, 200, 300]);
    const s = fitStandardizer(ds, true);
    expect(Array.from(s.xMean)).toEqual([2, 10]);
    expect(s.xStd[1]).toBe(1); // constant column: σ = 0 becomes 1
    const z = applyStandardizer(s, ds);
    expect(z.x[0]).toBeCloseTo(-Math.sqrt(1.5), 6);
    expect(z.y[2]).toBeCloseTo(Math.sqrt(1.5), 6);
    expect(ds.x[0]).toBe(1); // input untouched
    expect(unscaleMean(s, [z.y[0]])[0]).toBeCloseTo(100, 4);
    expect(unscaleVariance(s, [1])[0]).toBeCloseTo(s.yStd![0] ** 2, 8);
  });

  it('classification inputs: a column of rare outliers gets σ ≥ a tenth of its range (z-scores bounded by ~10); regression keeps σ', () => {
    // Column 0: one row of 1000 lit (σ ≈ 0.0316, z of that row ≈ 31.6); column 1: 0…999 (σ ≈ 288.7 > range/10).
    const x = Array.from({ length: 1000 }, (_, i) => [i === 7 ? 1 : 0, i]);
    const ds = makeDataset(x, Array.from({ length: 1000 }, (_, i) => i % 2));
    const cls = fitStandardizer(ds, false);
    const reg = fitStandardizer(ds, true);
    expect(reg.xStd[0]).toBeCloseTo(Math.sqrt(0.001 * 0.999), 12);
    expect(cls.xStd[0]).toBe(0.1);
    expect(cls.xStd[1]).toBe(reg.xStd[1]);
    expect(Math.max(...applyStandardizer(cls, ds).x.filter((_, i) => i % 2 === 0))).toBeCloseTo(9.99, 6);
    // A constant column still passes through centred.
    expect(fitStandardizer(makeDataset([[3], [3]], [0, 1]), false).xStd[0]).toBe(1);
  });
});

describe('trainTestSplit', () => {
  const ds = makeDataset({ data: Float32Array.from({ length: 200 }, (_, i) => i), cols: 2 }, Array.from({ length: 100 }, (_, i) => i));
  it('is a seeded 90/10 partition of the rows', () => {
    const a = trainTestSplit(ds, { seed: 7 });
    const b = trainTestSplit(ds, { seed: 7 });
    const c = trainTestSplit(ds, { seed: 7, stream: 1 });
    expect(a.test.n).toBe(10);
    expect(a.train.n).toBe(90);
    expect(Array.from(a.testIndex)).toEqual(Array.from(b.testIndex));
    expect(Array.from(a.testIndex)).not.toEqual(Array.from(c.testIndex));
    const all = new Set([...a.trainIndex, ...a.testIndex]);
    expect(all.size).toBe(100);
    expect(Array.from(subset(ds, [3]).y)).toEqual([3]);
  });
});

describe('checkDataset', () => {
  it("accepts what makeDataset builds and refuses a hand-built set that breaks its shape or holds NaN", () => {
    const d = makeDataset([[1, 2], [3, 4]], [5, 6]);
    expect(() => checkDataset(d, 'train')).not.toThrow();
    expect(() => checkDataset({ ...d, inputs: 1 }, 'train')).toThrow(/^train\.x: expected n × inputs = 2 × 1 = 2 values, found 4/);
    expect(() => checkDataset({ ...d, y: Float32Array.of(5, NaN) }, 'train')).toThrow(/^train\.y\[1\]\[0\]: expected a finite number, found NaN/);
    expect(() => checkDataset({ ...d, n: 0 }, 'train')).toThrow(/^train\.n: expected a positive integer, found 0/);
    expect(() => checkDataset({ ...d, x: Float64Array.of(1, 2, 3, 4) }, 'train')).toThrow(/^train\.x: expected a Float32Array, found Float64Array/);
  });

  it('subset refuses a fractional row index', () => {
    const d = makeDataset([[1], [2]], [3, 4]);
    expect(() => subset(d, [0.5, 1])).toThrow(/row index 0\.5 is not an integer in 0\.\.1/);
  });
});

describe('parseDataset and trainTestSplit options', () => {
  it('refuse a misspelt name instead of reading the default (a wrong target column, a 90/10 split)', async () => {
    const { parseDataset } = await import('../../src/data/parse.js');
    expect(() => parseDataset('1,2\n3,4\n', { targt: 0 } as never)).toThrow(/^parseDataset: unknown option targt\. Did you mean target\?/);
    expect(() => parseDataset('1,2\n3,4\n', null as never)).toThrow(/^parseDataset: expected an options object, found null/);
    expect(Array.from(parseDataset('1,2\n3,4\n', { target: 0 }).y)).toEqual([1, 3]);
    const d = makeDataset([[1], [2], [3], [4]], [1, 2, 3, 4]);
    expect(() => trainTestSplit(d, { tesFraction: 0.5 } as never)).toThrow(/^trainTestSplit: unknown option tesFraction\. Did you mean testFraction\?/);
    expect(() => trainTestSplit(d, { testFraction: 1 })).toThrow(/^trainTestSplit: testFraction: expected a finite number > 0 and < 1, found 1\. Use e\.g\. 0\.1/);
    expect(() => trainTestSplit(null as never)).toThrow(/^dataset: expected a Dataset/);
    expect(trainTestSplit(d, { testFraction: 0.5 }).test.n).toBe(2);
  });
});

// Warnings about legal data that fits wrongly without an error: one row carrying a column's variance,
// rows repeated many times. Said for those shapes, and not for ordinary data.
import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { dataWarnings } from '../../src/data/warnings.js';
import { Rng } from '../../src/random/index.js';

const rng = new Rng(5);
const normal = (n: number, d: number) => Array.from({ length: n }, () => Array.from({ length: d }, () => rng.normal()));

describe('dataWarnings', () => {
  it('says nothing about 300 normal rows, nor about 30 rows with a 4σ value', () => {
    const x = normal(300, 4);
    expect(dataWarnings(makeDataset(x, x.map((r) => r[0])))).toEqual([]);
    const small = normal(30, 2);
    small[3][1] = 4;
    expect(dataWarnings(makeDataset(small, small.map((r) => r[0])))).toEqual([]);
  });

  it('names a column whose variance one row carries (1e6 among values near 1), with the row and the value', () => {
    const x = normal(200, 3);
    x[17][2] = 1e6;
    expect(dataWarnings(makeDataset(x, x.map((r) => r[0])), ['a', 'b', 'c'])).toEqual([
      expect.stringMatching(/^input column 2 \("c"\): one row \(data row 18, value 1000000\) carries 99 % of its variance/),
    ]);
  });

  it('says nothing about sparse columns: a pixel that is 0 but in one image, a rare 8 among 0s and 1s', () => {
    const x = Array.from({ length: 100 }, (_, i) => [i === 7 ? 1 : 0, i === 9 ? 8 : i === 50 ? 1 : 0, rng.normal()]);
    expect(dataWarnings(makeDataset(x, x.map((r) => r[2])))).toEqual([]);
  });

  it('counts rows that repeat another: a set repeated 10 times is flagged, a few duplicates are not', () => {
    const x = normal(60, 2);
    const y = x.map((r) => r[0] + r[1]);
    const tenfold = makeDataset(Array.from({ length: 10 }, () => x).flat(), Array.from({ length: 10 }, () => y).flat());
    expect(dataWarnings(tenfold)).toEqual([expect.stringMatching(/^540 of the 600 rows repeat another row/)]);
    expect(dataWarnings(makeDataset([...x, x[0], x[1]], [...y, y[0], y[1]]))).toEqual([]);
  });
});

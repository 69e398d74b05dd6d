// Warnings about legal data that fits wrongly without an error: one row carrying a column's variance,
// rows repeated many times. Said for those shapes, and not for ordinary data.
import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { dataWarnings, inputBounds, labelTargetWarnings, outOfRangeWarnings, targetWarnings } from '../../src/data/warnings.js';
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

describe('outOfRangeWarnings (test rows far outside the training data)', () => {
  const train = makeDataset(normal(200, 3), Array.from({ length: 200 }, () => 0));

  it('names the column, how many rows and which, for values 10σ from the mean and a range width past an end', () => {
    const test = normal(50, 3);
    test[4][1] = 40;
    test[9][1] = -1e4;
    test[20][2] = 7;
    const w = outOfRangeWarnings(Float32Array.from(test.flat()), inputBounds(train), ['a', 'b', 'c']);
    expect(w).toEqual([expect.stringMatching(/^input column 1 \("b"\): 2 of 50 rows \(data rows 5, 10\) lie far outside the training data \(beyond \[-?[\d.]+, [\d.]+\]: 10 training standard deviations from its mean and its range's width past its ends\): the predictive there is the model's extrapolation/)]);
  });

  it('checks neither a constant column nor one that is one value in 95 % of the training rows', () => {
    const x = Array.from({ length: 100 }, (_, i) => [1, i < 3 ? 2 : 0, i / 100]);
    const b = inputBounds(makeDataset(x, x.map(() => 0)));
    expect(b[0]).toBeNull();
    expect(b[1]).toBeNull();
    expect(b[2]).not.toBeNull();
  });

});

describe('targetWarnings (heavy-tailed regression targets)', () => {
  const x = normal(400, 2);
  it('says a Cauchy-like target is dominated by a few rows, with the share and a remedy', () => {
    const r = new Rng(11);
    const cauchy = x.map(() => Math.tan(Math.PI * (r.uniform() - 0.5)));
    // This seed's draws: its top 4 rows carry most of the spread (checked, not assumed).
    expect(targetWarnings(makeDataset(x, cauchy))).toEqual([expect.stringMatching(/^the target is heavy-tailed: 4 of 400 rows carry \d+ % of its spread .*Transform the target \(e\.g\. log or asinh\), or remove the outliers/)]);
  });

  it('says nothing on normal targets', () => {
    expect(targetWarnings(makeDataset(x, x.map((row) => row[0] + row[1])))).toEqual([]);
  });
});

describe('labelTargetWarnings (class labels fitted as a regression)', () => {
  const x = normal(40, 2);
  it('says a target of exactly the whole numbers 0…K−1 reads as class labels (digits, a 0/1 outcome)', () => {
    expect(labelTargetWarnings(makeDataset(x, x.map((_, i) => i % 10)))).toEqual([expect.stringMatching(/^the target holds only the whole numbers 0…9, as class labels do, and is fitted as a regression .*--task classification/)]);
    expect(labelTargetWarnings(makeDataset(x, x.map((_, i) => i % 2)))).toHaveLength(1);
  });

  it('says nothing of a score that starts elsewhere (wine quality 3…8), of gaps, fractions, negatives, a constant or a rank (fewer than 2 rows per value)', () => {
    for (const y of [x.map((_, i) => 3 + (i % 6)), x.map((_, i) => (i % 2) * 7), x.map((_, i) => (i % 3) / 2), x.map((_, i) => (i % 3) - 1), x.map(() => 0), x.map((_, i) => i % 101)]) {
      expect(labelTargetWarnings(makeDataset(x, y))).toEqual([]);
    }
  });
});

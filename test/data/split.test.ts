import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { stratifiedBlocks, stratifiedFolds, trainTestSplit } from '../../src/data/split.js';
import { Rng } from '../../src/random/index.js';

/** n rows of one input; labels 0…K−1 with the given counts (in runs), so a rare class is easy to make. */
function labelled(counts: number[]) {
  const y = counts.flatMap((k, c) => Array(k).fill(c) as number[]);
  return makeDataset(y.map((_, i) => [i]), y);
}

const countOf = (y: ArrayLike<number>, c: number) => Array.from(y).filter((v) => v === c).length;

describe('trainTestSplit: stratify', () => {
  it('puts a rare class (5 of 1,000) in a 10 % test set for every seed; the plain split misses it most of the time', () => {
    const ds = labelled([600, 395, 5]);
    let plainMissed = 0;
    for (let seed = 0; seed < 40; seed++) {
      const s = trainTestSplit(ds, { seed, stratify: true });
      expect(s.test.n).toBe(100);
      expect(countOf(s.test.y, 2)).toBeGreaterThanOrEqual(1);
      // Proportional within one row, and the rare class keeps rows to train on.
      expect(Math.abs(countOf(s.test.y, 0) - 60)).toBeLessThanOrEqual(1);
      expect(Math.abs(countOf(s.test.y, 1) - 39.5)).toBeLessThanOrEqual(1);
      expect(countOf(s.train.y, 2)).toBeGreaterThanOrEqual(1);
      if (countOf(trainTestSplit(ds, { seed }).test.y, 2) === 0) plainMissed++;
    }
    expect(plainMissed).toBeGreaterThan(10);
  });

  it('is a split: disjoint sorted indices covering every row, the same for the same seed and stream, another for another', () => {
    const ds = labelled([50, 30, 20]);
    const a = trainTestSplit(ds, { seed: 3, stream: 5, stratify: true });
    expect([...a.trainIndex, ...a.testIndex].sort((p, q) => p - q)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(a.testIndex)).toEqual(Array.from(a.testIndex).sort((p, q) => p - q));
    expect(Array.from(trainTestSplit(ds, { seed: 3, stream: 5, stratify: true }).testIndex)).toEqual(Array.from(a.testIndex));
    expect(Array.from(trainTestSplit(ds, { seed: 3, stream: 6, stratify: true }).testIndex)).not.toEqual(Array.from(a.testIndex));
    expect([countOf(a.test.y, 0), countOf(a.test.y, 1), countOf(a.test.y, 2)]).toEqual([5, 3, 2]);
  });

  it('leaves the plain split as it was: the first round(f·n) of one seeded permutation', () => {
    const ds = labelled([50, 30, 20]);
    const perm = new Rng(4, 2).permutation(100);
    expect(Array.from(trainTestSplit(ds, { seed: 4, stream: 2, testFraction: 0.2 }).testIndex)).toEqual(Array.from(perm.subarray(0, 20)).sort((p, q) => p - q));
  });

  it('refuses several target columns, naming y', () => {
    const ds = makeDataset([[1], [2], [3]], [[0, 1], [1, 0], [0, 0]]);
    expect(() => trainTestSplit(ds, { stratify: true })).toThrow(/^dataset\.y: expected one label column to stratify by, found 2 columns\./);
  });
});

describe('stratifiedBlocks', () => {
  it('gives disjoint blocks, each near every class share, from the rows the blocks before left', () => {
    const y = labelled([70, 25, 5]).y;
    const order = stratifiedBlocks(y, 20, 4, new Rng(9, 0));
    expect(Array.from(order).sort((p, q) => p - q)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    for (let b = 0; b < 4; b++) {
      const block = Array.from(order.subarray(20 * b, 20 * b + 20), (r) => y[r]);
      expect(Math.abs(countOf(block, 0) - 14)).toBeLessThanOrEqual(1);
      expect(Math.abs(countOf(block, 1) - 5)).toBeLessThanOrEqual(1);
      expect(countOf(block, 2)).toBeGreaterThanOrEqual(1);
    }
  });

  it('keeps a singleton class out of the block while others can fill it', () => {
    const y = labelled([60, 39, 1]).y;
    for (let seed = 0; seed < 20; seed++) expect(Array.from(stratifiedBlocks(y, 10, 1, new Rng(seed, 0)).subarray(0, 10), (r) => y[r])).not.toContain(2);
  });
});

describe('stratifiedFolds', () => {
  it('partitions the rows into k folds of sizes within one, each holding every class of at least k rows; seeded', () => {
    const { y } = labelled([50, 7, 5, 3]);
    for (const seed of [0, 1, 2]) {
      const folds = stratifiedFolds(y, 5, new Rng(seed, 9));
      const all = folds.flatMap((f) => Array.from(f)).sort((a, b) => a - b);
      expect(all).toEqual(Array.from({ length: y.length }, (_, i) => i));
      for (const f of folds) expect(Array.from(f)).toEqual(Array.from(f).sort((a, b) => a - b));
      const sizes = folds.map((f) => f.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      // Classes 0, 1 and 2 have at least 5 rows: in every fold; class 2 exactly once each.
      for (const f of folds) {
        const labels = Array.from(f, (i) => y[i]);
        for (const c of [0, 1, 2]) expect(labels).toContain(c);
        expect(countOf(labels, 2)).toBe(1);
      }
      expect(folds.map((f) => Array.from(f))).toEqual(stratifiedFolds(y, 5, new Rng(seed, 9)).map((f) => Array.from(f)));
    }
    expect(stratifiedFolds(y, 5, new Rng(0, 9)).map((f) => Array.from(f))).not.toEqual(stratifiedFolds(y, 5, new Rng(1, 9)).map((f) => Array.from(f)));
  });
});

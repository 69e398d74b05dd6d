import { describe, expect, it } from 'vitest';
import { digitsSuite, toyGapSuite, toyMean, uciSuite } from '../../src/report/suites.js';

describe('comparison suites', () => {
  it('toy-gap: no training input in the gap (−1, 1), noise around the mean, same data for the same seed', () => {
    const s = toyGapSuite(3);
    expect(s.train.n).toBe(120);
    let ss = 0;
    for (let i = 0; i < s.train.n; i++) {
      const x = s.train.x[i];
      expect(Math.abs(x)).toBeGreaterThanOrEqual(1);
      expect(Math.abs(x)).toBeLessThanOrEqual(3);
      ss += (s.train.y[i] - toyMean(x)) ** 2;
    }
    expect(Math.sqrt(ss / s.train.n)).toBeGreaterThan(0.1);
    expect(Math.sqrt(ss / s.train.n)).toBeLessThan(0.2);
    expect(toyGapSuite(3).train.y).toEqual(s.train.y);
    expect(toyGapSuite(4).train.y).not.toEqual(s.train.y);
    expect(s.grid![0]).toBe(-5);
    expect(s.grid![s.grid!.length - 1]).toBe(5);
  });

  it('digits: trains and tests on classes 0–4 only; held-out classes and noise images are OOD', () => {
    // Two images per class 0–9 (pixels = class value), target last.
    const rows: string[] = [];
    for (let c = 0; c < 10; c++) for (let r = 0; r < 2; r++) rows.push([...Array(64).fill(c), c].join(','));
    const s = digitsSuite(rows.join("\n"), { seed: 1, noiseImages: 7, trainSize: 8, corruption: null });
    expect(s.classes).toBe(5);
    expect(s.train.n + s.test.n).toBe(10);
    expect(s.test.n).toBe(2);
    for (const ds of [s.train, s.test]) for (const y of ds.y) expect(y).toBeLessThan(5);
    const [held, noise] = s.ood!;
    expect(held.key).toBe('auroc');
    expect(held.x.length).toBe(10 * 64);
    expect(Math.min(...held.x)).toBe(5);
    expect(noise.x.length).toBe(7 * 64);
    for (const v of noise.x) expect(Number.isInteger(v) && v >= 0 && v <= 16).toBe(true);
  });

  it('uci: one 90/10 split of a whitespace table', () => {
    const text = Array.from({ length: 20 }, (_, i) => `${i} ${i * 2} ${i * 3}`).join('\n');
    const s = uciSuite('fixture', text);
    expect([s.train.n, s.test.n, s.train.inputs]).toEqual([18, 2, 2]);
  });
});

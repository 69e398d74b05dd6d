import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/random/index.js';
import { corruptDigit, DIGIT_CORRUPTION, digitsSuite, toyGapSuite, toyMean, uciSuite } from '../../src/report/suites.js';

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
    // Traced at a point in the data, one in the gap, one beyond.
    expect(Array.from(s.probe!)).toEqual([-2, 0, 4]);
  });

  it('digits: trains and tests on classes 0–4 only (trainSize of them to train on); held-out classes and noise images are OOD', () => {
    // Two images per class 0–9 (pixels = class value), target last.
    const rows: string[] = [];
    for (let c = 0; c < 10; c++) for (let r = 0; r < 2; r++) rows.push([...Array(64).fill(c), c].join(','));
    const s = digitsSuite(rows.join('\n'), { seed: 1, noiseImages: 7, trainSize: 8, corruption: null });
    expect(s.classes).toBe(5);
    expect([s.train.n, s.test.n]).toEqual([8, 2]);
    for (const ds of [s.train, s.test]) for (const y of ds.y) expect(y).toBeLessThan(5);
    // Uncorrupted: every pixel still equals the label.
    for (let i = 0; i < s.train.n; i++) expect(new Set(s.train.x.subarray(i * 64, (i + 1) * 64))).toEqual(new Set([s.train.y[i]]));
    const [held, noise] = s.ood!;
    expect(held.key).toBe('auroc');
    expect(held.x.length).toBe(10 * 64);
    expect(Math.min(...held.x)).toBe(5);
    expect(noise.x.length).toBe(7 * 64);
    for (const v of noise.x) expect(Number.isInteger(v) && v >= 0 && v <= 16).toBe(true);
    expect(() => digitsSuite(rows.join('\n'), { trainSize: 10 })).toThrow(/trainSize/);
  });

  it('digits: the default corruption blanks a square and salts pixels of every image, the held-out classes too, the same for the same seed', () => {
    const rows: string[] = [];
    for (let c = 0; c < 10; c++) for (let r = 0; r < 20; r++) rows.push([...Array(64).fill(8), c].join(','));
    const csv = rows.join('\n');
    const s = digitsSuite(csv, { trainSize: 60 });
    expect([s.train.n, s.test.n]).toEqual([60, 40]);
    let changed = 0;
    for (const x of [s.train.x, s.test.x, s.ood![0].x]) {
      for (let i = 0; i < x.length / 64; i++) {
        // At least the 3×3 square (salt may add to it, or land inside it).
        const img = x.subarray(i * 64, (i + 1) * 64);
        expect(img.filter((v) => v !== 8).length).toBeGreaterThanOrEqual(DIGIT_CORRUPTION.occlusion ** 2 - 2);
        changed += img.filter((v) => v !== 8).length;
      }
    }
    // 200 images × (9 blanked + ~5 % of the other 55 salted, 1/17 of which land on 8 again).
    expect(changed / 200).toBeGreaterThan(9 + 0.5 * 0.05 * 55);
    expect(changed / 200).toBeLessThan(9 + 2 * 0.05 * 64);
    expect(digitsSuite(csv, { trainSize: 60 }).train.x).toEqual(s.train.x);
    expect(digitsSuite(csv, { trainSize: 60, seed: 2 }).train.x).not.toEqual(s.train.x);
  });

  it('corruptDigit: blanks one occlusion × occlusion square at a seeded position, salts at the given rate, checks its input', () => {
    const img = new Float32Array(64).fill(16);
    const out = corruptDigit(img, { occlusion: 3, salt: 0 }, new Rng(5, 0));
    const zeros = [...out.keys()].filter((i) => out[i] === 0);
    expect(zeros).toHaveLength(9);
    const [r0, c0] = [Math.floor(zeros[0] / 8), zeros[0] % 8];
    expect(zeros).toEqual([0, 1, 2].flatMap((r) => [0, 1, 2].map((c) => (r0 + r) * 8 + c0 + c)));
    expect(img[0]).toBe(16);
    expect(corruptDigit(img, { occlusion: 3, salt: 0 }, new Rng(5, 0))).toEqual(out);
    // Salt alone: about 30 % of 64 × 400 pixels drawn again, 1/17 of them back to 16.
    let salted = 0;
    for (let k = 0; k < 400; k++) salted += corruptDigit(img, { occlusion: 0, salt: 0.3 }, new Rng(k, 1)).filter((v) => v !== 16).length;
    expect(salted / (64 * 400)).toBeCloseTo(0.3 * (16 / 17), 1);
    expect(() => corruptDigit(new Float32Array(10), { occlusion: 1, salt: 0 }, new Rng(0))).toThrow(/square image/);
    expect(() => corruptDigit(img, { occlusion: 9, salt: 0 }, new Rng(0))).toThrow(/occlusion/);
    expect(() => corruptDigit(img, { occlusion: 0, salt: 2 }, new Rng(0))).toThrow(/salt/);
  });

  it('uci: one 90/10 split of a whitespace table', () => {
    const text = Array.from({ length: 20 }, (_, i) => `${i} ${i * 2} ${i * 3}`).join('\n');
    const s = uciSuite('fixture', text);
    expect([s.train.n, s.test.n, s.train.inputs]).toEqual([18, 2, 2]);
  });
});

import { describe, expect, it } from 'vitest';
import { aupr, auroc, maxProbScore, mutualInformation, oodScore, predictiveEntropy } from '../../src/metrics/ood.js';
import { BdlError } from '../../src/errors.js';

describe('AUROC', () => {
  it('by hand with ties counted as ½', () => {
    // in = [0.1, 0.4, 0.35, 0.8], out = [0.8, 0.4, 0.9]; 12 (out, in) pairs
    // out 0.8: beats 0.1, 0.4, 0.35, ties 0.8 → 3.5;  out 0.4: beats 0.1, 0.35, ties 0.4 → 2.5;  out 0.9: 4
    // (3.5 + 2.5 + 4)/12 = 10/12
    expect(auroc([0.1, 0.4, 0.35, 0.8], [0.8, 0.4, 0.9])).toBeCloseTo(10 / 12, 15);
  });

  it('is 1 for perfect separation, 0 reversed, 0.5 when all scores are equal', () => {
    expect(auroc([1, 2, 3], [4, 5])).toBe(1);
    expect(auroc([4, 5], [1, 2, 3])).toBe(0);
    expect(auroc([1, 1, 1], [1, 1])).toBe(0.5);
  });
});

describe('AUPR (average precision, OOD positive)', () => {
  it('by hand with a tied threshold', () => {
    // thresholds descending: 0.9 → TP 1 FP 0, precision 1,   Δrecall 1/3
    //                        0.8 → TP 2 FP 1, precision 2/3, Δrecall 1/3  (the tie enters at once)
    //                        0.4 → TP 3 FP 2, precision 3/5, Δrecall 1/3
    // AP = 1/3 + 2/9 + 1/5 = 34/45
    expect(aupr([0.1, 0.4, 0.35, 0.8], [0.8, 0.4, 0.9])).toBeCloseTo(34 / 45, 15);
    // input order does not matter
    expect(aupr([0.8, 0.35, 0.4, 0.1], [0.9, 0.4, 0.8])).toBeCloseTo(34 / 45, 15);
  });

  it('is 1 for perfect separation and the positive fraction when all scores tie', () => {
    expect(aupr([1, 2, 3], [4, 5])).toBe(1);
    expect(aupr([1, 1, 1], [1, 1])).toBeCloseTo(2 / 5, 15);
  });

  it('rejects empty and non-finite scores', () => {
    expect(() => auroc([], [1])).toThrowError(BdlError);
    expect(() => aupr([1], [NaN])).toThrowError(/scoresOut\[0\]: expected a finite number/);
  });
});

describe('OOD scores', () => {
  it('entropy, 1 − max probability, and mutual information by hand', () => {
    // rows [0.5, 0.5] → ln 2; [1, 0] → 0 (0·log 0 = 0); [0.25, 0.75] → −(¼ ln ¼ + ¾ ln ¾) = 0.562335
    const p = [0.5, 0.5, 1, 0, 0.25, 0.75];
    const h = predictiveEntropy(p, 2);
    expect(h[0]).toBeCloseTo(Math.LN2, 15);
    expect(h[1]).toBe(0);
    expect(h[2]).toBeCloseTo(0.562335, 6);
    expect(Array.from(maxProbScore(p, 2))).toEqual([0.5, 0, 0.25]);
    // two samples that disagree completely: H[mean] = ln 2, mean H = 0 → MI = ln 2; identical samples → 0
    const mi = mutualInformation([[1, 0, 0.3, 0.7], [0, 1, 0.3, 0.7]], 2);
    expect(mi[0]).toBeCloseTo(Math.LN2, 15);
    expect(mi[1]).toBe(0);
  });

  it('oodScore reads the predictive, or derives the score from probs', () => {
    const pred = { probs: [0.5, 0.5, 0.9, 0.1], classes: 2, mutualInformation: [0.2, 0.01] };
    expect(oodScore(pred, 'entropy')[0]).toBeCloseTo(Math.LN2, 15);
    expect(Array.from(oodScore(pred, 'mutual-information'))).toEqual([0.2, 0.01]);
    expect(oodScore(pred, 'max-prob')[1]).toBeCloseTo(0.1, 15);
    expect(Array.from(oodScore({ variance: [1, 3] }, 'variance'))).toEqual([1, 3]);
    expect(() => oodScore({ variance: [1] }, 'mutual-information')).toThrowError(/predictive.mutualInformation: expected present/);
  });
});

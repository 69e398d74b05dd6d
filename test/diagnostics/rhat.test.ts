import { describe, expect, it } from 'vitest';
import { rankNormalizedRhat, rankNormalizedRhatParts, splitRhat } from '../../src/diagnostics/rhat.js';
import { iidChains } from './prng.js';

describe('split R-hat', () => {
  it('by hand: 2 chains × 4 draws', () => {
    // chains [1,3,2,4] and [5,7,6,8] split into four halves of n = 2:
    //   [1,3] mean 2 var 2;  [5,7] mean 6 var 2;  [2,4] mean 3 var 2;  [6,8] mean 7 var 2
    // W = mean of variances = 2
    // means 2,6,3,7: grand mean 4.5, squared deviations 6.25+2.25+2.25+6.25 = 17 → var = 17/3
    // B = n·var(means) = 34/3
    // R̂ = √((B/W + n − 1)/n) = √((17/3 + 1)/2) = √(10/3) = 1.8257418583505538
    expect(splitRhat([[1, 3, 2, 4], [5, 7, 6, 8]])).toBeCloseTo(Math.sqrt(10 / 3), 14);
  });

  it('by hand: one chain of odd length drops its middle draw', () => {
    // [1, 2, 100, 3, 4] → halves [1,2] and [3,4]: means 1.5, 3.5; variances 0.5, 0.5 → W = 0.5
    // var(means) = 2 → B = 2·2 = 4;  R̂ = √((4/0.5 + 1)/2) = √4.5
    expect(splitRhat([[1, 2, 100, 3, 4]])).toBeCloseTo(Math.sqrt(4.5), 14);
  });

  it('is NaN for constant or non-finite draws', () => {
    expect(splitRhat([[1, 1, 1, 1], [1, 1, 1, 1]])).toBeNaN();
    expect(splitRhat([[1, 2, Infinity, 4], [1, 2, 3, 4]])).toBeNaN();
    expect(rankNormalizedRhat([[1, 2, NaN, 4], [1, 2, 3, 4]])).toBeNaN();
  });
});

describe('rank-normalized split R-hat', () => {
  it('by hand: 2 chains × 4 draws, bulk and folded', () => {
    // Pooled ranks of [1,3,2,4 | 5,7,6,8] are the values themselves; S = 8;
    // z(r) = Φ⁻¹((r − 3/8)/8.25): z1 = −1.43420, z2 = −0.85250, z3 = −0.47279, z4 = −0.15251, z(9−r) = −z(r).
    // Bulk halves [z1,z3], [z5,z7], [z2,z4], [z6,z8]: means ∓0.95349, ∓0.50250 → var(means) = (2·0.95349² + 2·0.50250²)/3 = 0.77443
    // variances (z1−z3)²/2 = 0.46216 and (z2−z4)²/2 = 0.24500 → W = 0.35358; B = 2·0.77443 = 1.54887
    // R̂_bulk = √((1.54887/0.35358 + 1)/2) = √2.69027 = 1.64020
    // Folded |x − 4.5| = [3.5,1.5,2.5,0.5 | 0.5,2.5,1.5,3.5]: every value twice → average ranks 1.5, 3.5, 5.5, 7.5
    // z(1.5) = Φ⁻¹(1.125/8.25) = −1.09680, z(3.5) = Φ⁻¹(3.125/8.25) = −0.30867 (and the mirrored +).
    // Halves [+1.09680, −0.30867], [+0.30867, −1.09680], [−1.09680, +0.30867], [−0.30867, +1.09680]:
    // means ±0.39407 → var(means) = 4·0.39407²/3 = 0.20705, B = 0.41411; each variance 1.40547²/2 = 0.98767 = W
    // R̂_tail = √((0.41411/0.98767 + 1)/2) = √0.70964 = 0.84240
    const p = rankNormalizedRhatParts([[1, 3, 2, 4], [5, 7, 6, 8]]);
    expect(p.bulk).toBeCloseTo(1.6402, 4);
    expect(p.tail).toBeCloseTo(0.8424, 4);
    expect(rankNormalizedRhat([[1, 3, 2, 4], [5, 7, 6, 8]])).toBe(p.bulk);
  });

  it('is invariant to monotone transforms (it only sees ranks)', () => {
    const x = iidChains(11, 4, 200);
    const y = x.map((c) => c.map((v) => Math.exp(3 * v)));
    expect(rankNormalizedRhat(y)).toBeCloseTo(rankNormalizedRhat(x), 12);
  });

  it('is near 1 for well-mixed chains', () => {
    const x = iidChains(1, 4, 1000);
    expect(rankNormalizedRhat(x)).toBeLessThan(1.01);
    expect(splitRhat(x)).toBeLessThan(1.01);
  });

  it('detects a chain with a different mean (> 1.1)', () => {
    const x = [...iidChains(2, 3, 1000), ...iidChains(3, 1, 1000, 2)];
    expect(splitRhat(x)).toBeGreaterThan(1.1);
    expect(rankNormalizedRhat(x)).toBeGreaterThan(1.1);
  });

  it('detects a chain with a different variance through the folded draws, which classic R-hat misses', () => {
    const x = [...iidChains(4, 3, 1000), ...iidChains(5, 1, 1000, 0, 3)];
    expect(splitRhat(x)).toBeLessThan(1.01);
    const p = rankNormalizedRhatParts(x);
    expect(p.bulk).toBeLessThan(1.01);
    expect(p.tail).toBeGreaterThan(1.1);
    expect(rankNormalizedRhat(x)).toBe(p.tail);
  });

  it('detects a trend within chains through the split', () => {
    // each chain drifts from −1 to +1: the halves disagree even though the chains agree
    const x = iidChains(6, 4, 1000, 0, 0.3).map((c) => c.map((v, i) => v + (2 * i) / 999 - 1));
    expect(rankNormalizedRhat(x)).toBeGreaterThan(1.1);
  });
});

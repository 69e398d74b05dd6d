import { describe, expect, it } from 'vitest';
import { essBulk, essMean, essQuantile, essTail } from '../../src/diagnostics/ess.js';
import { ar1Chains, iidChains, normals } from './prng.js';

describe('ESS', () => {
  it('of iid normal draws is close to the number of draws', () => {
    const x = iidChains(1, 4, 2000);
    const S = 8000;
    for (const ess of [essMean(x), essBulk(x), essTail(x), essQuantile(x, 0.5)]) {
      expect(ess / S).toBeGreaterThan(0.85);
      expect(ess / S).toBeLessThan(1.15);
    }
  });

  for (const phi of [0.5, 0.9]) {
    it(`of an AR(1) chain with φ = ${phi} matches S·(1−φ)/(1+φ) within 12%`, () => {
      const x = ar1Chains(phi === 0.5 ? 2 : 3, 4, 10000, phi);
      const expected = (40000 * (1 - phi)) / (1 + phi);
      expect(Math.abs(essMean(x) / expected - 1)).toBeLessThan(0.12);
      // the rank normalization is monotone, and a Gaussian AR(1) stays near Gaussian: bulk agrees
      expect(Math.abs(essBulk(x) / expected - 1)).toBeLessThan(0.12);
    });
  }

  it('exceeds the draw count for antithetic chains (AR(1), φ = −0.5: S·3)', () => {
    const x = ar1Chains(4, 4, 10000, -0.5);
    expect(essMean(x)).toBeGreaterThan(40000);
    expect(Math.abs(essMean(x) / 120000 - 1)).toBeLessThan(0.15);
  });

  it('is capped at S·log10(S) for perfectly alternating chains', () => {
    const z = normals(5);
    const x = [0, 1].map(() => Float64Array.from({ length: 1000 }, (_, i) => (i % 2 ? 1 : -1) + 1e-6 * z()));
    const S = 2000;
    expect(essMean(x)).toBeCloseTo(S * Math.log10(S), 6);
  });

  it('drops when the chains disagree (between-chain variance enters var⁺)', () => {
    const agree = iidChains(6, 4, 1000);
    const disagree = agree.map((c, k) => c.map((v) => v + k));
    expect(essMean(disagree)).toBeLessThan(essMean(agree) / 5);
  });

  it('is NaN for constant draws, non-finite draws, or fewer than 3 draws per split chain', () => {
    expect(essBulk([[2, 2, 2, 2, 2, 2], [2, 2, 2, 2, 2, 2]])).toBeNaN();
    expect(essMean([[1, 2, 3, NaN, 5, 6], [1, 2, 3, 4, 5, 6]])).toBeNaN();
    expect(essTail([[1, 2, 3, 4, 5, Infinity], [1, 2, 3, 4, 5, 6]])).toBeNaN();
    expect(essMean([[1, 2, 3, 4, 5], [1, 2, 3, 4, 6]])).toBeNaN(); // halves of 2
  });

  it('rejects a probability outside [0, 1]', () => {
    expect(() => essQuantile([[1, 2, 3, 4, 5, 6]], 1.5)).toThrowError(/prob: expected a probability/);
  });
});

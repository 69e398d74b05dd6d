import { describe, expect, it } from 'vitest';
import { mcseMean, mcseQuantile, mcseSd } from '../../src/diagnostics/mcse.js';
import { ar1Chains, iidChains } from './prng.js';

describe('MCSE', () => {
  const x = iidChains(21, 4, 5000);
  const S = 20000;

  it('of the mean of iid N(0,1) draws is ≈ 1/√S', () => {
    expect(mcseMean(x) * Math.sqrt(S)).toBeCloseTo(1, 1);
  });

  it('of the sd of iid N(0,1) draws is ≈ 1/√(2S)', () => {
    // Var(ŝ) ≈ (μ₄ − σ⁴)/(4σ²S) = (3 − 1)/(4S) = 1/(2S)
    expect(mcseSd(x) * Math.sqrt(2 * S)).toBeCloseTo(1, 1);
  });

  it('of the median of iid N(0,1) draws is ≈ √(p(1−p)/S)/φ(0) = 1.2533/√S (within 35%)', () => {
    // the estimator is a difference of two order statistics: noisy, hence the loose bound
    const ratio = (mcseQuantile(x, 0.5) * Math.sqrt(S)) / (0.5 * Math.sqrt(2 * Math.PI));
    expect(ratio).toBeGreaterThan(0.65);
    expect(ratio).toBeLessThan(1.35);
  });

  it('of the mean grows with autocorrelation: AR(1) φ = 0.9 by √((1+φ)/(1−φ)) = √19', () => {
    const y = ar1Chains(22, 4, 5000, 0.9);
    expect(Math.abs(mcseMean(y) / (Math.sqrt(19) / Math.sqrt(S)) - 1)).toBeLessThan(0.15);
  });

  it('is NaN for non-finite draws', () => {
    const bad = [Float64Array.from([1, 2, 3, 4, 5, NaN])];
    expect(mcseMean(bad)).toBeNaN();
    expect(mcseSd(bad)).toBeNaN();
    expect(mcseQuantile(bad, 0.5)).toBeNaN();
  });
});

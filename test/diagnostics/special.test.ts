import { describe, expect, it } from 'vitest';
import { betaQuantile, incompleteBeta, logGamma, normalCdf, normalQuantile } from '../../src/diagnostics/special.js';

describe('normal CDF and quantile', () => {
  it('matches tabulated values', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normalQuantile(0.025)).toBeCloseTo(-1.959963984540054, 14);
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.8413447460685429)).toBeCloseTo(1, 13);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021048517795, 15);
    // far tail keeps relative accuracy: Φ(−10) = 7.619853024160527e-24
    expect(normalCdf(-10) / 7.619853024160527e-24).toBeCloseTo(1, 12);
  });

  it('round-trips Φ(Φ⁻¹(p)) = p in relative terms from 1e-300 to 1 − 1e-12', () => {
    for (const p of [1e-300, 1e-20, 1e-10, 1e-3, 0.02425, 0.1, 0.37, 0.5, 0.63, 0.9, 0.999, 1 - 1e-12]) {
      const q = p > 0.5 ? 1 - p : p;
      const back = p > 0.5 ? 1 - normalCdf(normalQuantile(p)) : normalCdf(normalQuantile(p));
      expect(Math.abs(back / q - 1)).toBeLessThan(1e-9);
    }
  });

  it('handles the ends and bad input', () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    expect(normalQuantile(1.5)).toBeNaN();
    expect(normalQuantile(NaN)).toBeNaN();
  });
});

describe('log-gamma and the incomplete beta function', () => {
  it('logGamma matches factorials and Γ(1/2) = √π', () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
    expect(logGamma(171)).toBeCloseTo(Math.log(7.257415615307994e306), 9);
  });

  it('I_x(2, 3) by hand: Σ_{j=2..4} C(4,j) x^j (1−x)^{4−j} at x = 0.3', () => {
    // 6·0.09·0.49 + 4·0.027·0.7 + 0.0081 = 0.2646 + 0.0756 + 0.0081 = 0.3483
    expect(incompleteBeta(0.3, 2, 3)).toBeCloseTo(0.3483, 13);
    expect(incompleteBeta(0.5, 1000, 1000)).toBeCloseTo(0.5, 12);
  });

  it('Beta quantiles match the closed forms of Beta(a, 1) and Beta(1, b)', () => {
    // Beta(a,1): F(x) = x^a → q = p^{1/a};  Beta(1,b): F(x) = 1 − (1−x)^b → q = 1 − (1−p)^{1/b}
    expect(betaQuantile(0.3, 4, 1)).toBeCloseTo(0.3 ** 0.25, 12);
    expect(betaQuantile(0.8, 1, 7)).toBeCloseTo(1 - 0.2 ** (1 / 7), 12);
    // symmetric: the median of Beta(a, a) is 1/2
    expect(betaQuantile(0.5, 301, 301)).toBeCloseTo(0.5, 12);
  });
});

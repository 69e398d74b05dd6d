import { describe, expect, it } from 'vitest';
import { normalCdf } from '../../src/diagnostics/special.js';
import { mixtureCdf, mixtureQuantile, predictiveInterval } from '../../src/posterior/interval.js';
import { regressionPredictive } from '../../src/posterior/aggregate.js';
import { BdlError } from '../../src/errors.js';

/** The q-quantile of a uniform Gaussian mixture by plain bisection on a brute-force CDF (f64, 200 halvings). */
function bruteQuantile(mu: number[], sd: number[], q: number): number {
  const F = (y: number) => mu.reduce((s, m, i) => s + normalCdf((y - m) / sd[i]), 0) / mu.length;
  let a = -1e6;
  let b = 1e6;
  for (let i = 0; i < 200; i++) {
    const c = 0.5 * (a + b);
    if (F(c) < q) a = c;
    else b = c;
  }
  return 0.5 * (a + b);
}

describe('predictive intervals', () => {
  it('is μ ± 1.959964σ for one Gaussian (no members: the linearized Laplace case)', () => {
    const p = { kind: 'regression' as const, mean: Float64Array.of(1, -3), variance: Float64Array.of(4, 0.25), aleatoric: Float64Array.of(4, 0.25), epistemic: new Float64Array(2) };
    const { lower, upper } = predictiveInterval(p, 0.95);
    expect(lower[0]).toBeCloseTo(1 - 1.959963984540054 * 2, 12);
    expect(upper[0]).toBeCloseTo(1 + 1.959963984540054 * 2, 12);
    expect(upper[1]).toBeCloseTo(-3 + 1.959963984540054 * 0.5, 12);
    const i68 = predictiveInterval(p, 0.6826894921370859);
    expect(i68.upper[0]).toBeCloseTo(3, 10);
  });

  it('is the single sample’s Gaussian when there is one sample', () => {
    const p = regressionPredictive(Float32Array.of(2), Float32Array.of(9), 1);
    const { lower, upper } = predictiveInterval(p, 0.9);
    expect(lower[0]).toBeCloseTo(2 - 1.6448536269514722 * 3, 6);
    expect(upper[0]).toBeCloseTo(2 + 1.6448536269514722 * 3, 6);
  });

  it('gives the exact quantiles of a mixture of Gaussians (brute-force CDF, 1e-9)', () => {
    const cases = [
      { mu: [0, 0], sd: [1, 1] },
      { mu: [-5, 5], sd: [1, 1] }, // bimodal: the 95 % interval spans both modes
      { mu: [0, 0.1, 10], sd: [0.01, 2, 0.5] },
      { mu: [3, 3.0001, 2.9999, 3], sd: [1e-3, 1e-3, 1e-3, 1e-3] },
      { mu: [100, -100], sd: [1, 50] }, // far apart, very different widths
    ];
    for (const { mu, sd } of cases) {
      for (const q of [0.025, 0.05, 0.5, 0.9, 0.975]) {
        const got = mixtureQuantile(mu, sd, q);
        const want = bruteQuantile(mu, sd, q);
        expect(Math.abs(got - want), `${JSON.stringify({ mu, sd, q })}`).toBeLessThan(1e-9 * Math.max(1, ...sd, ...mu.map(Math.abs)));
        expect(mixtureCdf(mu, sd, got)).toBeCloseTo(q, 10);
      }
    }
  });

  it('reads the members of a predictive (S × N) in original units, per point', () => {
    // Two samples at two points: point 0 is a mixture of N(0, 1) and N(4, 1), point 1 of N(1, 0.25) twice.
    const p = regressionPredictive(Float32Array.of(0, 1, 4, 1), Float32Array.of(1, 0.25, 1, 0.25), 2);
    const { lower, upper } = predictiveInterval(p);
    expect(lower[0]).toBeCloseTo(bruteQuantile([0, 4], [1, 1], 0.025), 9);
    expect(upper[0]).toBeCloseTo(bruteQuantile([0, 4], [1, 1], 0.975), 9);
    expect(lower[1]).toBeCloseTo(1 - 1.959963984540054 * 0.5, 9);
  });

  it('refuses a level outside (0, 1) with E_ARG', () => {
    const p = regressionPredictive(Float32Array.of(0), Float32Array.of(1), 1);
    for (const level of [0, 1, 95, -0.5, NaN]) expect(() => predictiveInterval(p, level)).toThrow(BdlError);
  });
});

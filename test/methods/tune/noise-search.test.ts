import { describe, expect, it } from 'vitest';
import { bestNoiseVariance, bestVarianceFloor, crossFittedFloorScore, crossFittedNoiseScore, mixtureLogLikAtFloor, mixtureLogLikAtNoise } from '../../../src/methods/tune/noise-search.js';
import { mixtureLogLik } from '../../../src/metrics/index.js';

/** Deterministic pseudo-random values in [−1, 1) (a small LCG; the test needs no quality). */
function values(n: number, seed: number): number[] {
  let x = seed;
  return Array.from({ length: n }, () => ((x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 30) - 1);
}

describe('bestNoiseVariance', () => {
  it('for one sample is the mean squared residual (the Gaussian MLE, closed form)', () => {
    const y = values(40, 1).map((v) => 3 * v);
    const mu = values(40, 2);
    const mse = y.reduce((s, yi, i) => s + (yi - mu[i]) ** 2, 0) / y.length;
    expect(bestNoiseVariance(mu, y)).toBeCloseTo(mse, 12);
    // Samples that agree are one Gaussian too.
    expect(bestNoiseVariance([...mu, ...mu, ...mu], y)).toBeCloseTo(mse, 12);
  });

  it('for a mixture: a stationary point (σ² = the responsibility-weighted mean squared residual) and the best on a fine grid', () => {
    const n = 50;
    const S = 4;
    const y = values(n, 3).map((v) => 2 * v);
    const means = values(n * S, 4).map((v, j) => y[j % n] + 0.8 * v + (j < n ? 0.5 : 0));
    const s = bestNoiseVariance(means, y)!;
    // Stationarity f′(s) = 0 ⇔ s = A(s) = (1/N) Σᵢ Σₛ rᵢₛ eᵢₛ², the fixed point of EM for a shared variance.
    let a = 0;
    for (let i = 0; i < n; i++) {
      const w = Array.from({ length: S }, (_, k) => Math.exp(-((y[i] - means[k * n + i]) ** 2) / (2 * s)));
      const z = w.reduce((p, q) => p + q, 0);
      for (let k = 0; k < S; k++) a += ((w[k] / z) * (y[i] - means[k * n + i]) ** 2) / n;
    }
    expect(a).toBeCloseTo(s, 6);
    const f = (v: number) => mixtureLogLikAtNoise(means, y, v);
    for (let j = -60; j <= 60; j++) expect(f(s)).toBeGreaterThanOrEqual(f(s * Math.exp(j / 20)) - 1e-12);
    // The same value the test metric computes with every sample's variance set to s.
    expect(f(s)).toBeCloseTo(mixtureLogLik(Float32Array.from(means), new Float32Array(n * S).fill(s), Float32Array.from(y)), 4);
  });

  it('is undefined where the likelihood is unbounded or the input is malformed', () => {
    expect(bestNoiseVariance([1, 2], [1, 2])).toBeUndefined();
    expect(bestNoiseVariance([1, 2, 3], [1, 2])).toBeUndefined();
    expect(bestNoiseVariance([], [])).toBeUndefined();
  });
});

describe('bestVarianceFloor', () => {
  it('matches the mixture log-likelihood of metrics at any floor, and beats a fine grid of floors', () => {
    const n = 40;
    const S = 3;
    const y = values(n, 3);
    const means = values(S * n, 4).map((v) => 0.8 * v);
    const vars = values(S * n, 5).map((v) => 0.05 + 0.1 * Math.abs(v));
    const at = (f: number) => mixtureLogLik(
      Array.from({ length: S }, (_, s) => means.slice(s * n, (s + 1) * n)),
      Array.from({ length: S }, (_, s) => vars.slice(s * n, (s + 1) * n).map((v) => v + f)),
      y,
    );
    expect(mixtureLogLikAtFloor(means, vars, y, 0.3)).toBeCloseTo(at(0.3), 12);
    const best = bestVarianceFloor(means, vars, y)!;
    expect(best.floor).toBeGreaterThan(0);
    expect(best.score).toBeCloseTo(at(best.floor), 12);
    for (let j = 0; j <= 400; j++) expect(best.score).toBeGreaterThanOrEqual(at(10 ** (-6 + j / 80)) - 1e-9);
  });

  it('rescues a collapsed variance (one point at 1e-5 with a residual of 1) and is 0 when no floor helps', () => {
    const y = [0, 0, 0, 1];
    const collapsed = bestVarianceFloor([0, 0, 0, 0], [1e-5, 1e-5, 1e-5, 1e-5], y)!;
    expect(collapsed.floor).toBeGreaterThan(1e-3);
    expect(collapsed.score).toBeGreaterThan(mixtureLogLikAtFloor([0, 0, 0, 0], [1e-5, 1e-5, 1e-5, 1e-5], y, 0) + 1000 / 4);
    // Variances already far above the residuals: any floor only lowers the likelihood.
    const wide = bestVarianceFloor([0.1, -0.1], [4, 4], [0, 0])!;
    expect(wide.floor).toBe(0);
    expect(bestVarianceFloor([], [], [])).toBeUndefined();
  });
});

describe('cross-fitted scores', () => {
  // Sample-major S × n means whose rows at even and odd positions are the given halves.
  const interleave = (even: number[], odd: number[]) => even.flatMap((v, i) => [v, odd[i]]);

  it('score each half at the variance chosen on the other, by hand', () => {
    const n = 30;
    const S = 3;
    const y = values(n, 11).map((v) => 2 * v);
    const means = values(n * S, 12).map((v, j) => y[j % n] + (j % n < n / 2 ? 0.3 : 1.2) * v);
    const pick = (par: number) => {
      const rows = Array.from({ length: n / 2 }, (_, j) => 2 * j + par);
      return { m: Array.from({ length: S }, (_, k) => rows.map((i) => means[k * n + i])).flat(), y: rows.map((i) => y[i]) };
    };
    const [a, b] = [pick(0), pick(1)];
    const va = bestNoiseVariance(a.m, a.y)!;
    const vb = bestNoiseVariance(b.m, b.y)!;
    const byHand = (mixtureLogLikAtNoise(b.m, b.y, va) + mixtureLogLikAtNoise(a.m, a.y, vb)) / 2;
    expect(crossFittedNoiseScore(means, y)).toBeCloseTo(byHand, 12);
    // Never above the in-sample optimum of each half, so the cross-fitted score is the honest, lower one here.
    expect(crossFittedNoiseScore(means, y)!).toBeLessThan(mixtureLogLikAtNoise(means, y, bestNoiseVariance(means, y)!));
  });

  it('equal the in-sample score when the two halves are the same rows', () => {
    const half = values(20, 13).map((v) => 3 * v);
    const y = interleave(half, half);
    const mu = values(20, 14);
    const means = [interleave(mu, mu), interleave(mu.map((m) => m + 0.4), mu.map((m) => m + 0.4))].flat();
    const s = bestNoiseVariance(means, y)!;
    // Equal up to the searches' tolerance (each half's σ is found by its own golden-section path).
    expect(crossFittedNoiseScore(means, y)).toBeCloseTo(mixtureLogLikAtNoise(means, y, s), 6);
    const variances = means.map((_, j) => 0.05 + 0.01 * (j % 7));
    const f = bestVarianceFloor(means, variances, y)!;
    expect(crossFittedFloorScore(means, variances, y)).toBeCloseTo(f.score, 6);
  });

  it('are undefined for fewer than 4 rows or malformed input', () => {
    expect(crossFittedNoiseScore([1, 2, 3], [1, 2, 3])).toBeUndefined();
    expect(crossFittedNoiseScore([1, 2, 3, 4, 5], [1, 2, 3, 4])).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { classificationPredictive } from '../../src/posterior/aggregate.js';
import { fitTemperature, temperPredictive } from '../../src/posterior/temperature.js';
import { Rng } from '../../src/random/index.js';

const K = 4;

/** Labels drawn from softmax(z) and the over-confident probabilities softmax(sharpen · z) a model reports. */
function overconfident(n: number, sharpen: number, seed: number) {
  const rng = new Rng(seed, 0);
  const probs = new Float32Array(n * K);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: K }, () => 1.5 * rng.normal());
    const soft = (b: number) => {
      const e = z.map((v) => Math.exp(b * v));
      const s = e.reduce((a, v) => a + v, 0);
      return e.map((v) => v / s);
    };
    const truth = soft(1);
    let u = rng.uniform();
    y[i] = K - 1;
    for (let k = 0; k < K; k++) if ((u -= truth[k]) < 0) { y[i] = k; break; }
    probs.set(soft(sharpen), i * K);
  }
  return { p: classificationPredictive(probs, 1, K), y };
}

function nll(probs: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) s -= Math.log(probs[i * K + y[i]]);
  return s / y.length;
}

describe('temperature scaling', () => {
  it('recovers the temperature that made probabilities over- or under-confident', () => {
    for (const sharpen of [3, 0.5]) {
      const { p, y } = overconfident(10000, sharpen, 1);
      // softmax(sharpen·z) tempered at T = sharpen is softmax(z), the labels' own distribution.
      expect(fitTemperature(p.probs, y, K)).toBeCloseTo(sharpen, 0);
      expect(Math.abs(Math.log(fitTemperature(p.probs, y, K) / sharpen))).toBeLessThan(0.05);
    }
  });

  it('the fitted temperature lowers the NLL on the rows it was fitted on and on fresh rows alike', () => {
    const fitRows = overconfident(2000, 2.5, 2);
    const fresh = overconfident(2000, 2.5, 3);
    const T = fitTemperature(fitRows.p.probs, fitRows.y, K);
    expect(nll(temperPredictive(fitRows.p, T).probs, fitRows.y)).toBeLessThan(nll(fitRows.p.probs, fitRows.y) - 0.05);
    expect(nll(temperPredictive(fresh.p, T).probs, fresh.y)).toBeLessThan(nll(fresh.p.probs, fresh.y) - 0.05);
    // The minimum: a nearby temperature does no better on the fitted rows.
    for (const f of [0.97, 1.03]) expect(nll(temperPredictive(fitRows.p, T * f).probs, fitRows.y)).toBeGreaterThan(nll(temperPredictive(fitRows.p, T).probs, fitRows.y));
  });

  it('never changes the most probable class, keeps rows normalized and entropy = expected + mutual information', () => {
    const rng = new Rng(4, 0);
    const S = 3, N = 200;
    const probs = new Float32Array(S * N * K);
    for (let r = 0; r < S * N; r++) {
      const e = Array.from({ length: K }, () => Math.exp(3 * rng.normal()));
      const s = e.reduce((a, v) => a + v, 0);
      e.forEach((v, k) => (probs[r * K + k] = v / s));
    }
    const p = classificationPredictive(probs, S, K);
    const argmax = (a: Float64Array, i: number) => [0, 1, 2, 3].reduce((b, k) => (a[i * K + k] > a[i * K + b] ? k : b), 0);
    for (const T of [0.2, 0.7, 1.6, 8]) {
      const q = temperPredictive(p, T);
      for (let i = 0; i < N; i++) {
        expect(argmax(q.probs, i)).toBe(argmax(p.probs, i));
        expect(q.probs[i * K] + q.probs[i * K + 1] + q.probs[i * K + 2] + q.probs[i * K + 3]).toBeCloseTo(1, 12);
        expect(q.entropy[i]).toBeCloseTo(q.expectedEntropy[i] + q.mutualInformation[i], 12);
        expect(q.expectedEntropy[i]).toBeGreaterThanOrEqual(0);
      }
      // Above 1 a temperature flattens every row: more entropy.
      if (T > 1) for (let i = 0; i < N; i++) expect(q.entropy[i]).toBeGreaterThanOrEqual(p.entropy[i] - 1e-12);
    }
    expect(temperPredictive(p, 1)).toBe(p);
  });

  it('keeps T = 1 on held-out rows that are all classified correctly (the NLL would fall to T = 1e-3)', () => {
    // 60 rows, every label ranked first with probability 0.6–0.95: separated at every temperature.
    const N = 60;
    const probs = new Float64Array(N * 3);
    const y = Array.from({ length: N }, (_, i) => i % 3);
    for (let i = 0; i < N; i++) {
      const top = 0.6 + (0.35 * i) / N;
      for (let k = 0; k < 3; k++) probs[i * 3 + k] = k === y[i] ? top : (1 - top) / 2;
    }
    expect(fitTemperature(probs, y, 3)).toBe(1);
    // One row wrong (its label second): the NLL has an interior minimum again, and a sharper T < 1.
    probs.set([0.5, 0.3, 0.2], 3);
    const T = fitTemperature(probs, y, 3);
    expect(T).toBeGreaterThan(1e-3);
    expect(T).toBeLessThan(1);
  });

  it('keeps T = 1 when tempering cannot help, and refuses bad input with typed errors', () => {
    const { p, y } = overconfident(3000, 1, 5);
    expect(Math.abs(Math.log(fitTemperature(p.probs, y, K)))).toBeLessThan(0.1);
    const code = (f: () => unknown) => { try { f(); } catch (e) { return (e as BdlError).code; } };
    expect(code(() => fitTemperature(p.probs, y.subarray(0, 10), K))).toBe('E_SHAPE');
    expect(code(() => fitTemperature(p.probs.subarray(0, 8), [0, 4], K))).toBe('E_ARG');
    expect(code(() => fitTemperature(p.probs.subarray(0, 8), [0, 1.5], K))).toBe('E_ARG');
    expect(code(() => temperPredictive(p, 0))).toBe('E_ARG');
    expect(code(() => temperPredictive(p, NaN))).toBe('E_ARG');
  });
});

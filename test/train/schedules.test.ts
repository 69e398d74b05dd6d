// Learning-rate schedules: their values, and arguments that would train on nonsense refused up front;
// a user's schedule that returns a bad rate is stopped at that step, not reported as divergence.
import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { engineFor } from '../../src/methods/common.js';
import { fit } from '../../src/train/fit.js';
import { constant, cosine, cyclical, stepDecay } from '../../src/train/schedules.js';

describe('schedules', () => {
  it('give their formulas', () => {
    expect(constant(0.1)(5, 10)).toBe(0.1);
    expect(stepDecay(1, 10, 0.5)(25, 100)).toBe(0.25);
    expect(cosine(1, 0.1)(0, 100)).toBeCloseTo(1, 12);
    expect(cosine(1, 0.1)(100, 100)).toBeCloseTo(0.1, 12);
    expect(cyclical(1, 2)(50, 100)).toBeCloseTo(1, 12);
  });

  it('refuse a rate, factor or floor that is not a rate', () => {
    for (const f of [() => constant(NaN), () => constant(-1), () => stepDecay(1, 10, NaN), () => stepDecay(1, 10, 0), () => stepDecay(1, 10, 2), () => cosine(1, -0.5), () => cosine(1, Infinity), () => cyclical(1, 0)]) {
      expect(f).toThrow(expect.objectContaining({ code: expect.stringMatching(/^E_(ARG|OPTION)$/) }));
    }
    expect(() => stepDecay(1, 10, NaN)).toThrow(/factor/);
    expect(() => cosine(1, -0.5)).toThrow(/floor/);
  });

  it("fit stops at the step where a user's schedule returns NaN or a negative rate, naming it", async () => {
    const d = makeDataset(Array.from({ length: 40 }, (_, i) => [i / 40]), Array.from({ length: 40 }, (_, i) => i / 40));
    const mlp = await engineFor({ inputs: 1, hidden: [4], outputs: 1, activation: 'relu', likelihood: 'gaussian' });
    for (const bad of [NaN, -1e-3]) {
      const err = await fit(mlp, d, { epochs: 3, batchSize: 10, learningRate: (t) => (t === 5 ? bad : 1e-3) }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_ARG', argument: 'learningRate', message: expect.stringMatching(new RegExp(`found ${bad} at step 5 of 12`)) });
    }
    await expect(fit(mlp, d, { epochs: 1, learningRate: 0 })).rejects.toMatchObject({ argument: expect.stringMatching(/learningRate/) });
  });
});

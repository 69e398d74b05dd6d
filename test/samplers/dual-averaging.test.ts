import { describe, expect, it } from 'vitest';
import { dualAveragingFinal, dualAveragingInit, dualAveragingStep, MIN_STEP_SIZE } from '../../src/samplers/dual-averaging.js';

const o = { targetAccept: 0.8, gamma: 0.05, kappa: 0.75, t0: 10 };

describe('dual averaging (pure)', () => {
  it('leaves its input state untouched and converges toward the step that gives δ', () => {
    let s = dualAveragingInit(1);
    const s0 = { ...s };
    const [s1] = dualAveragingStep(s, 0.3, o);
    expect(s).toEqual(s0);
    expect(s1.counter).toBe(1);
    // acceptance a(ε) = exp(−ε): the fixed point of the averaging is ε* = −log 0.8.
    let eps = 1;
    for (let t = 0; t < 2000; t++) [s, eps] = dualAveragingStep(s, Math.exp(-eps), o);
    expect(dualAveragingFinal(s, eps)).toBeCloseTo(-Math.log(0.8), 2);
  });

  it('clamps the step after a run of zero acceptances and treats NaN as a rejection', () => {
    let s = dualAveragingInit(1);
    let eps = 1;
    for (let t = 0; t < 5000; t++) [s, eps] = dualAveragingStep(s, t % 2 ? 0 : NaN, o);
    expect(eps).toBeGreaterThanOrEqual(MIN_STEP_SIZE);
    expect(eps).toBeLessThan(MIN_STEP_SIZE * 1.0001);
  });
});

import { expect, test } from 'vitest';
import { hmc } from '../../src/samplers/index.js';
import { linearRegression, normalTarget, philoxRng, runChains, worstRhat, worstZ } from './helpers.js';

test('static HMC with jitter matches the exact posterior of a conjugate Bayesian linear regression', async () => {
  const { target, mean, cov } = linearRegression();
  const res = await runChains(target, 4, { seed: 11, kernel: { type: 'hmc', steps: 8, jitter: 0.2 } });
  const { z, what } = worstZ(res, mean, cov, true);
  expect(z, what).toBeLessThan(4);
  expect(worstRhat(res)).toBeLessThan(1.01);
  for (const r of res) {
    const s = r.samples!;
    const acc = s.acceptProb.reduce((a, b) => a + b, 0) / s.count;
    expect(acc).toBeGreaterThan(0.65);
    expect(acc).toBeLessThan(0.98);
    expect(s.nLeapfrog.every((n) => n === 8)).toBe(true);
    expect(s.treeDepth.every((n) => n === 0)).toBe(true);
  }
});

test('jitter draws the step size uniformly within ε(1 ± jitter)', () => {
  const k = hmc(normalTarget(2), { steps: 3, jitter: 0.25 });
  const state = k.init(Float64Array.from([0.1, 0.2]));
  const params = { stepSize: 0.4, invMetric: Float64Array.from([1, 1]) };
  const eps: number[] = [];
  for (let t = 0; t < 400; t++) eps.push(k.step(state, philoxRng(2, 0, t + 1), params).info.stepSize);
  expect(Math.min(...eps)).toBeGreaterThanOrEqual(0.3);
  expect(Math.max(...eps)).toBeLessThanOrEqual(0.5);
  expect(Math.max(...eps) - Math.min(...eps)).toBeGreaterThan(0.15);
  const fixed = hmc(normalTarget(2), { steps: 3 });
  expect(fixed.step(fixed.init(Float64Array.from([0, 0])), philoxRng(2, 0, 1), params).info.stepSize).toBe(0.4);
});

test('acceptance is a probability, a rejected proposal leaves the state unchanged, and energy ≥ potential', () => {
  const target = normalTarget(3);
  const k = hmc(target, { steps: 5 });
  const state = k.init(Float64Array.from([1, -1, 0.5]));
  const params = { stepSize: 1.9, invMetric: Float64Array.from([1, 1, 1]) }; // near the stability limit: many rejections
  let rejected = 0;
  for (let t = 0; t < 100; t++) {
    const before = Float64Array.from(state.position);
    const { info } = k.step(state, philoxRng(4, 0, t + 1), params);
    expect(info.acceptProb).toBeGreaterThanOrEqual(0);
    expect(info.acceptProb).toBeLessThanOrEqual(1);
    expect(info.energy).toBeGreaterThanOrEqual(-state.logDensity);
    if (Array.from(before).every((v, i) => v === state.position[i])) rejected++;
  }
  expect(rejected).toBeGreaterThan(0);
});

test('rejects invalid options', () => {
  expect(() => hmc(normalTarget(1), { steps: 0 })).toThrow(/steps/);
  expect(() => hmc(normalTarget(1), { steps: 3, jitter: 1 })).toThrow(/jitter/);
});

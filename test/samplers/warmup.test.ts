import { describe, expect, test } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { Hamiltonian } from '../../src/samplers/hamiltonian.js';
import { MIN_STEP_SIZE, searchStepSize, Warmup } from '../../src/samplers/index.js';
import { RAISED_TARGET_ACCEPT, type WarmupState } from '../../src/samplers/warmup.js';
import { normalTarget, philoxRng } from './helpers.js';

/** Iterations (0-based) at which the metric changes over a warmup of n. */
function updates(n: number, opts = {}): number[] {
  const w = new Warmup(1, n, opts);
  const out: number[] = [];
  for (let t = 0; t < n; t++) if (w.learnMetric(Float64Array.of(t))) out.push(t);
  return out;
}

test("Stan's windows: 75 fast, slow windows 25, 50, 100, 200, 500 (the last stretched to the terminal buffer), 50 fast", () => {
  expect(updates(1000)).toEqual([99, 149, 249, 449, 949]);
  expect(updates(2000)).toEqual([99, 149, 249, 449, 849, 1949]);
  // Too short for the defaults: 15 % / 75 % / 10 %, one window.
  expect(updates(150)).toEqual([99]);
  expect(updates(149)).toEqual([134]);
  // Below 20 iterations the metric is not adapted at all.
  expect(updates(19)).toEqual([]);
  expect(updates(1000, { adaptMetric: false })).toEqual([]);
});

test('the metric is the regularized variance of the window: (n/(n+5))·var + 1e-3·5/(n+5)', () => {
  const w = new Warmup(2, 1000);
  for (let t = 0; t < 100; t++) w.learnMetric(Float64Array.of(t, 3 * Math.sin(t)));
  // Window 75 … 99: n = 25 values t, variance n(n+1)/12.
  const n = 25;
  expect(w.params.invMetric[0]).toBeCloseTo((n / (n + 5)) * ((n * (n + 1)) / 12) + 1e-3 * (5 / (n + 5)), 10);
  let m = 0;
  for (let t = 75; t < 100; t++) m += 3 * Math.sin(t) / n;
  let v = 0;
  for (let t = 75; t < 100; t++) v += (3 * Math.sin(t) - m) ** 2 / (n - 1);
  expect(w.params.invMetric[1]).toBeCloseTo((n / (n + 5)) * v + 1e-3 * (5 / (n + 5)), 10);
});

test('dual averaging finds the step size whose acceptance is the target (accept = exp(−ε))', () => {
  const w = new Warmup(1, 2000, {}, 1);
  for (let t = 0; t < 2000; t++) w.learnStepSize(Math.exp(-w.params.stepSize));
  w.finish();
  expect(w.params.stepSize).toBeCloseTo(-Math.log(0.8), 2);
  const w95 = new Warmup(1, 2000, { targetAccept: 0.95 }, 1);
  for (let t = 0; t < 2000; t++) w95.learnStepSize(Math.exp(-w95.params.stepSize));
  w95.finish();
  expect(w95.params.stepSize).toBeCloseTo(-Math.log(0.95), 2);
});

test('the step size never collapses to 0 (or NaN) however long the acceptance is 0', () => {
  const w = new Warmup(1, 100000, {}, 1);
  let smallest = Infinity;
  for (let t = 0; t < 100000; t++) {
    w.learnStepSize(t % 2 ? 0 : NaN);
    smallest = Math.min(smallest, w.params.stepSize);
  }
  expect(smallest / MIN_STEP_SIZE).toBeCloseTo(1, 10);
  w.finish();
  expect(w.params.stepSize).toBeGreaterThanOrEqual(MIN_STEP_SIZE);
  expect(Number.isFinite(w.params.stepSize)).toBe(true);
});

test('toJSON / fromJSON carry the whole adaptation state through JSON exactly', () => {
  const a = new Warmup(3, 300, {}, 0.5);
  const feed = (w: Warmup, t: number) => {
    w.learnStepSize(0.5 + 0.4 * Math.sin(t));
    w.learnMetric(Float64Array.of(Math.cos(t), t / 7, Math.sin(3 * t)));
  };
  for (let t = 0; t < 130; t++) feed(a, t);
  const b = Warmup.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
  for (let t = 130; t < 300; t++) { feed(a, t); feed(b, t); }
  a.finish();
  b.finish();
  expect(b.toJSON()).toEqual(a.toJSON());
});

/**
 * Runs a warmup of n as runChain does (a restart after every metric update) on a 1-D position, with
 * the acceptance `accept(w)` and divergences at the iterations in `divergent`; returns δ after each iteration.
 */
function drive(w: Warmup, n: number, divergent: number[], accept = (_: Warmup) => 0.8, from = 0): number[] {
  const deltas: number[] = [];
  for (let t = from; t < n; t++) {
    w.learnStepSize(accept(w), divergent.includes(t));
    if (w.learnMetric(Float64Array.of(Math.sin(t)))) w.restartStepSize(w.params.stepSize);
    deltas.push(w.targetAccept);
  }
  return deltas;
}

describe('the divergence rule: δ = 0.8 by default, raised to 0.95 after a settled divergence in a slow window', () => {
  // Windows close after iterations 99, 149, 249, 449, 949 (test above); each restart is followed by 50 settling updates.
  test('a divergence 150 updates into the window 250 … 449 raises δ when that window closes, for the rest of warmup', () => {
    const w = new Warmup(1, 1000);
    const d = drive(w, 1000, [400]);
    expect(d[448]).toBe(0.8);
    expect(d[449]).toBe(RAISED_TARGET_ACCEPT);
    expect(d[999]).toBe(0.95);
    expect(w.targetAccept).toBe(0.95);
  });

  test('the raised δ is what dual averaging aims at: an acceptance of exactly 0.95 leaves s̄ at 0', () => {
    const w = new Warmup(1, 1000);
    drive(w, 450, [400]);
    drive(w, 460, [], () => 0.95, 450);
    expect(w.toJSON().sBar).toBe(0);
    const fixed = new Warmup(1, 1000, { targetAccept: 0.8 });
    drive(fixed, 450, [400]);
    drive(fixed, 460, [], () => 0.95, 450);
    expect(fixed.toJSON().sBar).toBeLessThan(0);
  });

  test('no raise for divergences in the initial buffer, the first window (unit metric), within 50 updates of a restart, or in the terminal buffer', () => {
    for (const t of [10, 74, 80, 99, 120, 250, 260, 299, 460, 950, 990]) {
      const w = new Warmup(1, 1000);
      expect(Math.max(...drive(w, 1000, [t]))).toBe(0.8);
    }
    // 50 updates after the restart at 249 the step size counts as settled.
    expect(drive(new Warmup(1, 1000), 1000, [300])[999]).toBe(0.95);
  });

  test('a target acceptance that was given stays fixed, whatever diverges', () => {
    for (const targetAccept of [0.8, 0.6, 0.9]) {
      const w = new Warmup(1, 1000, { targetAccept });
      expect(new Set(drive(w, 1000, [300, 400, 700, 900]))).toEqual(new Set([targetAccept]));
    }
  });

  test('the rule is part of the state: a warmup restored mid-window continues exactly, counted divergences included', () => {
    const a = new Warmup(1, 1000);
    drive(a, 310, [300]);
    expect(a.toJSON()).toMatchObject({ targetAccept: 0.8, raiseTargetAccept: true, lateDivergences: 1 });
    const s310 = JSON.parse(JSON.stringify(a.toJSON())) as WarmupState;
    const b = Warmup.fromJSON(s310);
    const da = drive(a, 1000, [], undefined, 310);
    const db = drive(b, 1000, [], undefined, 310);
    expect(db).toEqual(da);
    expect(da[449 - 310]).toBe(0.95);
    expect(b.toJSON()).toEqual(a.toJSON());
    // A state written before the rule existed: δ from its options, never raised.
    const old: Partial<WarmupState> = { ...s310, options: { ...s310.options, targetAccept: 0.85 } };
    delete old.targetAccept;
    delete old.raiseTargetAccept;
    delete old.lateDivergences;
    const c = Warmup.fromJSON(old as WarmupState);
    expect(c.targetAccept).toBe(0.85);
    expect(new Set(drive(c, 1000, [400, 700], undefined, 310))).toEqual(new Set([0.85]));
  });
});

test("the initial step-size search crosses Stan's acceptance 0.8 by doubling or halving", () => {
  const h = new Hamiltonian(normalTarget(10));
  const state = { position: new Float64Array(10).fill(0.5), logDensity: 0, grad: new Float64Array(10) };
  state.logDensity = h.logDensity(state.position, state.grad);
  const inv = new Float64Array(10).fill(1);
  for (const start of [1e-4, 1, 64]) {
    const eps = searchStepSize(h, state, inv, start, philoxRng(1, 0, 0));
    expect(Number.isInteger(Math.log2(eps / start))).toBe(true);
    expect(eps).toBeGreaterThan(0.05);
    expect(eps).toBeLessThan(4);
  }
  expect(Array.from(state.position)).toEqual(new Array(10).fill(0.5));
});

test('the search fails with a clear error, not a zero step size, when every move leaves the support', () => {
  const target = { dim: 1, logDensity: (x: Float64Array, g: Float64Array) => { g[0] = 0; return x[0] === 0.5 ? 0 : -Infinity; } };
  const h = new Hamiltonian(target);
  const state = { position: Float64Array.of(0.5), logDensity: 0, grad: Float64Array.of(0) };
  let err: unknown;
  try { searchStepSize(h, state, Float64Array.of(1), 1, philoxRng(1, 0, 0)); } catch (e) { err = e; }
  expect(err).toBeInstanceOf(BdlError);
  expect((err as BdlError).code).toBe('E_NONFINITE');
  expect((err as BdlError).message).toMatch(/gradient/);
});

test('rejects invalid settings', () => {
  expect(() => new Warmup(1, 100, { targetAccept: 1 })).toThrow(/targetAccept/);
  expect(() => new Warmup(1, 100, { kappa: 0.4 })).toThrow(/kappa/);
  expect(() => new Warmup(1, 100, { baseWindow: 0 })).toThrow(/baseWindow/);
});

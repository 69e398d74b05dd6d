import { describe, expect, test } from 'vitest';
import { essBulk } from '../../src/diagnostics/index.js';
import { linalg } from '../../src/linalg/bound.js';
import { DenseMetric } from '../../src/samplers/metric.js';
import { runChain, Warmup, type ChainCheckpoint, type ChainResult, type Target } from '../../src/samplers/index.js';
import { Arena } from '../../src/wasm/index.js';
import { normals } from '../diagnostics/prng.js';
import { gaussianTarget, gradError, invert, normalTarget, param, philoxRng, runChains, worstRhat, worstZ } from './helpers.js';

/** Equicorrelated unit-variance Gaussian: Σ = (1 − ρ)I + ρ11ᵀ. */
function equicorrelated(d: number, rho: number): Float64Array {
  const S = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) S[i * d + j] = i === j ? 1 : rho;
  return S;
}

/** Gradient evaluations per bulk effective draw, at the worst parameter. */
function gradsPerEss(res: ChainResult[]): number {
  const grads = res.reduce((s, r) => s + r.gradEvals, 0);
  let ess = Infinity;
  for (let i = 0; i < res[0].samples!.dim; i++) ess = Math.min(ess, essBulk(param(res, i)));
  return grads / ess;
}

/**
 * Logistic regression with strongly correlated predictors (each x_j = z + 0.1·e_j: pairwise
 * correlation ≈ 0.99), an intercept, N(0, 5²) priors, 200 rows: the posterior of the coefficients is
 * a long thin ridge along their differences, which a diagonal metric cannot see.
 */
function correlatedLogistic(n = 200, p = 4): Target {
  const g = normals(20260);
  const x = new Float64Array(n * p);
  const y = new Float64Array(n);
  const beta = [0.5, 1, -0.5, 0.8, 0.3];
  for (let i = 0; i < n; i++) {
    const z = g();
    let eta = beta[0];
    for (let j = 0; j < p; j++) {
      x[i * p + j] = z + 0.1 * g();
      eta += beta[j + 1] * x[i * p + j];
    }
    y[i] = (0.5 + 0.5 * Math.tanh(0.5 * eta)) > (0.5 + 0.5 * g() * 0.5) ? 1 : 0;
  }
  const dim = p + 1;
  return {
    dim,
    logDensity(b, grad) {
      let lp = 0;
      for (let k = 0; k < dim; k++) {
        lp -= (b[k] * b[k]) / 50;
        grad[k] = -b[k] / 25;
      }
      for (let i = 0; i < n; i++) {
        let eta = b[0];
        for (let j = 0; j < p; j++) eta += b[j + 1] * x[i * p + j];
        // log σ(η) for y = 1, log σ(−η) for y = 0, computed stably; d/dη = y − σ(η).
        const s = y[i] === 1 ? eta : -eta;
        lp += s > 0 ? -Math.log1p(Math.exp(-s)) : s - Math.log1p(Math.exp(s));
        const r = y[i] - 1 / (1 + Math.exp(-eta));
        grad[0] += r;
        for (let j = 0; j < p; j++) grad[j + 1] += r * x[i * p + j];
      }
      return lp;
    },
  };
}

describe('dense metric', () => {
  test('momenta, kinetic energy and velocity follow M⁻¹ = LLᵀ', async () => {
    const la = linalg(await Arena.create());
    const d = 4;
    const S = equicorrelated(d, 0.7);
    S[5] = 3; // a different scale on one axis
    const l = la.cholesky(S, d).l;
    const m = new DenseMetric(l, d);
    const p = Float64Array.from([0.3, -1.2, 0.5, 2]);
    let quad = 0;
    const v = new Float64Array(d);
    m.velocity(v, p);
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += S[i * d + j] * p[j];
      expect(v[i]).toBeCloseTo(s, 12);
      quad += p[i] * s;
    }
    expect(m.kinetic(p)).toBeCloseTo(0.5 * quad, 12);
    // p = L⁻ᵀz: then Lᵀp = z, so the kinetic energy of the momentum is ½|z|².
    const z = Float64Array.from([1, -0.5, 0.25, 2]);
    const q = Float64Array.from(z);
    m.momentumFromNormals(q);
    expect(m.kinetic(q)).toBeCloseTo(0.5 * z.reduce((a, b) => a + b * b, 0), 12);
  });

  test('ρ = 0.99, D = 10: dense gets the exact moments with far fewer gradients per effective draw than diag', async () => {
    const d = 10;
    const S = equicorrelated(d, 0.99);
    const target = gaussianTarget(invert(S, d), d);
    const dense = await runChains(target, 4, { seed: 11, adapt: { metric: 'dense' } });
    const diag = await runChains(target, 4, { seed: 11, adapt: { metric: 'diag' } });
    const { z, what } = worstZ(dense, new Float64Array(d), S, true);
    expect(z, what).toBeLessThan(4);
    expect(worstRhat(dense)).toBeLessThan(1.01);
    for (const r of dense) {
      expect(r.metric).toBe('dense');
      expect(r.divergences).toBe(0);
      // The adapted covariance is the target's, to within the noise of a 500-draw window.
      for (let i = 0; i < d * d; i++) expect(Math.abs(r.denseInvMetric![i] - S[i])).toBeLessThan(0.25);
    }
    for (const r of diag) expect(r.metric).toBe('diag');
    const ratio = gradsPerEss(diag) / gradsPerEss(dense);
    expect(ratio).toBeGreaterThan(20); // measured 85 (7.5 vs 636 gradients per effective draw)
  });

  test("'auto' picks dense on that Gaussian, and on independent coordinates stays diagonal with the very bits of 'diag'", async () => {
    const d = 10;
    const S = equicorrelated(d, 0.99);
    const corr = await runChain(gaussianTarget(invert(S, d), d), { seed: 3, warmup: 300, draws: 50, rng: philoxRng });
    expect(corr.metric).toBe('dense');
    const indep = normalTarget(d, Float64Array.from({ length: d }, (_, i) => 0.1 + i));
    const auto = await runChain(indep, { seed: 3, warmup: 300, draws: 50 });
    const diag = await runChain(indep, { seed: 3, warmup: 300, draws: 50, adapt: { metric: 'diag' } });
    expect(auto.metric).toBe('diag');
    expect(auto.samples!.draws).toEqual(diag.samples!.draws);
    expect(auto.stepSize).toBe(diag.stepSize);
    expect(auto.invMetric).toEqual(diag.invMetric);
  });

  test('correlated logistic regression with default settings: R̂ ≤ 1.01 and no divergences', async () => {
    const target = correlatedLogistic();
    expect(gradError(target, Float64Array.from([0.1, 0.2, -0.3, 0.4, 0.1]))).toBeLessThan(1e-5);
    const res = await runChains(target, 4, { seed: 1 });
    expect(worstRhat(res)).toBeLessThanOrEqual(1.01);
    expect(res.reduce((s, r) => s + r.divergences, 0)).toBe(0);
    for (const r of res) expect(r.metric).toBe('dense');
  });

  for (const kernel of [{ type: 'nuts' as const }, { type: 'hmc' as const, steps: 5, jitter: 0.1 }]) {
    test(`${kernel.type}: a dense chain resumed from a checkpoint (through JSON) gives the same bits`, async () => {
      const d = 5;
      const target = gaussianTarget(invert(equicorrelated(d, 0.95), d), d);
      const opts = { seed: 4, warmup: 200, draws: 60, kernel, adapt: { metric: 'dense' as const }, checkpointEvery: 40 };
      const cps: ChainCheckpoint[] = [];
      const straight = await runChain(target, { ...opts, onCheckpoint: (c) => cps.push(c) });
      expect(straight.metric).toBe('dense');
      for (const at of [2, 5]) { // in the warmup's slow windows (dense metric in use) and while sampling
        const cp = JSON.parse(JSON.stringify(cps[at])) as ChainCheckpoint;
        const resumed = await runChain(target, { ...opts, resumeFrom: cp });
        expect(resumed.samples!.draws).toEqual(straight.samples!.draws.slice(cp.drawsEmitted * d));
        expect(resumed.denseInvMetric).toEqual(straight.denseInvMetric);
        expect(resumed.stepSize).toBe(straight.stepSize);
      }
      expect(cps[2].adaptation.denseFactor).not.toBeNull();
      const err = await runChain(target, { ...opts, adapt: { metric: 'diag' }, resumeFrom: cps[2] }).catch((e) => e);
      expect(err.message).toMatch(/metric/);
    });
  }

  test('transitions that yield midway (interrupt.ts) replay a dense chain to the same bits', async () => {
    const d = 4;
    const inner = gaussianTarget(invert(equicorrelated(d, 0.95), d), d);
    const slow: Target = {
      dim: d,
      logDensity(q, g) {
        const until = performance.now() + 0.05;
        while (performance.now() < until) { /* a slow gradient */ }
        return inner.logDensity(q, g);
      },
    };
    const opts = { seed: 6, warmup: 120, draws: 40, adapt: { metric: 'dense' as const } };
    const ref = await runChain(inner, { ...opts, yieldEveryMs: 0 });
    const r = await runChain(slow, { ...opts, yieldEveryMs: 1 });
    expect(ref.metric).toBe('dense');
    expect(r.samples!.draws).toEqual(ref.samples!.draws);
    expect(r.denseInvMetric).toEqual(ref.denseInvMetric);
  });

  test('the dense adaptation state round-trips through JSON and continues identically', async () => {
    const la = linalg(await Arena.create());
    const d = 3;
    const a = new Warmup(d, 300, { metric: 'dense' }, 0.5, la);
    const feed = (w: Warmup, t: number) => {
      w.learnStepSize(0.5 + 0.4 * Math.sin(t));
      const u = Math.cos(t);
      w.learnMetric(Float64Array.of(u, u + 0.1 * Math.sin(7 * t), t / 50));
    };
    for (let t = 0; t < 160; t++) feed(a, t); // past the first two windows
    expect(a.metric).toBe('dense');
    const b = Warmup.fromJSON(JSON.parse(JSON.stringify(a.toJSON())), la);
    expect(b.toJSON()).toEqual(a.toJSON());
    expect(b.params.dense!.l).toEqual(a.params.dense!.l);
    for (let t = 160; t < 300; t++) { feed(a, t); feed(b, t); }
    a.finish();
    b.finish();
    expect(b.toJSON()).toEqual(a.toJSON());
    // A state written before the metric option existed restores as diagonal.
    const old = JSON.parse(JSON.stringify(new Warmup(d, 300).toJSON()));
    delete old.options.metric;
    delete old.denseInvMetric;
    delete old.denseFactor;
    expect(Warmup.fromJSON(old).metric).toBe('diag');
  });

  test("a dense or automatic warmup without the factorization, or an unknown metric, is refused", () => {
    expect(() => new Warmup(3, 100, { metric: 'dense' })).toThrow(/linalg/);
    expect(() => new Warmup(3, 100, { metric: 'full' as never })).toThrow(/metric/);
  });
});

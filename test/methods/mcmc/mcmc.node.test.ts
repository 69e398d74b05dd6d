import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../../src/data/dataset.js';
import { applyStandardizer } from '../../../src/data/standardize.js';
import { mcseMean } from '../../../src/diagnostics/index.js';
import { trainHmc, trainNuts, type PredictiveTrace } from '../../../src/methods/mcmc/mcmc.js';
import type { SamplesPosterior } from '../../../src/methods/samples.js';
import { posteriorFromBytes } from '../../../src/posterior/serialize.js';

/** A small linear-Gaussian data set: the no-hidden-layer network's posterior is N(m, S) in closed form. */
function linearData() {
  let s = 12345;
  const r = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const n = 30;
  const x = Array.from({ length: n }, () => [r(), 2 * r(), r() + 3]);
  const y = x.map(([a, b, c], i) => 1.5 * a - 0.7 * b + 0.2 * c + 0.4 * Math.sin(7 * i) + 2);
  return makeDataset(x, y);
}

/** Exact posterior mean and variances: S⁻¹ = λI + ΦᵀΦ/σ², m = SΦᵀy/σ², Φ = [X, 1] (θ = [w, b]). */
function exact(x: Float32Array, y: Float32Array, n: number, d: number, lambda: number, noiseVar: number) {
  const p = d + 1;
  const A = new Float64Array(p * p);
  const v = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const phi = [...Array.from(x.subarray(i * d, (i + 1) * d)), 1];
    for (let a = 0; a < p; a++) {
      v[a] += (phi[a] * y[i]) / noiseVar;
      for (let b = 0; b < p; b++) A[a * p + b] += (phi[a] * phi[b]) / noiseVar;
    }
  }
  for (let a = 0; a < p; a++) A[a * p + a] += lambda;
  // Gauss–Jordan inverse (p = 4).
  const M = Array.from({ length: p }, (_, i) => [...Array.from(A.subarray(i * p, (i + 1) * p)), ...Array.from({ length: p }, (_, j) => +(i === j))]);
  for (let c = 0; c < p; c++) {
    const piv = M[c][c];
    for (let j = 0; j < 2 * p; j++) M[c][j] /= piv;
    for (let i = 0; i < p; i++) if (i !== c) { const f = M[i][c]; for (let j = 0; j < 2 * p; j++) M[i][j] -= f * M[c][j]; }
  }
  const Sinv = M.map((row) => row.slice(p));
  return { mean: Sinv.map((row) => row.reduce((s, a, j) => s + a * v[j], 0)), variance: Sinv.map((row, i) => row[i]) };
}

describe('HMC and NUTS methods', () => {
  it('classification: traces the probability of the class the posterior predicts at x* (default: the first 3 training rows), checks traceAt', async () => {
    const x: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 40; i++) {
      const u = (i % 10) / 10 - 0.45;
      x.push([u + (i % 2 ? 1 : -1), u]);
      y.push(i % 2);
    }
    const data = makeDataset(x, y);
    const opts = { task: 'classification' as const, hidden: [], chains: 2, warmup: 60, draws: 20, keep: 20, seed: 1, poolSize: 0, epochs: 5, steps: 4 };
    const post = (await trainHmc(data, opts)) as SamplesPosterior;
    const traces = post.info.traces as PredictiveTrace[];
    expect(traces).toHaveLength(3);
    const probs = ((await post.predict(data.x.slice(0, 6))) as { probs: Float64Array }).probs;
    traces.forEach((t, j) => {
      const cls = probs[2 * j] > probs[2 * j + 1] ? 0 : 1;
      expect(t.label).toBe(`p(class ${cls} | x*${j + 1})`);
      const all = t.chains.flat();
      expect(all.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(all.reduce((a, b) => a + b, 0) / all.length).toBeCloseTo(probs[2 * j + cls], 4);
      expect(Number.isFinite(t.rhat) && Number.isFinite(t.essBulk)).toBe(true);
    });
    await expect(trainHmc(data, { ...opts, traceAt: new Float32Array(3) })).rejects.toThrow(/traceAt/);
  });

  for (const [name, train] of [['nuts', trainNuts], ['hmc', trainHmc]] as const) {
    it(`${name}: conjugate Bayesian linear regression, posterior means within 4 MCSE and variances within 25 %`, async () => {
      const data = linearData();
      const noise = 0.5;
      const x = new Float32Array([0.1, 0.2, 3, -1, 1, 2.5]);
      const post = (await train(data, { hidden: [], noise, chains: 2, warmup: 300, draws: 600, keep: 600, seed: 3, poolSize: 0, epochs: 5, steps: 8, traceAt: x })) as SamplesPosterior;
      const std = applyStandardizer(post.standardizer!, data);
      const { mean, variance } = exact(std.x, std.y, data.n, 3, 1, post.noiseVar);
      expect(post.noiseVar).toBeCloseTo((noise / post.standardizer!.yStd![0]) ** 2, 10);
      const P = 4;
      const perChain = post.count / 2;
      for (let k = 0; k < P; k++) {
        const chains = [0, 1].map((c) => Float64Array.from({ length: perChain }, (_, i) => post.samples[(c * perChain + i) * P + k]));
        const all = [...chains[0], ...chains[1]];
        const m = all.reduce((a, b) => a + b, 0) / all.length;
        const v = all.reduce((a, b) => a + (b - m) ** 2, 0) / (all.length - 1);
        expect(Math.abs(m - mean[k])).toBeLessThan(4 * mcseMean(chains));
        expect(Math.abs(v / variance[k] - 1)).toBeLessThan(0.25);
      }
      expect(post.info.rhatMax as number).toBeLessThan(1.02);
      // Predictive and the binary format.
      const p1 = await post.predict(x);
      const back = await posteriorFromBytes(post.toBytes());
      expect(back.method).toBe(name);
      const p2 = await back.predict(x);
      expect(p2).toEqual(p1);
      if (p1.kind !== 'regression') throw new Error('regression expected');
      expect(p1.epistemic[0]).toBeGreaterThan(0);
      // The traces of f(x*): per chain, every kept draw's mean at x*, in target units — so their
      // average over all draws is the predictive mean there — with R̂ and ESS of that quantity.
      const traces = post.info.traces as PredictiveTrace[];
      expect(traces.map((t) => t.label)).toEqual(['mean f(x*1)', 'mean f(x*2)']);
      traces.forEach((t, j) => {
        expect(t.chains.map((c) => c.length)).toEqual([perChain, perChain]);
        const all = t.chains.flat();
        expect(all.reduce((a, b) => a + b, 0) / all.length).toBeCloseTo(p1.mean[j], 3);
        expect(t.rhat).toBeLessThan(1.02);
        expect(t.essBulk).toBeGreaterThan(100);
      });
      expect(post.info.rhatPredictive).toBe(Math.max(...traces.map((t) => t.rhat)));
      expect(post.info.essPredictive).toBe(Math.min(...traces.map((t) => t.essBulk)));
    });
  }
});

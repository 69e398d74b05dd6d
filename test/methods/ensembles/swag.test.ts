import { describe, expect, it } from 'vitest';
import { makeDataset, type Dataset } from '../../../src/data/dataset.js';
import { applyStandardizer, fitStandardizer } from '../../../src/data/standardize.js';
import { trainMultiSwag, trainSwa, trainSwag } from '../../../src/methods/ensembles/swag.js';
import { trainMap } from '../../../src/methods/map.js';
import { NetworkPosterior } from '../../../src/posterior/network-posterior.js';
import { SwagSource } from '../../../src/posterior/sources/swag.js';
import { resolveRunOptions, runSwagMember } from '../../../src/methods/ensembles/swag-moments.js';
import { defaultEpochs } from '../../../src/methods/common.js';
import { posteriorFromBytes } from '../../../src/posterior/restore.js';
import type { Predictive, RegressionPredictive } from '../../../src/posterior/types.js';
import { Rng } from '../../../src/random/index.js';
import { BdlError } from '../../../src/errors.js';
import { gapContrast, gapData as sharedGapData, gapGrid } from '../helpers.js';

function reg(p: Predictive): RegressionPredictive {
  if (p.kind !== 'regression') throw new Error('regression expected');
  return p;
}

/** y = 1 + x·w + noise with correlated inputs. */
function linearData(n: number, w: number[], noise: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = 2 * rng.uniform() - 1;
    const row = w.map((_, j) => (j === 0 ? a : 0.6 * a + (2 * rng.uniform() - 1)));
    x.push(row);
    const g = Math.sqrt(-2 * Math.log(rng.uniform())) * Math.cos(2 * Math.PI * rng.uniform());
    y.push(1 + row.reduce((s, v, j) => s + v * w[j], 0) + noise * g);
  }
  return makeDataset(x, y);
}

/** Solves A x = b (A small, symmetric positive definite) by Gaussian elimination. */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < n; c++) {
    for (let r = c + 1; r < n; r++) {
      const f = M[r][c] / M[c][c];
      for (let k = c; k <= n; k++) M[r][k] -= f * M[c][k];
    }
  }
  const x = new Array(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r][n];
    for (let k = r + 1; k < n; k++) s -= M[r][k] * x[k];
    x[r] = s / M[r][r];
  }
  return x;
}

describe('SWAG on a conjugate Bayesian linear regression', () => {
  it("matches the exact posterior mean (θ = [W (d×1), b], in the method's standardized space)", async () => {
    const d = 3;
    const noise = 0.5;
    const data = linearData(300, [2, -1, 0.5], noise, 11);
    const lambda = 1;
    const post = await trainSwag(data, { hidden: [], noise, priorPrecision: lambda, epochs: 400, swaStart: 40, swaLearningRate: 0.01, collectEvery: 3, seed: 3 });
    // The exact posterior of the same model: standardized x and y, σ² in standardized units, N(0, 1/λ) prior on W and b.
    const s = fitStandardizer(data, true);
    const z = applyStandardizer(s, data);
    const s2 = (noise / s.yStd![0]) ** 2;
    const P = d + 1;
    const A = Array.from({ length: P }, (_, i) => Array.from({ length: P }, (_, j) => (i === j ? lambda : 0)));
    const rhs = new Array(P).fill(0);
    for (let i = 0; i < z.n; i++) {
      const phi = [...z.x.subarray(i * d, i * d + d), 1];
      for (let a = 0; a < P; a++) {
        rhs[a] += (phi[a] * z.y[i]) / s2;
        for (let b = 0; b < P; b++) A[a][b] += (phi[a] * phi[b]) / s2;
      }
    }
    const m = solve(A, rhs);
    const sd = Array.from({ length: P }, (_, i) => Math.sqrt(solve(A, A.map((_, j) => (j === i ? 1 : 0)))[i]));
    const mean = post.source.members[0].mean;
    for (let i = 0; i < P; i++) expect(Math.abs(mean[i] - m[i])).toBeLessThan(0.1 * sd[i]);
    expect(post.source.members[0].count).toBe(((400 - 40) * 10) / 3);
    expect(post.source.members[0].rank).toBe(20);
  });
});

describe('SWAG sampling', () => {
  it('reproduces scale·(diag(σ²) + DDᵀ/(K−1)) from many draws (D rows are deviations; σ is a std)', async () => {
    const P = 5;
    const K = 4;
    const rng = new Rng(5);
    const sigma = Float32Array.from([0.3, 0.5, 0.2, 0.7, 0.4]);
    // Rank-K deviations with strong, asymmetric correlations between weights.
    const dev = new Float32Array(K * P);
    for (let k = 0; k < K; k++) {
      const g = 2 * rng.uniform() - 1;
      for (let i = 0; i < P; i++) dev[k * P + i] = g * (i + 1) * 0.3 + (i === k ? 0.4 : 0);
    }
    const mean = Float32Array.from([1, -2, 0.5, 0, 3]);
    const scale = 0.5;
    const spec = { inputs: 4, hidden: [], outputs: 1, activation: 'relu' as const, likelihood: 'gaussian' as const };
    const post = new NetworkPosterior('swag', spec, undefined, new SwagSource([{ mean, sigma, dev, rank: K, count: 30, noiseVar: 1 }], { scale, samples: 30, diagonal: false }));
    const n = 40000;
    const draws = await post.sampleWeights!(n, 9);
    const mu = new Float64Array(P);
    for (const t of draws) for (let i = 0; i < P; i++) mu[i] += t[i] / n;
    for (let i = 0; i < P; i++) {
      for (let j = 0; j < P; j++) {
        let c = 0;
        for (const t of draws) c += (t[i] - mu[i]) * (t[j] - mu[j]);
        c /= n - 1;
        let low = 0;
        for (let k = 0; k < K; k++) low += dev[k * P + i] * dev[k * P + j];
        const want = scale * ((i === j ? sigma[i] ** 2 : 0) + low / (K - 1));
        const wantII = scale * (sigma[i] ** 2 + Array.from({ length: K }, (_, k) => dev[k * P + i] ** 2).reduce((a, b) => a + b) / (K - 1));
        const wantJJ = scale * (sigma[j] ** 2 + Array.from({ length: K }, (_, k) => dev[k * P + j] ** 2).reduce((a, b) => a + b) / (K - 1));
        // Sampling error of a covariance ≈ √((Σii Σjj + Σij²)/n): allow 5 of those.
        expect(Math.abs(c - want)).toBeLessThan(5 * Math.sqrt((wantII * wantJJ + want * want) / n));
      }
      expect(Math.abs(mu[i] - mean[i])).toBeLessThan(5 * Math.sqrt(scale * (sigma[i] ** 2 + 10) / n));
    }
  });

  it('gives SWAG-diag draws of variance scale·σ² per weight, independent', async () => {
    const spec = { inputs: 2, hidden: [], outputs: 1, activation: 'relu' as const, likelihood: 'gaussian' as const };
    const sigma = Float32Array.from([0.2, 2, 0.5]);
    const post = new NetworkPosterior('swag', spec, undefined, new SwagSource([{ mean: new Float32Array(3), sigma, dev: new Float32Array(0), rank: 0, count: 5, noiseVar: 1 }], { scale: 1, samples: 30, diagonal: true }));
    const n = 20000;
    const draws = await post.sampleWeights!(n, 1);
    for (let i = 0; i < 3; i++) {
      let v = 0;
      for (const t of draws) v += t[i] ** 2 / n;
      expect(Math.abs(v / sigma[i] ** 2 - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    }
  });
});

/** y = sin(x) + noise, x in [−4, −2] ∪ [2, 4]. */
function gapData(seed: number): Dataset {
  const rng = new Rng(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < 160; i++) {
    const a = (2 + 2 * rng.uniform()) * (i % 2 ? 1 : -1);
    x.push([a]);
    y.push(Math.sin(a) + 0.1 * (rng.uniform() + rng.uniform() + rng.uniform() - 1.5));
  }
  return makeDataset(x, y);
}

describe('SWAG on a 1-D regression with a gap', () => {
  const onData = [-3.5, -2.5, 2.5, 3.5];
  const inGap = [-1, 0, 1];
  const mean = (v: Float64Array, from: number, to: number) => v.subarray(from, to).reduce((a, b) => a + b, 0) / (to - from);
  let p: RegressionPredictive;

  it('has more epistemic variance far outside the data than on it', async () => {
    const post = await trainSwag(gapData(4), { hidden: [50], seed: 2 });
    p = reg(await post.predict(Float32Array.from([...onData, ...inGap, -7, 7]), { samples: 60 }));
    expect(mean(p.epistemic, 0, 4)).toBeGreaterThan(0);
    expect(Math.min(p.epistemic[7], p.epistemic[8])).toBeGreaterThan(2 * mean(p.epistemic, 0, 4));
  });

  // Known failure, kept visible: a single-mode Gaussian over a ReLU net whose draws keep their kinks
  // outside the gap interpolates linearly across it, so Var f(gap) ≤ max Var f(edges) (Foong et al.
  // 2019, "in-between" uncertainty). Measured here, the gap's epistemic variance was 0.2–0.6× that on
  // the data for SWAG and MultiSWAG alike; on the other tests' gap data (helpers.ts) 0.07–0.86 for
  // SWAG over seeds, widths, depths, tanh and a 4× collection rate (≤ 1.13 with cyclical rates up to
  // 0.2 and 200 collection epochs), MultiSWAG (4 members) 0.08–2.9 at the default rate.
  // SGD's noise has the gradient's covariance, so the trajectory moves in the directions the data
  // constrain and barely in those that set f in the gap. Split into SWAG's two halves (2026-12-02, on
  // helpers.ts' gap data, 1×50 and 2×32, three seeds): the diagonal part alone gave 0.03–0.10, the
  // low-rank part alone 0.1–1.3 — independent per-weight draws break the correlations that keep f on
  // the data. NUTS over all weights of SWAG's model (same prior, σ = 1 in standardized units) on this
  // test's data gives 28, so the shortfall is SWAG's, not the model's; `trainSubspace`
  // (subspace.test.ts) samples the exact posterior along the trajectory's principal directions and
  // gives 46–95 on this data, 11–16 on helpers.ts'. This test starts failing (i.e. `it.fails` reports) the day
  // it holds.
  it.fails('has more epistemic variance in the gap than on the data (known failure: in-between uncertainty)', () => {
    expect(mean(p.epistemic, 4, 7)).toBeGreaterThan(mean(p.epistemic, 0, 4));
  });

  // MultiSWAG does have it, on the gap data the other methods' tests share: its members sit in
  // different modes that agree on the data and not between (an ensemble's spread), and each member's
  // own spread, ∝ the collection rate, stays on the data. At the default rate 0.05 the members' own
  // spread still outweighs the ensemble's (gap/data 0.3–2.9 with two hidden layers); at 0.01 the
  // ratio measured 5.8–76 over eight seeds.
  it('MultiSWAG has more epistemic variance in the gap than on the data (two hidden layers, collection rate 0.01)', async () => {
    for (const seed of [1, 2]) {
      const post = await trainMultiSwag(sharedGapData(120, 4), { hidden: [32, 32], swaLearningRate: 0.01, members: 5, seed });
      const c = gapContrast(reg(await post.predict(gapGrid, { samples: 100 })).epistemic, gapGrid);
      expect(c.gap).toBeGreaterThan(2 * c.data);
    }
  });
});

describe('SWAG run defaults', () => {
  it('burn in for the step budget, then collect 40 epochs at 0.05; an explicit length keeps the half/half split', () => {
    for (const n of [100, 455, 1439, 20000]) {
      const o = resolveRunOptions({}, n);
      expect(o.swaStart).toBe(defaultEpochs(n));
      expect(o.epochs).toBe(defaultEpochs(n) + 40);
      expect(o.swaLearningRate).toBe(0.05);
    }
    expect(resolveRunOptions({ epochs: 80 }, 455)).toMatchObject({ epochs: 80, swaStart: 40 });
    expect(resolveRunOptions({ swaStart: 10 }, 455)).toMatchObject({ epochs: 50, swaStart: 10 });
    expect(resolveRunOptions({ batchSize: 8 }, 455).swaStart).toBe(defaultEpochs(455, 8));
    // Classification collects at 0.01 (0.05 diverges on Fashion-MNIST); a given rate is kept either way.
    expect(resolveRunOptions({}, 455, true).swaLearningRate).toBe(0.01);
    expect(resolveRunOptions({ swaLearningRate: 0.05 }, 455, true).swaLearningRate).toBe(0.05);
    expect(resolveRunOptions({ swaLearningRate: 0.02 }, 455).swaLearningRate).toBe(0.02);
  });
});

describe('SWA, SWAG, MultiSWAG posteriors', () => {
  const data = linearData(120, [1, -1], 0.3, 7);
  const x = Float32Array.from([0.2, -0.4, 1.5, 0.3, -1, 1]);

  it('restore from bytes with identical predictions for the same seed', async () => {
    const posts = [
      await trainSwa(data, { hidden: [8], epochs: 10, seed: 1 }),
      await trainSwag(data, { hidden: [8], epochs: 30, seed: 1, rank: 5 }),
      await trainSwag(data, { hidden: [8], epochs: 10, seed: 1, diagonal: true }),
      await trainMultiSwag(data, { hidden: [8], epochs: 12, seed: 1, members: 2, rank: 3, collectEvery: 2 }),
    ];
    for (const post of posts) {
      const again = await posteriorFromBytes(post.toBytes());
      expect(again.method).toBe(post.method);
      const a = reg(await post.predict(x, { seed: 4, samples: 7 }));
      const b = reg(await again.predict(x, { seed: 4, samples: 7 }));
      expect(Array.from(b.mean)).toEqual(Array.from(a.mean));
      expect(Array.from(b.variance)).toEqual(Array.from(a.variance));
      const c = reg(await again.predict(x, { seed: 5, samples: 7 }));
      if (post.method === 'swa') expect(Array.from(c.epistemic)).toEqual([0, 0, 0]);
      else expect(Array.from(c.mean)).not.toEqual(Array.from(a.mean));
    }
  });

  it('MultiSWAG members are the pure member runs (stream = member index), mixed uniformly', async () => {
    const opts = { hidden: [4], epochs: 8, seed: 3, rank: 3, members: 2 };
    const post = await trainMultiSwag(data, opts);
    expect(post.source.members.length).toBe(2);
    const spec = post.spec;
    const m1 = await runSwagMember(spec, { epochs: 8, rank: 3 }, 3, 1, { x: data.x, y: data.y });
    expect(Array.from(post.source.members[1].mean)).toEqual(Array.from(m1.mean));
    expect(Array.from(post.source.members[1].dev)).toEqual(Array.from(m1.dev));
    expect(Array.from(post.source.members[0].mean)).not.toEqual(Array.from(m1.mean));
    const p = reg(await post.predict(x, { samples: 3 }));
    expect(p.members!.count).toBe(6);
  });

  it('rejects bad options with typed errors before training', async () => {
    const bad: [() => Promise<unknown>, string][] = [
      [() => trainSwag(data, { rank: 1 }), 'rank'],
      [() => trainSwag(data, { epochs: 10, swaStart: 10 }), 'swaStart'],
      [() => trainSwag(data, { scale: -1 }), 'scale'],
      [() => trainSwag(data, { samples: 0 }), 'samples'],
      [() => trainSwag(data, { momentum: 1 }), 'momentum'],
      [() => trainSwag(data, { schedule: 'step' as 'constant' }), 'schedule'],
      [() => trainSwag(data, { swaLearningRate: 0 }), 'swaLearningRate'],
      [() => trainSwag(data, { learningRate: (() => 1) as unknown as number }), 'learningRate'],
      [() => trainSwag(data, { epochs: 2, collectEvery: 1000 }), 'collectEvery'],
      [() => trainMultiSwag(data, { members: 0 }), 'members'],
    ];
    for (const [f, arg] of bad) {
      const e = await f().then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(BdlError);
      expect((e as BdlError).code).toBe('E_ARG');
      expect((e as BdlError).argument).toBe(arg);
    }
    const post = await trainSwag(data, { hidden: [4], epochs: 4, rank: 2 });
    await expect(post.predict(x, { samples: 1.5 })).rejects.toMatchObject({ code: 'E_ARG', argument: 'samples' });
    await expect(posteriorFromBytes(post.toBytes().subarray(0, 200))).rejects.toMatchObject({ code: 'E_FORMAT' });
  });
});

describe("SWAG's default σ and burn-in on a small regression set (swag.ts heldOutMixtureOf, heldOutChoice)", () => {
  it('is the held-out mixture optimum of NOISE_ROWS rows in disjoint blocks, not the residual at θ̄ of the rows it trained on; the means are the same run', async () => {
    // Two of three inputs are noise and the network is wide: it fits its own rows' noise, so the
    // residual at θ̄ is below what held-out rows see. 240 rows: blocks of 24, 10 of them.
    const rng = new Rng(7, 2);
    const xs = Array.from({ length: 240 }, () => [2 * rng.uniform() - 1, rng.normal(), rng.normal()]);
    const data = makeDataset(xs, xs.map(([v]) => 5 + 3 * v + rng.normal()));
    const x = Float32Array.from(xs.flat());
    const run = async (o: Record<string, unknown>) => (await (await trainSwag(data, { hidden: [64], seed: 1, learningRate: 3e-3, ...o })).predict(x, { seed: 1 })) as RegressionPredictive;
    // The fixed burn-in (the one without held-out rows): the blocks may choose MAP's length otherwise (next test).
    const held = await run({ swaStart: defaultEpochs(240) });
    const residual = await run({ validationFraction: 0 });
    expect(Array.from(held.mean)).toEqual(Array.from(residual.mean));
    expect(held.aleatoric[0]).toBeGreaterThan(1.1 * residual.aleatoric[0]);
  });

  it("burns in for MAP's early-stopped length when its held-out blocks score better than the fixed budget's", async () => {
    // y = sin(3x₀) + x₁/2 on 300 rows of 4 inputs, nearly noiseless: the fixed budget (400 epochs) underfits.
    const rng = new Rng(5, 0);
    const xs = Array.from({ length: 300 }, () => Array.from({ length: 4 }, () => rng.normal()));
    const data = makeDataset(xs, xs.map((v) => Math.sin(3 * v[0]) + 0.5 * v[1] + 0.01 * rng.normal()));
    // 32 hidden units: the longer burn-in's blocks score 0.027 nats a row higher (with 16 the margin was
    // 0.0002, and Chromium's run chose the other way).
    const o = { hidden: [32], seed: 1 };
    // MAP's kept epochs: the length of its second run (the refit on every row).
    const runs: number[] = [];
    await trainMap(data, { ...o, onProgress: (p) => (p.epoch === 1 ? runs.push(1) : runs[runs.length - 1]++) });
    const E = runs[1];
    expect(E).toBeGreaterThan(defaultEpochs(300));
    const mean = async (p: { source: SwagSource }) => Array.from(p.source.members[0].mean);
    const chosen = await mean(await trainSwag(data, o));
    expect(chosen).toEqual(await mean(await trainSwag(data, { ...o, swaStart: E })));
    expect(chosen).not.toEqual(await mean(await trainSwag(data, { ...o, swaStart: defaultEpochs(300) })));
  });
});

import { describe, expect, it } from 'vitest';
import { applyStandardizer, fitStandardizer } from '../../../src/data/standardize.js';
import { principalBasis, trainSubspace } from '../../../src/methods/mcmc/subspace.js';
import { BdlError } from '../../../src/errors.js';
import { eigh } from '../../../src/linalg/eigh.js';
import { Arena } from '../../../src/wasm/index.js';
import { exactPosterior, expectRoundTrip, gapContrast, gapData, gapGrid, linearData } from '../helpers.js';

describe('principalBasis', () => {
  it('returns orthonormal directions spanning the deviations, the largest-variance one first', async () => {
    const arena = await Arena.create();
    const P = 6;
    const K = 8;
    // D = a·(3e₀)ᵀ + b·(e₁ + e₂)ᵀ + c·e₅ᵀ with mutually orthogonal ±1 sequences a, b, c (Walsh): its right
    // singular directions are e₀, (e₁ + e₂)/√2 and e₅, with singular values in the ratio 3 : √2 : 1.
    const walsh = (k: number, period: number) => (Math.floor(k / period) % 2 === 0 ? 1 : -1);
    const dev = new Float32Array(K * P);
    for (let k = 0; k < K; k++) {
      dev[k * P] = 3 * walsh(k, 1);
      dev[k * P + 1] = dev[k * P + 2] = walsh(k, 2);
      dev[k * P + 5] = walsh(k, 4);
    }
    const basis = principalBasis({ dev, rank: K, mean: new Float32Array(P) }, 5, (g, k) => eigh(arena, g, k));
    expect(basis.dim).toBe(3);
    expect(basis.explained).toBeCloseTo(1, 10);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        let dot = 0;
        for (let p = 0; p < P; p++) dot += basis.u[i * P + p] * basis.u[j * P + p];
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 6);
      }
      // Inside the span: nothing on coordinates 3 and 4.
      expect(Math.abs(basis.u[i * P + 3]) + Math.abs(basis.u[i * P + 4])).toBeLessThan(1e-6);
    }
    const want = [[1, 0, 0, 0, 0, 0], [0, Math.SQRT1_2, Math.SQRT1_2, 0, 0, 0], [0, 0, 0, 0, 0, 1]];
    want.forEach((w, i) => expect(Math.abs(w.reduce((s, v, p) => s + v * basis.u[i * P + p], 0))).toBeCloseTo(1, 6));
    const two = principalBasis({ dev, rank: K, mean: new Float32Array(P) }, 2, (g, k) => eigh(arena, g, k));
    expect(two.dim).toBe(2);
    expect(two.explained).toBeLessThan(1);
  });
});

describe('subspace inference on a conjugate Bayesian linear regression', () => {
  // No hidden layer: θ = [w (3), b] has 4 coordinates and SWAG keeps 20 deviations, so the subspace is
  // all of ℝ⁴ and the method is NUTS on the exact Gaussian posterior (in its standardized space).
  it('matches the exact posterior mean and variances', async () => {
    const sigma = 0.5;
    const lambda = 1;
    const train = linearData(200, 3, sigma, 5, 0.6);
    const post = await trainSubspace(train, { hidden: [], noise: sigma, priorPrecision: lambda, draws: 1000, keep: 1000, seed: 2 });
    expect(post.info.dimension).toBe(4);
    expect(post.info.warnings).toEqual([]);
    const s = fitStandardizer(train, true);
    const exact = exactPosterior(applyStandardizer(s, train), sigma / s.yStd![0], lambda);
    const P = 4;
    const S = post.source.draws;
    for (let i = 0; i < P; i++) {
      let m = 0;
      for (let k = 0; k < S; k++) m += post.source.samples[k * P + i] / S;
      let v = 0;
      for (let k = 0; k < S; k++) v += (post.source.samples[k * P + i] - m) ** 2 / (S - 1);
      const sd = Math.sqrt(exact.cov[i * P + i]);
      // 2000 NUTS draws (bulk ESS ~1900 here): Monte Carlo error ~0.023 sd on the mean and ~3 % on the
      // variance; allow 5 of those.
      expect(Math.abs(m - exact.mean[i])).toBeLessThan(0.12 * sd);
      expect(v / exact.cov[i * P + i]).toBeGreaterThan(0.85);
      expect(v / exact.cov[i * P + i]).toBeLessThan(1.17);
    }
  });
});

describe('subspace inference on a 1-D regression with a gap', () => {
  // SWAG's own Gaussian puts less epistemic variance in the gap than on the data (swag.test.ts);
  // the posterior restricted to its trajectory's span puts 10–100× more (NUTS over all weights: ~30×).
  it('has more epistemic variance in the gap than on the data', async () => {
    for (const seed of [1, 2]) {
      const post = await trainSubspace(gapData(120, 4), { hidden: [50], seed });
      const p = await post.predict(gapGrid);
      if (p.kind !== 'regression') throw new Error('regression expected');
      const c = gapContrast(p.epistemic, gapGrid);
      expect(c.gap).toBeGreaterThan(3 * c.data);
    }
  });
});

describe('subspace posterior', () => {
  const train = linearData(60, 2, 0.3, 7);
  const opts = { hidden: [6], epochs: 30, warmup: 100, draws: 100, keep: 20, seed: 4 };

  it('is deterministic for a seed, reports its sampler, and restores from bytes with identical predictions', async () => {
    const a = await trainSubspace(train, opts);
    const b = await trainSubspace(train, opts);
    expect(Array.from(b.source.samples)).toEqual(Array.from(a.source.samples));
    expect(a.source.draws).toBe(40);
    expect(a.info).toMatchObject({ dimension: 10, chains: 2, keptPerChain: 20 });
    expect(a.info.rhatMax).toBeGreaterThan(0.9);
    await expectRoundTrip(a, 'swag-subspace', Float32Array.from([0.1, -0.4, 1.2, 0.3]), 9);
  });

  it('conditions on predictiveNoise when given (what --tune chooses on validation)', async () => {
    const post = await trainSubspace(train, { ...opts, predictiveNoise: 0.7 });
    expect(post.info.noiseStd).toBeCloseTo(0.7, 5);
  });

  it('rejects bad options with typed errors before training', async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ dimension: 0 }, 'dimension'],
      [{ dimension: 21 }, 'dimension'],
      [{ rank: 4, dimension: 5 }, 'dimension'],
      [{ chains: 0 }, 'chains'],
      [{ draws: 1.5 }, 'draws'],
      [{ temperature: 0 }, 'temperature'],
      [{ likelihood: 'heteroscedastic' }, 'likelihood'],
    ];
    for (const [o, arg] of bad) {
      const e = await trainSubspace(train, { ...opts, ...o }).then(() => undefined, (err: unknown) => err);
      expect(e).toBeInstanceOf(BdlError);
      expect((e as BdlError).argument).toBe(arg);
    }
  });

  it('stops when its signal is aborted', async () => {
    const controller = new AbortController();
    let reports = 0;
    const run = trainSubspace(train, { ...opts, signal: controller.signal, onProgress: (p) => { if (p.task === 0 && ++reports === 2) controller.abort(); } });
    await expect(run).rejects.toMatchObject({ code: 'E_ABORTED' });
  });
});

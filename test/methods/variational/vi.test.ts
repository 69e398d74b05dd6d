import { describe, expect, it } from 'vitest';
import { BdlError } from '../../../src/errors.js';
import { makeDataset } from '../../../src/data/dataset.js';
import { Mlp } from '../../../src/model/mlp.js';
import { afterWarmup, klWarmupOf, trainVi, viObjective, VI_LEARNING_RATES } from '../../../src/methods/variational/vi.js';
import { Rng } from '../../../src/random/index.js';
import { DEFAULT_STEPS, fitOptionsOf } from '../../../src/methods/common.js';
import { cosine } from '../../../src/train/schedules.js';
import type { LoopContext } from '../../../src/train/fit.js';
import { exactPosterior, expectEarlyStopping, expectRefit, gapContrast, gapData, gapGrid, linearData, expectRoundTrip } from '../helpers.js';

const softplus = (r: number) => Math.max(r, 0) + Math.log1p(Math.exp(-Math.abs(r)));

async function conjugate(rho: number) {
  const sigma = 0.5;
  const lambda = 1;
  const train = linearData(60, 2, sigma, 3, rho);
  const post = await trainVi(train, {
    hidden: [], noise: sigma, standardize: false, priorPrecision: lambda,
    epochs: 4000, batchSize: 60, learningRate: cosine(2e-2, 1e-4), seed: 1,
  });
  return { post, exact: exactPosterior(train, sigma, lambda) };
}

describe('mean-field VI on a conjugate Bayesian linear regression', () => {
  it('matches the exact mean; its variances are the inverse diagonal precision, below the exact marginals (correlated design)', async () => {
    const { post, exact } = await conjugate(0.9);
    const P = 3;
    const sd = post.source.sigma;
    for (let i = 0; i < P; i++) {
      const exactSd = Math.sqrt(exact.cov[i * P + i]);
      expect(Math.abs(post.source.mu[i] - exact.mean[i])).toBeLessThan(0.25 * exactSd);
      // The mean-field optimum: σᵢ² = 1/Λᵢᵢ ≤ (Λ⁻¹)ᵢᵢ.
      expect(sd[i]).toBeCloseTo(1 / Math.sqrt(exact.prec[i * P + i]), 2);
    }
    // The two correlated weights: mean-field underestimates clearly.
    for (const i of [0, 1]) expect(sd[i] ** 2).toBeLessThan(0.5 * exact.cov[i * P + i]);
  });

  it('recovers the exact marginal variances on an uncorrelated design', async () => {
    const { post, exact } = await conjugate(0);
    const P = 3;
    post.source.sigma.forEach((s, i) => {
      expect(Math.abs(post.source.mu[i] - exact.mean[i])).toBeLessThan(0.25 * Math.sqrt(exact.cov[i * P + i]));
      expect(s ** 2 / exact.cov[i * P + i]).toBeGreaterThan(0.8);
      expect(s ** 2 / exact.cov[i * P + i]).toBeLessThan(1.05);
    });
  });
});

describe('VI defaults', () => {
  it('warms the KL in over DEFAULT_STEPS steps when stopping early, not with a fixed epochs budget; a given klWarmup wins', () => {
    expect(klWarmupOf({}, fitOptionsOf({}, 0, 5000, true))).toBe(DEFAULT_STEPS);
    expect(klWarmupOf({}, fitOptionsOf({ epochs: 20 }, 0, 5000, true))).toBe(0);
    expect(klWarmupOf({}, fitOptionsOf({ validationFraction: 0 }, 0, 5000, true))).toBe(0);
    expect(klWarmupOf({ klWarmup: 10 }, fitOptionsOf({ epochs: 20 }, 0, 5000, true))).toBe(10);
  });

  it('stops early on held-out rows (at 4× the patience) and restores the best epoch; runs the given epochs when told', async () => {
    await expectEarlyStopping(trainVi, 4);
  });

  it('then trains again on every row for the epochs it kept (regression), warming the KL in as the early-stopped run did', async () => {
    // At a given rate: without one, the two candidate rates' fits come first (next test).
    await expectRefit((d, o) => trainVi(d, { ...o, klWarmup: DEFAULT_STEPS, learningRate: 1e-3 }));
  });

  it('keeps no epoch before its KL warm-up ends (afterWarmup): the first epoch whose last step has the KL at full weight', async () => {
    // 300 rows: 270 train in batches of 32, 9 steps an epoch.
    const fo = fitOptionsOf({}, 0, 300, true);
    expect(afterWarmup(fo, DEFAULT_STEPS, 300).earlyStopping!.from).toBe(Math.ceil(DEFAULT_STEPS / 9));
    expect(afterWarmup(fo, 10 ** 7, 300).earlyStopping!.from).toBe(fo.epochs);
    expect(afterWarmup(fo, 0, 300)).toBe(fo);
    const fixed = fitOptionsOf({ epochs: 20 }, 0, 300, true);
    expect(afterWarmup(fixed, DEFAULT_STEPS, 300)).toBe(fixed);
    // Pure noise: the held-out loss is lowest early; the kept epochs (the refit's length) start after the warm-up.
    const rng = new Rng(5, 0);
    const x = Array.from({ length: 300 }, () => Array.from({ length: 4 }, () => rng.normal()));
    const noise = makeDataset(x, x.map(() => rng.normal()));
    const runs: number[] = [];
    await trainVi(noise, { hidden: [50], seed: 1, learningRate: 3e-3, onProgress: (p) => (p.epoch === 1 ? runs.push(1) : runs[runs.length - 1]++) });
    expect(runs).toHaveLength(2);
    expect(runs[1]).toBeGreaterThanOrEqual(Math.ceil(DEFAULT_STEPS / 9));
  });

  it('chooses its Adam rate among VI_LEARNING_RATES by the held-out loss of its early-stopped fits (regression); none with a given rate', async () => {
    // y = sin(3x₀) + x₁/2 on 300 rows of 4 inputs, nearly noiseless: q's means move too slowly at 1e-3.
    const rng = new Rng(5, 0);
    const x = Array.from({ length: 300 }, () => Array.from({ length: 4 }, () => rng.normal()));
    const data = makeDataset(x, x.map((v) => Math.sin(3 * v[0]) + 0.5 * v[1] + 0.01 * rng.normal()));
    const o = { hidden: [16], seed: 1 };
    let runs = 0;
    const post = await trainVi(data, { ...o, onProgress: (p) => (runs += p.epoch === 1 ? 1 : 0) });
    // One early-stopped fit per rate, then the chosen rate's fit on every row.
    expect(runs).toBe(VI_LEARNING_RATES.length + 1);
    const at = await Promise.all(VI_LEARNING_RATES.map((learningRate) => trainVi(data, { ...o, learningRate })));
    const same = at.map((p) => Array.from(p.source.mu).every((v, i) => v === post.source.mu[i]));
    // The larger rate here, and exactly the run that asks for it.
    expect(same).toEqual([false, true]);
  });
});

describe('VI objective', () => {
  const spec = { inputs: 2, hidden: [5], outputs: 1, activation: 'tanh' as const, likelihood: 'gaussian' as const };
  const data = linearData(24, 2, 0.3, 5);
  const ctx = (n: number): LoopContext => ({ arena: undefined as never, epoch: 0, step: 7, n, seed: 3, stream: 0, params: 0, size: 0, lr: 0, loss: 0 });

  async function setup() {
    const mlp = await Mlp.create(spec, { capacity: 32 });
    const obj = viObjective(mlp, { priorPrecision: 2 });
    const a = mlp.arena;
    const phi = obj.init(1, 0);
    phi.fill(-1.5, mlp.size);
    return { mlp, obj, a, phi };
  }

  it('scales the KL per example (KL/N), so an epoch of batches sums to the full negative ELBO', async () => {
    const { mlp, obj, a, phi } = await setup();
    const N = data.n;
    const params = a.putF32(phi);
    const grad = a.allocF32(obj.size);
    const x = a.putF32(data.x);
    const y = a.putF32(data.y);
    const full = obj.lossAndGradAt(params, grad, x, y, N, ctx(N)) * N;
    const kl = obj.lastKl;
    let parts = 0;
    for (const [s, b] of [[0, 8], [8, 8], [16, 8]]) parts += obj.lossAndGradAt(params, grad, x + 4 * s * 2, y + 4 * s, b, ctx(N)) * b;
    // Same ε (same step) for every call: the sum of batch losses × sizes is Σ NLL + KL exactly once.
    expect(parts).toBeCloseTo(full, 3);
    // And the KL matches its closed form: ½ Σ (λσ² + λμ² − 1 − log λσ²).
    let ref = 0;
    for (let i = 0; i < mlp.size; i++) {
      const s2 = softplus(phi[mlp.size + i]) ** 2;
      ref += 0.5 * (2 * s2 + 2 * phi[i] ** 2 - 1 - Math.log(2 * s2));
    }
    expect(kl).toBeCloseTo(ref, 2);
  });

  it('ramps the KL term in linearly over klWarmup steps (same draw ε at every step here)', async () => {
    const { mlp, a, phi } = await setup();
    const N = data.n;
    const params = a.putF32(phi);
    const grad = a.allocF32(2 * mlp.size);
    const x = a.putF32(data.x);
    const y = a.putF32(data.y);
    const full = viObjective(mlp, { priorPrecision: 2 });
    const warm = viObjective(mlp, { priorPrecision: 2, klWarmup: 28 });
    const at = (o: typeof full, step: number) => o.lossAndGradAt(params, grad, x, y, N, { ...ctx(N), step });
    // The draw ε depends on the step, so compare at one step: the data term is the same in both.
    const l1 = at(full, 7);
    const kl = full.lastKl / N;
    const l0 = at(warm, 7);
    expect(l1 - l0).toBeCloseTo((1 - 7 / 28) * kl, 4);
    expect(at(warm, 28)).toBeCloseTo(at(full, 28), 6);
    expect(at(warm, 400)).toBeCloseTo(at(full, 400), 6);
  });

  it('has the gradient of its loss (finite differences, fixed ε)', async () => {
    const { obj, a, phi } = await setup();
    const params = a.putF32(phi);
    const grad = a.allocF32(obj.size);
    const x = a.putF32(data.x.subarray(0, 16));
    const y = a.putF32(data.y.subarray(0, 8));
    obj.lossAndGradAt(params, grad, x, y, 8, ctx(24));
    const g = a.getF32(grad, obj.size);
    const f = (v: Float32Array) => {
      a.putF32(v, params);
      return obj.lossAndGradAt(params, grad, x, y, 8, ctx(24));
    };
    for (const i of [0, 3, 11, obj.size / 2 + 2, obj.size - 1]) {
      const h = 1e-2;
      const up = phi.slice(); up[i] += h;
      const dn = phi.slice(); dn[i] -= h;
      const fd = (f(up) - f(dn)) / (2 * h);
      expect(Math.abs(fd - g[i])).toBeLessThan(2e-3 + 2e-2 * Math.abs(fd));
    }
  });
});

describe('VI posterior', () => {
  // Two hidden layers: with one hidden layer, mean-field Gaussian VI provably cannot put more variance
  // between two data clusters than on them (Foong et al. 2019, "In-between uncertainty"); we saw that too.
  it('has more epistemic variance in a gap of the inputs than on the data (two hidden layers)', async () => {
    for (const seed of [2, 5]) {
      const post = await trainVi(gapData(120, 4), { hidden: [32, 32], activation: 'tanh', epochs: 300, learningRate: 3e-3, seed });
      const p = await post.predict(gapGrid, { samples: 50 });
      if (p.kind !== 'regression') throw new Error('regression expected');
      const c = gapContrast(p.epistemic, gapGrid);
      expect(c.gap).toBeGreaterThan(1.2 * c.data);
    }
  });

  it('is deterministic for a seed and restores from bytes with identical predictions', async () => {
    const train = linearData(50, 2, 0.3, 7);
    const a = await trainVi(train, { hidden: [8], epochs: 5, seed: 4 });
    const b = await trainVi(train, { hidden: [8], epochs: 5, seed: 4 });
    expect(Array.from(b.source.mu)).toEqual(Array.from(a.source.mu));
    expect(Array.from(b.source.rho)).toEqual(Array.from(a.source.rho));
    await expectRoundTrip(a, 'vi', Float32Array.from([0.1, -0.4, 1.2, 0.3]), 9);
  });

  it('rejects bad options with typed errors', async () => {
    const train = makeDataset([[0], [1], [2]], [0, 1, 2]);
    for (const bad of [{ samples: 0 }, { klWeight: -1 }, { rhoInit: NaN }, { noise: -2 }, { priorPrecision: 0 }, { klWarmup: -1 }, { klWarmup: 1.5 }]) {
      await expect(trainVi(train, { hidden: [2], epochs: 1, ...bad })).rejects.toBeInstanceOf(BdlError);
    }
  });
});

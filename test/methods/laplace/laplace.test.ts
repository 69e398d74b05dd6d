import { describe, expect, it } from 'vitest';
import { makeDataset, type Dataset } from '../../../src/data/dataset.js';
import { Mlp } from '../../../src/model/mlp.js';
import type { MlpSpec } from '../../../src/model/spec.js';
import { laplaceAt, trainLaplace } from '../../../src/methods/laplace/index.js';
import type { LaplacePosterior } from '../../../src/methods/laplace/posterior.js';
import { posteriorFromBytes } from '../../../src/posterior/restore.js';
import { Rng } from '../../../src/random/index.js';

// ---- plain f64 references
function chol(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) {
    let s = a[i * n + j];
    for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
    l[i * n + j] = i === j ? Math.sqrt(s) : s / l[j * n + j];
  }
  return l;
}
function inv(a: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const r = new Float64Array(n * n);
  for (let i = 0; i < n; i++) r[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    const p = m[c * n + c];
    for (let j = 0; j < n; j++) { m[c * n + j] /= p; r[c * n + j] /= p; }
    for (let i = 0; i < n; i++) if (i !== c) {
      const f = m[i * n + c];
      for (let j = 0; j < n; j++) { m[i * n + j] -= f * m[c * n + j]; r[i * n + j] -= f * r[c * n + j]; }
    }
  }
  return r;
}
const logdetChol = (l: Float64Array, n: number) => { let s = 0; for (let i = 0; i < n; i++) s += 2 * Math.log(l[i * n + i]); return s; };

/** Rows × features data with features [x, 1] for the linear model (θ = [W; b]). */
function blrData(n: number, feats: number, seed: number, noise = 0.5): { data: Dataset; phi: Float64Array } {
  const rng = new Rng(seed);
  const x: number[][] = [];
  const y: number[] = [];
  const w = Array.from({ length: feats }, (_, j) => 1 - 0.5 * j);
  for (let i = 0; i < n; i++) {
    const r = Array.from({ length: feats }, () => 2 * rng.uniform() - 1);
    x.push(r);
    y.push(r.reduce((s, v, j) => s + v * w[j], 0.3) + noise * rng.normal());
  }
  const data = makeDataset(x, y);
  const P = feats + 1;
  const phi = new Float64Array(n * P);
  for (let i = 0; i < n; i++) { for (let j = 0; j < feats; j++) phi[i * P + j] = data.x[i * feats + j]; phi[i * P + feats] = 1; }
  return { data, phi };
}

/** Exact conjugate posterior and log evidence of y ~ N(Φθ, σ²), θ ~ N(0, I/λ). */
function conjugate(phi: Float64Array, y: Float32Array, n: number, P: number, lambda: number, s2: number) {
  const prec = new Float64Array(P * P);
  for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) { let s = 0; for (let k = 0; k < n; k++) s += phi[k * P + i] * phi[k * P + j]; prec[i * P + j] = s / s2 + (i === j ? lambda : 0); }
  const cov = inv(prec, P);
  const b = new Float64Array(P);
  for (let i = 0; i < P; i++) for (let k = 0; k < n; k++) b[i] += phi[k * P + i] * y[k] / s2;
  const mean = Float64Array.from({ length: P }, (_, i) => cov.slice(i * P, i * P + P).reduce((s, v, j) => s + v * b[j], 0));
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { let s = 0; for (let k = 0; k < P; k++) s += phi[i * P + k] * phi[j * P + k]; K[i * n + j] = s / lambda + (i === j ? s2 : 0); }
  const L = chol(K, n);
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) { let s = y[i]; for (let k = 0; k < i; k++) s -= L[i * n + k] * z[k]; z[i] = s / L[i * n + i]; }
  const evidence = -0.5 * z.reduce((s, v) => s + v * v, 0) - 0.5 * logdetChol(L, n) - 0.5 * n * Math.log(2 * Math.PI);
  return { mean, cov, prec, evidence };
}

const linSpec = (inputs: number): MlpSpec => ({ inputs, hidden: [], outputs: 1, activation: 'identity', likelihood: 'gaussian' });
/** Covariance R·Rᵀ of a posterior's Gaussian, read through its sampler on basis vectors. */
function covOf(post: LaplacePosterior): Float64Array {
  const d = post.subsetIndices.length;
  const cols = Array.from({ length: d }, (_, j) => post.gaussian.sample(Float64Array.from({ length: d }, (_, i) => (i === j ? 1 : 0))));
  const c = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < d; k++) c[i * d + j] += cols[k][i] * cols[k][j];
  return c;
}
const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => { let num = 0, den = 0; for (let i = 0; i < a.length; i++) { num = Math.max(num, Math.abs(a[i] - b[i])); den = Math.max(den, Math.abs(b[i])); } return num / den; };

describe('Laplace: Bayesian linear regression closed forms', () => {
  const n = 61, F = 3, P = F + 1, lambda = 2, s2 = 0.3;
  const { data, phi } = blrData(n, F, 7);
  const exact = conjugate(phi, data.y, n, P, lambda, s2);

  it('full Laplace over all weights = exact conjugate posterior and log evidence (1e-6 relative)', async () => {
    const mlp = await Mlp.create(linSpec(F));
    const post = await laplaceAt(mlp, Float32Array.from(exact.mean), data, { hessian: 'full', subset: 'all', priorPrecisionMode: lambda, noiseVar: s2 });
    expect(relErr(post.theta, exact.mean)).toBeLessThan(1e-6);
    expect(relErr(covOf(post), exact.cov)).toBeLessThan(1e-6);
    expect(Math.abs(post.logEvidence - exact.evidence) / Math.abs(exact.evidence)).toBeLessThan(1e-6);
    expect(post.info.jitter).toBe(0);
  });

  it('KFAC = full on a single linear layer with one output (covariance and evidence)', async () => {
    const mlp = await Mlp.create(linSpec(F));
    const post = await laplaceAt(mlp, Float32Array.from(exact.mean), data, { hessian: 'kron', subset: 'all', priorPrecisionMode: lambda, noiseVar: s2 });
    expect(relErr(covOf(post), exact.cov)).toBeLessThan(1e-5);
    expect(Math.abs(post.logEvidence - exact.evidence) / Math.abs(exact.evidence)).toBeLessThan(1e-6);
  });

  it('the evidence-maximizing prior precision is the fine grid maximum', async () => {
    const mlp = await Mlp.create(linSpec(F));
    const post = await laplaceAt(mlp, Float32Array.from(exact.mean), data, { hessian: 'full', subset: 'all', priorPrecisionMode: 'marglik', noiseVar: s2 });
    const tuned = post.info.priorPrecision as number;
    let best = 0, bestEv = -Infinity;
    for (let i = 0; i <= 8000; i++) {
      const lam = 10 ** (-4 + i / 1000);
      const ev = conjugateEvidenceAtMode(exact.mean, phi, data.y, n, P, lam, s2);
      if (ev > bestEv) { bestEv = ev; best = lam; }
    }
    expect(Math.abs(Math.log(tuned / best))).toBeLessThan(2.5e-3);
  });

  it('the evidence picks the true polynomial degree', async () => {
    const rng = new Rng(11);
    const N = 80;
    const t = Array.from({ length: N }, () => 2 * rng.uniform() - 1);
    const y = t.map((v) => 0.5 + v - 2 * v * v + 0.2 * rng.normal());
    const evid: number[] = [];
    for (let deg = 1; deg <= 5; deg++) {
      const x = t.map((v) => Array.from({ length: deg }, (_, j) => v ** (j + 1)));
      const ds = makeDataset(x, y);
      const Pd = deg + 1;
      const ph = new Float64Array(N * Pd);
      for (let i = 0; i < N; i++) { for (let j = 0; j < deg; j++) ph[i * Pd + j] = ds.x[i * deg + j]; ph[i * Pd + deg] = 1; }
      const map = conjugate(ph, ds.y, N, Pd, 1, 0.04).mean;
      const mlp = await Mlp.create(linSpec(deg));
      const post = await laplaceAt(mlp, Float32Array.from(map), ds, { hessian: 'full', subset: 'all', priorPrecisionMode: 'marglik' });
      evid.push(post.logEvidence);
    }
    expect(evid.indexOf(Math.max(...evid)) + 1).toBe(2);
  });
});

/** Laplace evidence at a fixed mode m (what the tuner maximizes over λ): exact Gaussian integral. */
function conjugateEvidenceAtMode(m: Float64Array, phi: Float64Array, y: Float32Array, n: number, P: number, lam: number, s2: number): number {
  const mf = Float32Array.from(m);
  let rss = 0;
  for (let i = 0; i < n; i++) { let f = 0; for (let k = 0; k < P; k++) f += phi[i * P + k] * mf[k]; rss += (f - y[i]) ** 2; }
  const prec = new Float64Array(P * P);
  for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) { let s = 0; for (let k = 0; k < n; k++) s += phi[k * P + i] * phi[k * P + j]; prec[i * P + j] = s / s2 + (i === j ? lam : 0); }
  const sq = mf.reduce((s, v) => s + v * v, 0);
  return -0.5 * n * Math.log(2 * Math.PI * s2) - rss / (2 * s2) - 0.5 * lam * sq + 0.5 * P * Math.log(lam) - 0.5 * logdetChol(chol(prec, P), P);
}

describe('Laplace: structures agree where they must', () => {
  const spec: MlpSpec = { inputs: 3, hidden: [5], outputs: 3, activation: 'tanh', likelihood: 'categorical' };
  const rng = new Rng(3);
  const x = Array.from({ length: 70 }, () => [rng.normal(), rng.normal(), rng.normal()]);
  const data = makeDataset(x, x.map((r) => (r[0] > 0.3 ? 2 : r[1] > 0 ? 1 : 0)));

  async function build(hessian: 'full' | 'diag' | 'kron', subset: 'all' | 'last-layer') {
    const mlp = await Mlp.create(spec);
    const theta = mlp.init(5);
    return laplaceAt(mlp, theta, data, { hessian, subset, priorPrecisionMode: 0.7 });
  }
  const H = (p: LaplacePosterior) => (p as unknown as { p: { factors: { arrays(): Record<string, Float64Array> } } }).p.factors.arrays();

  it('the categorical GGN of softmax regression is Σₙ Jₙᵀ (diag pₙ − pₙpₙᵀ) Jₙ, summed over the data', async () => {
    // No hidden layer: z = Wᵀx + b, so ∂z_k/∂W[i,k] = x_i and ∂z_k/∂b_k = 1 — an absolute reference,
    // where the tests above only compare the structures with each other.
    const lin: MlpSpec = { inputs: 3, hidden: [], outputs: 3, activation: 'tanh', likelihood: 'categorical' };
    const mlp = await Mlp.create(lin);
    const theta = mlp.init(7);
    const post = await laplaceAt(mlp, theta, data, { hessian: 'full', subset: 'all', priorPrecisionMode: 0.7 });
    const got = H(post).H;
    const L = mlp.layout.layers[0];
    const P = mlp.size;
    const ref = new Float64Array(P * P);
    for (let n = 0; n < data.n; n++) {
      const xn = data.x.subarray(3 * n, 3 * n + 3);
      const z = [0, 1, 2].map((k) => theta[L.b + k] + xn.reduce((s, v, i) => s + v * theta[L.w + i * 3 + k], 0));
      const e = z.map((v) => Math.exp(v - Math.max(...z)));
      const p = e.map((v) => v / e.reduce((a, c) => a + c));
      const jac = [0, 1, 2].map((k) => {
        const j = new Float64Array(P);
        xn.forEach((v, i) => (j[L.w + i * 3 + k] = v));
        j[L.b + k] = 1;
        return j;
      });
      for (let k = 0; k < 3; k++) for (let l = 0; l < 3; l++) {
        const lam = (k === l ? p[k] : 0) - p[k] * p[l];
        for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) ref[i * P + j] += jac[k][i] * lam * jac[l][j];
      }
    }
    expect(relErr(got, ref)).toBeLessThan(1e-5);
  });

  it('diagonal = the diagonal of the full precision', async () => {
    const f = H(await build('full', 'all')).H;
    const d = H(await build('diag', 'all')).h;
    const P = d.length;
    expect(relErr(d, Float64Array.from({ length: P }, (_, i) => f[i * P + i]))).toBeLessThan(1e-5);
  });

  it("last-layer full (Σ φφᵀ ⊗ Λ) = the full GGN's last-layer block", async () => {
    const all = await build('full', 'all');
    const last = await build('full', 'last-layer');
    const f = H(all).H;
    const l = H(last).H;
    const P = all.subsetIndices.length;
    const idx = Array.from(last.subsetIndices);
    const block = new Float64Array(idx.length ** 2);
    idx.forEach((i, a) => idx.forEach((j, b) => (block[a * idx.length + b] = f[i * P + j])));
    expect(relErr(l, block)).toBeLessThan(1e-5);
  });

  it('samples from full and KFAC posteriors reproduce their covariance (20k draws, 5 %)', async () => {
    for (const hessian of ['full', 'kron'] as const) {
      const post = await build(hessian, 'last-layer');
      const d = post.subsetIndices.length;
      // Reference: the precision inverted in plain f64 (full: from H; kron: from A ⊗ G).
      const arr = H(post);
      const prec = new Float64Array(d * d);
      if (hessian === 'full') prec.set(arr.H);
      else {
        const m = Math.round(Math.sqrt(arr.A0.length)), nn = Math.round(Math.sqrt(arr.G0.length));
        for (let i = 0; i < m; i++) for (let j = 0; j < nn; j++) for (let k = 0; k < m; k++) for (let l = 0; l < nn; l++) prec[(i * nn + j) * d + k * nn + l] = arr.A0[i * m + k] * arr.G0[j * nn + l];
      }
      for (let i = 0; i < d; i++) prec[i * d + i] += 0.7;
      const cov = inv(prec, d);
      const r = new Rng(9);
      const S = 20000;
      const acc = new Float64Array(d * d);
      for (let s = 0; s < S; s++) {
        const v = post.gaussian.sample(Float64Array.from({ length: d }, () => r.normal()));
        for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) acc[i * d + j] += v[i] * v[j] / S;
      }
      let worst = 0;
      for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) {
        worst = Math.max(worst, Math.abs(acc[i * d + j] - cov[i * d + j]) / Math.sqrt(cov[i * d + i] * cov[j * d + j]));
      }
      expect(worst, hessian).toBeLessThan(0.05);
    }
  });
});

describe('Laplace: failure modes', () => {
  it('a non-PD precision takes the jitter path and says so', async () => {
    // A duplicated input column makes the curvature singular; a negligible prior leaves it singular.
    const rng = new Rng(4);
    const x = Array.from({ length: 30 }, () => { const a = rng.normal(); return [a, a]; });
    const data = makeDataset(x, x.map((r) => r[0] + 0.1 * rng.normal()));
    const mlp = await Mlp.create(linSpec(2));
    const post = await laplaceAt(mlp, Float32Array.from([0.5, 0.5, 0]), data, { hessian: 'full', subset: 'all', priorPrecisionMode: 1e-300, noiseVar: 0.01 });
    expect(post.info.jitter as number).toBeGreaterThan(0);
    expect(String(post.info.warning)).toMatch(/not positive definite/);
  });

  it('an oversized full Laplace is refused up front with E_MEMORY suggesting a cheaper structure', async () => {
    const spec: MlpSpec = { inputs: 784, hidden: [256, 256], outputs: 10, activation: 'relu', likelihood: 'categorical' };
    const mlp = await Mlp.create(spec, { capacity: 4 });
    const data = makeDataset({ data: new Float32Array(4 * 784), cols: 784 }, [0, 1, 2, 3]);
    await expect(laplaceAt(mlp, new Float32Array(mlp.size), data, { hessian: 'full', subset: 'all' })).rejects.toMatchObject({ code: 'E_MEMORY', message: expect.stringMatching(/kron|diag/) });
  });

  it('the curvature pass reports rows and stops at an abort with E_ABORTED; the same posterior with and without listeners', async () => {
    const rng = new Rng(8);
    const xs = Array.from({ length: 3000 }, () => [rng.normal(), rng.normal(), rng.normal()]);
    const data = makeDataset(xs, xs.map((r) => r[0] - r[1] * r[2] + 0.1 * rng.normal()));
    const opts = { hidden: [30], epochs: 2, seed: 4, hessian: 'full' as const, subset: 'all' as const };
    const rows: [number, number][] = [];
    const post = await trainLaplace(data, { ...opts, onProgress: (p) => void (p.phase === 'curvature' && rows.push([p.epoch, p.epochs])) });
    expect(rows.at(-1)).toEqual([3000, 3000]);
    expect(rows.every(([r, n], i) => n === 3000 && r <= n && (i === 0 || r >= rows[i - 1][0]))).toBe(true);
    const plain = await trainLaplace(data, opts);
    expect(plain.logEvidence).toBe(post.logEvidence);
    const stop = new AbortController();
    const err = await trainLaplace(data, { ...opts, signal: stop.signal, onProgress: (p) => void (p.phase === 'curvature' && stop.abort()) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_ABORTED', message: expect.stringMatching(/^laplace: cancelled (while accumulating the curvature|after the curvature)/) });
  });

  it('the per-group evidence search over a full curvature runs in steps: rising thousandths, the thread given back, an abort mid-search', async () => {
    const rng = new Rng(9);
    const xs = Array.from({ length: 400 }, () => [rng.normal(), rng.normal(), rng.normal()]);
    const data = makeDataset(xs, xs.map((r) => Math.sin(r[0]) - r[1] * r[2] + 0.1 * rng.normal()));
    const opts = { hidden: [24, 24], epochs: 3, seed: 2, hessian: 'full' as const, subset: 'all' as const, priorPrecisionMode: 'marglik' as const, perLayer: true };
    const shares: number[] = [];
    let ticks = 0;
    let inPrior = false;
    const timer = setInterval(() => void (inPrior && ticks++), 5);
    const post = await trainLaplace(data, { ...opts, onProgress: (p) => { inPrior = p.phase === 'prior' && p.epoch < p.epochs; if (p.phase === 'prior') shares.push(p.epoch / p.epochs); } });
    clearInterval(timer);
    expect(shares[0]).toBe(0);
    expect(shares.at(-1)).toBe(1);
    expect(shares.filter((f) => f > 0 && f < 1).length).toBeGreaterThan(2);
    expect(shares.every((f, i) => i === 0 || f >= shares[i - 1])).toBe(true);
    expect(ticks, 'a timer ran during the search').toBeGreaterThan(0);
    expect((post.info.priorPrecision as number[]).length).toBe(3);
    expect(Number.isFinite(post.logEvidence)).toBe(true);
    const stop = new AbortController();
    const err = await trainLaplace(data, { ...opts, signal: stop.signal, onProgress: (p) => void (p.phase === 'prior' && p.epoch > 0 && stop.abort()) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_ABORTED', message: expect.stringMatching(/choosing the prior precision/) });
  });

  it('kron over a subnetwork is refused', async () => {
    const mlp = await Mlp.create(linSpec(2));
    const data = makeDataset([[1, 2], [3, 4]], [1, 2]);
    await expect(laplaceAt(mlp, new Float32Array(3), data, { hessian: 'kron', subset: 'subnetwork', subnetwork: { indices: [0] } })).rejects.toMatchObject({ code: 'E_ARG' });
  });
});

describe('Laplace: end to end', () => {
  const rng = new Rng(21);
  const xs = Array.from({ length: 200 }, () => [4 * rng.uniform() - 2]);
  const reg = makeDataset(xs, xs.map((r) => 0.5 * r[0] + 0.1 * rng.normal()));

  it('default (last-layer KFAC, marglik) regression: epistemic grows away from the data; bytes round trip', async () => {
    const post = await trainLaplace(reg, { hidden: [20], epochs: 30, seed: 1, learningRate: 1e-2 });
    expect(post.method).toBe('laplace-kron');
    const x = Float32Array.from([0, 1, 6]);
    const p = await post.predict(x);
    if (p.kind !== 'regression') throw new Error('regression expected');
    expect(p.epistemic[2]).toBeGreaterThan(p.epistemic[0]);
    expect(Math.sqrt(p.aleatoric[0])).toBeGreaterThan(0.05);
    expect(Math.sqrt(p.aleatoric[0])).toBeLessThan(0.3);
    const again = await posteriorFromBytes(post.toBytes());
    const q = await again.predict(x);
    expect(Array.from(q.kind === 'regression' ? q.variance : [])).toEqual(Array.from(p.variance));
  });

  for (const [hessian, subset, extra] of [['diag', 'all', {}], ['full', 'subnetwork', { subnetwork: { by: 'variance', size: 12 } }], ['diag', 'subnetwork', { subnetwork: { by: 'magnitude', size: 12 } }], ['full', 'last-layer', { priorPrecisionMode: 'grid' }]] as const) {
    it(`${hessian} × ${subset} ${JSON.stringify(extra)} trains, predicts and restores`, async () => {
      const post = await trainLaplace(reg, { hidden: [8], epochs: 5, hessian, subset, ...extra });
      const x = Float32Array.from([0.5, 3]);
      const p = await post.predict(x);
      if (p.kind !== 'regression') throw new Error('regression expected');
      expect(p.epistemic.every((v) => v >= 0 && Number.isFinite(v))).toBe(true);
      const q = await (await posteriorFromBytes(post.toBytes())).predict(x);
      expect(q.kind === "regression" && Array.from(q.mean)).toEqual(Array.from(p.mean));
    });
  }

  it('classification: probit and MC links, and MC weight sampling, give proper probabilities', async () => {
    const x = Array.from({ length: 120 }, () => [rng.normal(), rng.normal()]);
    const data = makeDataset(x, x.map((r) => (r[0] + r[1] > 0 ? 1 : 0)));
    for (const o of [{ link: 'probit' }, { link: 'mc' }, { predictive: 'mc' }] as const) {
      const post = await trainLaplace(data, { task: 'classification', hidden: [8], epochs: 40, learningRate: 1e-2, ...o });
      const p = await post.predict(Float32Array.from([2, 2, -2, -2, 0, 0]), { samples: 50 });
      if (p.kind !== 'classification') throw new Error('classification expected');
      expect(p.probs[1]).toBeGreaterThan(0.6);
      expect(p.probs[2]).toBeGreaterThan(0.6);
      for (let i = 0; i < 3; i++) expect(p.probs[2 * i] + p.probs[2 * i + 1]).toBeCloseTo(1, 6);
      expect(p.mutualInformation.every((v) => v >= 0)).toBe(true);
    }
  });
});

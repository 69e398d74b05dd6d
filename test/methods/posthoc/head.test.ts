// The Bayesian head against closed forms computed here in float64: the conjugate posterior of
// Bayesian linear regression at the tuned (α, β), the evidence's stationarity there (MacKay), and
// for the logistic head the MAP's gradient and the Laplace covariance (H + αI)⁻¹.
import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../../src/data/dataset.js';
import { bayesianHead, BayesianLinearHead } from '../../../src/methods/posthoc/index.js';
import { LaplacePosterior } from '../../../src/methods/laplace/index.js';
import { posteriorFromBytes } from '../../../src/posterior/restore.js';
import { Rng } from '../../../src/random/index.js';

/** Gauss-Jordan inverse and log-determinant of a symmetric positive-definite P×P matrix (f64). */
function invert(A: number[][]): { inv: number[][]; logdet: number } {
  const P = A.length;
  const M = A.map((r, i) => [...r, ...Array.from({ length: P }, (_, j) => (i === j ? 1 : 0))]);
  let logdet = 0;
  for (let c = 0; c < P; c++) {
    let p = c;
    for (let r = c + 1; r < P; r++) if (Math.abs(M[r][c]) > Math.abs(M[p][c])) p = r;
    [M[c], M[p]] = [M[p], M[c]];
    const d = M[c][c];
    logdet += Math.log(Math.abs(d));
    for (let j = 0; j < 2 * P; j++) M[c][j] /= d;
    for (let r = 0; r < P; r++) {
      if (r === c) continue;
      const f = M[r][c];
      for (let j = 0; j < 2 * P; j++) M[r][j] -= f * M[c][j];
    }
  }
  return { inv: M.map((r) => r.slice(P)), logdet };
}

function data(n: number, D: number, seed: number) {
  const rng = new Rng(seed, 0, [0, 0, 0x98]);
  const X = Array.from({ length: n }, () => Array.from({ length: D }, () => rng.normal()));
  const w = [0.7, -1.2, 0.4, 0, 2].slice(0, D);
  const y = X.map((r) => r.reduce((s, v, i) => s + v * w[i], 0.3) + 0.5 * rng.normal());
  return { X, y };
}

/** The conjugate posterior and the log evidence at (α, β), directly. */
function reference(X: number[][], y: number[], a: number, b: number) {
  const Phi = X.map((r) => [...Array.from(r, (v) => Math.fround(v)), 1]);
  const P = Phi[0].length;
  const A = Array.from({ length: P }, (_, i) => Array.from({ length: P }, (_, j) => (i === j ? a : 0) + b * Phi.reduce((s, r) => s + r[i] * r[j], 0)));
  const { inv: S, logdet } = invert(A);
  const Pty = Array.from({ length: P }, (_, i) => Phi.reduce((s, r, n) => s + r[i] * Math.fround(y[n]), 0));
  const m = S.map((row) => b * row.reduce((s, v, j) => s + v * Pty[j], 0));
  const N = y.length;
  const rss = Phi.reduce((s, r, n) => s + (Math.fround(y[n]) - r.reduce((t, v, i) => t + v * m[i], 0)) ** 2, 0);
  const mm = m.reduce((s, v) => s + v * v, 0);
  const ev = 0.5 * (P * Math.log(a) + N * Math.log(b) - b * rss - a * mm - logdet - N * Math.log(2 * Math.PI));
  return { S, m, ev, Phi };
}

describe('bayesianHead', () => {
  it('regression: the conjugate posterior at evidence-maximizing α, β (float64 reference)', async () => {
    const { X, y } = data(60, 3, 1);
    const head = (await bayesianHead(makeDataset(X, y))) as BayesianLinearHead;
    const a = head.alpha[0];
    const b = head.beta[0];
    const ref = reference(X, y, a, b);
    ref.m.forEach((v, i) => expect(head.mean[i]).toBeCloseTo(v, 9));
    // MacKay's fixed point is a stationary point of the evidence in (α, β).
    for (const [da, db] of [[1.01, 1], [0.99, 1], [1, 1.01], [1, 0.99]]) expect(reference(X, y, a * da, b * db).ev).toBeLessThan(ref.ev + 1e-9);
    expect(head.logEvidence[0]).toBeCloseTo(ref.ev, 7);
    // β ≈ 1/0.5²: the noise the data were made with.
    expect(1 / Math.sqrt(b)).toBeGreaterThan(0.35);
    expect(1 / Math.sqrt(b)).toBeLessThan(0.65);
    const xt = [[0.5, -1, 2], [3, 3, -3]];
    const p = await head.predict(Float32Array.from(xt.flat()));
    if (p.kind !== 'regression') throw new Error('regression expected');
    xt.forEach((r, n) => {
      const phi = [...r, 1];
      const mean = phi.reduce((s, v, i) => s + v * ref.m[i], 0);
      const epi = phi.reduce((s, vi, i) => s + vi * phi.reduce((t, vj, j) => t + ref.S[i][j] * vj, 0), 0);
      expect(p.mean[n]).toBeCloseTo(mean, 8);
      expect(p.epistemic[n]).toBeCloseTo(epi, 9);
      expect(p.aleatoric[n]).toBeCloseTo(1 / b, 12);
    });
    // Far from the data the epistemic part grows.
    expect(p.epistemic[1]).toBeGreaterThan(p.epistemic[0]);
    const back = await posteriorFromBytes(head.toBytes());
    expect(await back.predict(Float32Array.from(xt.flat()))).toEqual(p);
  });

  it('logistic head: the MAP (gradient ≈ 0) and the Laplace covariance (H + αI)⁻¹ in float64', async () => {
    const rng = new Rng(2, 0, [0, 0, 0x97]);
    const X = Array.from({ length: 200 }, () => [rng.normal(), rng.normal()]);
    const y = X.map((r) => (rng.uniform() < 1 / (1 + Math.exp(-(1.5 * r[0] - r[1] + 0.2))) ? 1 : 0));
    const post = (await bayesianHead(makeDataset(X, y), { task: 'classification' })) as LaplacePosterior;
    expect(post).toBeInstanceOf(LaplacePosterior);
    const alpha = (post.info as { priorPrecision: number }).priorPrecision;
    // θ = [w₁, w₂, b] in the engine's layout (W is 2 × 1, then the bias).
    const th = Array.from(post.theta);
    const phi = X.map((r) => [Math.fround(r[0]), Math.fround(r[1]), 1]);
    const g = [0, 0, 0];
    const H = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
    phi.forEach((f, n) => {
      const p = 1 / (1 + Math.exp(-(f[0] * th[0] + f[1] * th[1] + f[2] * th[2])));
      for (let i = 0; i < 3; i++) {
        g[i] += (p - y[n]) * f[i];
        for (let j = 0; j < 3; j++) H[i][j] += p * (1 - p) * f[i] * f[j];
      }
    });
    // The MAP of the prior it was last fitted with (the evidence moved α by < 1 % after it).
    const gn = Math.hypot(...g.map((v, i) => v + alpha * th[i]));
    expect(gn).toBeLessThan(0.05 * Math.hypot(...g));
    const S = invert(H.map((r, i) => r.map((v, j) => v + (i === j ? alpha : 0)))).inv;
    const v = post.gaussian.variances();
    for (let i = 0; i < 3; i++) expect(v[i]).toBeCloseTo(S[i][i], 6);
    const p = await post.predict(Float32Array.from([0, 0, 5, -5]));
    if (p.kind !== 'classification') throw new Error('classification expected');
    expect(p.probs[3]).toBeGreaterThan(0.9);
  });

  it('regression head: predicts many rows in steps with the bits of row-by-row predictions, and stops at an aborted signal', async () => {
    const { X, y } = data(60, 3, 2);
    const head = (await bayesianHead(makeDataset(X, y))) as BayesianLinearHead;
    const rng = new Rng(4);
    const x = Float32Array.from({ length: 3 * 2000 }, () => rng.normal());
    const all = await head.predict(x);
    for (const n of [0, 1234, 1999]) {
      const one = await head.predict(x.subarray(3 * n, 3 * n + 3));
      expect([one.mean[0], one.variance[0]]).toEqual([all.mean[n], all.variance[n]]);
    }
    const c = new AbortController();
    c.abort();
    await expect(head.predict(x, { signal: c.signal })).rejects.toMatchObject({ code: 'E_ABORTED' });
  });

  it('softmax head for three classes; refuses a task it does not know', async () => {
    const rng = new Rng(3, 0, [0, 0, 0x96]);
    const X = Array.from({ length: 90 }, (_, i) => [rng.normal() + (i % 3) * 2, rng.normal()]);
    const y = X.map((_, i) => i % 3);
    const post = await bayesianHead(makeDataset(X, y), { task: 'classification' });
    expect(post.spec).toMatchObject({ inputs: 2, hidden: [], outputs: 3, likelihood: 'categorical' });
    await expect(bayesianHead(makeDataset(X, y), { task: 'ranking' as 'regression' })).rejects.toMatchObject({ code: 'E_ARG', argument: 'task' });
  });
});

// Shared fixtures for the method tests: closed-form Bayesian linear regression and a 1-D gap problem.
import { expect } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { makeDataset, type Dataset } from '../../src/data/dataset.js';
import { posteriorFromBytes } from '../../src/posterior/restore.js';
import type { Posterior } from '../../src/posterior/types.js';
import { Rng } from '../../src/random/index.js';
import { budgetOf, NOISE_ROWS } from '../../src/methods/common.js';
import { heldOutRows } from '../../src/train/fit.js';

type Train = (data: Dataset, o: { hidden: number[]; seed: number; epochs?: number; onProgress: (p: { epoch: number }) => void }) => Promise<unknown>;

/**
 * A method's default run on 300 rows stops early: fewer epochs than the budget's most, at least
 * `patienceMultiple` × the default patience; given `epochs`, it runs exactly those.
 */
export async function expectEarlyStopping(train: Train, patienceMultiple: number): Promise<void> {
  const data = linearData(300, 2, 0.3, 8);
  const seen: number[] = [];
  // The first run's epochs (a regression fit that stopped early then trains again: expectRefit).
  let runs = 0;
  await train(data, { hidden: [8], seed: 2, onProgress: (p) => (runs += p.epoch === 1 ? 1 : 0) === 1 && seen.push(p.epoch) });
  const budget = budgetOf({}, data.n, true);
  expect(seen.length).toBeLessThan(budget.epochs);
  expect(seen.length).toBeGreaterThanOrEqual(patienceMultiple * budget.earlyStopping!.patience);
  let last = 0;
  await train(data, { hidden: [8], seed: 2, epochs: 7, onProgress: (p) => (last = p.epoch) });
  expect(last).toBe(7);
}

type Refit = (data: Dataset, o: { hidden: number[]; seed: number; epochs?: number; onProgress?: (p: { epoch: number; epochs: number }) => void }) => Promise<Posterior>;

/**
 * A regression run that stops early trains again on every row for the epochs it kept (common.ts
 * fitAndRefit): two runs, the second of exactly the kept epochs, with the weights of asking for them.
 */
export async function expectRefit(train: Refit): Promise<void> {
  const data = linearData(300, 2, 0.3, 8);
  const runs: { epoch: number; epochs: number }[][] = [];
  const post = await train(data, { hidden: [8], seed: 2, onProgress: (p) => (p.epoch === 1 ? runs.push([p]) : runs.at(-1)!.push(p)) });
  expect(runs.length).toBe(2);
  const kept = runs[1].length;
  expect(runs[1].at(-1)!.epochs).toBe(kept);
  expect(kept).toBeLessThan(runs[0].length);
  const explicit = await train(data, { hidden: [8], seed: 2, epochs: kept });
  // The same weights: the same predictive means (σ differs: the held-out rows' against the training rows').
  const mean = async (p: Posterior) => {
    const q = await p.predict(data.x.subarray(0, 40), { seed: 1 });
    return q.kind === 'regression' ? Array.from(q.mean) : [];
  };
  expect(await mean(post)).toEqual(await mean(explicit));
  expect((await mean(post)).length).toBe(20);
}

/** y = x·w + b + σ·noise with x rows of d features; `rho` correlates consecutive features. */
export function linearData(n: number, d: number, sigma: number, seed: number, rho = 0): Dataset {
  const rng = new Rng(seed, 0);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = Array.from({ length: d }, () => rng.normal());
    const row = z.map((v, j) => (j === 0 ? v : rho * z[j - 1] + Math.sqrt(1 - rho * rho) * v));
    x.push(row);
    y.push(row.reduce((s, v, j) => s + v * (j + 1) * 0.5, 0.3) + sigma * rng.normal());
  }
  return makeDataset(x, y);
}

/**
 * Exact posterior of θ = [w, b] under the prior N(0, I/λ) on every parameter and known noise σ:
 * precision Λ = λI + XₐᵀXₐ/σ² (Xₐ = [X, 1]), mean m = Λ⁻¹Xₐᵀy/σ², covariance Λ⁻¹.
 */
export function exactPosterior(data: Dataset, sigma: number, lambda: number) {
  const d = data.inputs;
  const P = d + 1;
  const prec = new Float64Array(P * P);
  const rhs = new Float64Array(P);
  for (let i = 0; i < data.n; i++) {
    const a = [...data.x.subarray(i * d, i * d + d), 1];
    for (let r = 0; r < P; r++) {
      rhs[r] += (a[r] * data.y[i]) / sigma ** 2;
      for (let c = 0; c < P; c++) prec[r * P + c] += (a[r] * a[c]) / sigma ** 2;
    }
  }
  for (let r = 0; r < P; r++) prec[r * P + r] += lambda;
  const cov = invert(prec, P);
  const mean = new Float64Array(P);
  for (let r = 0; r < P; r++) for (let c = 0; c < P; c++) mean[r] += cov[r * P + c] * rhs[c];
  return { mean, cov, prec };
}

/** 1-D regression with inputs in [−2, −0.7] ∪ [0.7, 2] (a gap around 0): y = sin(2x) + 0.1·noise. */
export function gapData(n: number, seed: number): Dataset {
  const rng = new Rng(seed, 0);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = 0.7 + 1.3 * rng.uniform();
    const v = i % 2 === 0 ? u : -u;
    x.push([v]);
    y.push(Math.sin(2 * v) + 0.1 * rng.normal());
  }
  return makeDataset(x, y);
}

/** Mean epistemic variance over the gap (|x| < 0.3) and over the data (0.9 < |x| < 1.8). */
export function gapContrast(epistemic: Float64Array, xs: Float32Array): { gap: number; data: number } {
  let g = 0, ng = 0, d = 0, nd = 0;
  xs.forEach((v, i) => {
    if (Math.abs(v) < 0.3) { g += epistemic[i]; ng++; }
    else if (Math.abs(v) > 0.9 && Math.abs(v) < 1.8) { d += epistemic[i]; nd++; }
  });
  return { gap: g / ng, data: d / nd };
}

export const gapGrid = Float32Array.from({ length: 41 }, (_, i) => -2 + 0.1 * i);

/** Inverse of a small SPD matrix by Gauss–Jordan (float64; P is a handful). */
function invert(a: Float64Array, P: number): Float64Array {
  const m = Float64Array.from(a);
  const inv = new Float64Array(P * P);
  for (let i = 0; i < P; i++) inv[i * P + i] = 1;
  for (let c = 0; c < P; c++) {
    const piv = m[c * P + c];
    for (let j = 0; j < P; j++) { m[c * P + j] /= piv; inv[c * P + j] /= piv; }
    for (let r = 0; r < P; r++) {
      if (r === c) continue;
      const f = m[r * P + c];
      for (let j = 0; j < P; j++) { m[r * P + j] -= f * m[c * P + j]; inv[r * P + j] -= f * inv[c * P + j]; }
    }
  }
  return inv;
}

/** A posterior restored from its bytes predicts exactly as the original, and has epistemic variance. */
export async function expectRoundTrip(post: Posterior, method: string, x: Float32Array, seed: number): Promise<void> {
  const again = await posteriorFromBytes(post.toBytes());
  expect(again.method).toBe(method);
  const pa = await post.predict(x, { seed });
  const pb = await again.predict(x, { seed });
  if (pa.kind !== 'regression' || pb.kind !== 'regression') throw new Error('regression expected');
  expect(Array.from(pb.mean)).toEqual(Array.from(pa.mean));
  expect(Array.from(pb.variance)).toEqual(Array.from(pa.variance));
  expect(pa.epistemic[0]).toBeGreaterThan(0);
}

/**
 * 2·NOISE_ROWS rows of a linear function with little noise: held-out blocks of a tenth (seed 0, stream
 * 0), 5 of them for NOISE_ROWS held-out rows, and outliers (+8) in 6 rows of each of blocks 1–4 only:
 * the first block's residual misses them, and the training residual spreads them over all n rows.
 */
export function blockOutlierData(): Dataset {
  const n = 2 * NOISE_ROWS;
  const rng = new Rng(5, 3);
  const xs = Array.from({ length: n }, () => [rng.normal(), rng.normal()]);
  const ys = xs.map(([a, b]) => a - 0.5 * b + 0.1 * rng.normal());
  for (let k = 1; k < 5; k++) for (const r of heldOutRows(n, 0.1, 0, 0, k)!.validation.slice(0, 6)) ys[r] += 8;
  return makeDataset(xs, ys);
}

/** A regression posterior's aleatoric σ² (of its first row) over its mean's mean squared residual on `data`. */
export async function aleatoricOverResidual(post: Posterior, data: Dataset, seed?: number): Promise<number> {
  const p = await post.predict(data.x, { seed });
  if (p.kind !== 'regression') throw new Error('regression expected');
  let rss = 0;
  for (let i = 0; i < data.n; i++) rss += (p.mean[i] - data.y[i]) ** 2;
  return p.aleatoric[0] / (rss / data.n);
}

/** The BdlError `p` rejects with; fails the test when it resolves instead (`what` says what should have stopped). */
export async function rejection(p: Promise<unknown>, what = 'the call finished instead of stopping'): Promise<BdlError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e, what).toBeInstanceOf(BdlError);
  return e as BdlError;
}

/**
 * Cancels `run` from a timer 100 ms in and checks that it stopped with E_ABORTED well before it would
 * have ended (`whole` ms): an abort from outside lands only if the work gives the thread back.
 * Relative, not absolute, bounds: a loaded machine stretches both.
 */
export async function expectAbortFromTimer(run: (signal: AbortSignal) => Promise<unknown>, whole: number): Promise<void> {
  const c = new AbortController();
  let fired = 0;
  setTimeout(() => {
    fired = performance.now();
    c.abort();
  }, 100);
  const t = performance.now();
  const err = await rejection(run(c.signal), 'the prediction finished instead of stopping');
  const done = performance.now();
  expect(err.code).toBe('E_ABORTED');
  expect(fired, 'the timer never ran while the work ran').toBeGreaterThan(0);
  expect(done - t).toBeLessThan(whole / 3);
}

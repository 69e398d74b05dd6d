/**
 * The linearized (GLM) predictive f(x) ≈ f(x; θ*) + J(x)(θ − θ*) (Immer et al. 2021): per test
 * point a Gaussian over the network outputs with mean f(x; θ*) and covariance J Σ Jᵀ, turned into
 * class probabilities by the probit approximation or by sampling the outputs.
 */
import { classificationSteps } from '../../posterior/aggregate.js';
import type { ClassificationPredictive } from '../../posterior/types.js';
import { rowsPerStep, runSteps, type Steps } from '../../posterior/yielding.js';
import { keyOf } from '../../random/index.js';
import type { Arena } from '../../wasm/arena.js';
import { layoutOf, type MlpSpec } from '../../model/spec.js';
import { Linearization } from './engine.js';
import type { Gaussian, Subset } from './types.js';
import * as exact from '../../random/exact-math.js';

/** Philox third-counter tag of all Laplace randomness (c2: 0 output draws, 1 weight draws; c1: chunk). */
export const LAPLACE_RNG_TAG = 0x1a;

const BATCH = 256;

/** Output means (N × K) and covariances (N × K × K) of the linearized model at standardized x. */
export function glmMoments(spec: MlpSpec, arena: Arena, theta: Float32Array, sub: Subset, gauss: Gaussian, x: Float32Array): { mean: Float32Array; cov: Float64Array } {
  return runSteps(glmMomentSteps(spec, arena, theta, sub, gauss, x));
}

/**
 * `glmMoments` as steps: one batch after another (those of one pass, min(256, N) rows from row 0),
 * each a run of `glmMomentsAtSteps`, whose covariances are steps of their own (a full Gaussian's are
 * O(batch·K·d²)). The same bits. It keeps arena memory across its steps: hold the arena.
 */
export function* glmMomentSteps(spec: MlpSpec, arena: Arena, theta: Float32Array, sub: Subset, gauss: Gaussian, x: Float32Array): Steps<{ mean: Float32Array; cov: Float64Array }> {
  const N = x.length / spec.inputs;
  const K = layoutOf(spec).outputWidth;
  const mean = new Float32Array(N * K);
  const cov = new Float64Array(N * K * K);
  const B = Math.min(BATCH, N);
  for (let s = 0; s < N; s += B) {
    yield* glmMomentsAtSteps(spec, arena, theta, sub, gauss, x, s, Math.min(N, s + B), mean, cov);
    if (s + B < N) yield;
  }
  return { mean, cov };
}

/**
 * Rows [from, to) of x (standardized; batches of min(256, N) rows counted from row 0 of x, `from`
 * on a batch boundary), their means and covariances written at those rows of `mean` and `cov`.
 * Marks and resets the arena itself.
 */
export function glmMomentsAt(spec: MlpSpec, arena: Arena, theta: Float32Array, sub: Subset, gauss: Gaussian, x: Float32Array, from: number, to: number, mean: Float32Array, cov: Float64Array): void {
  runSteps(glmMomentsAtSteps(spec, arena, theta, sub, gauss, x, from, to, mean, cov));
}

/** `glmMomentsAt` as steps, its arena mark kept across them. */
function* glmMomentsAtSteps(spec: MlpSpec, arena: Arena, theta: Float32Array, sub: Subset, gauss: Gaussian, x: Float32Array, from: number, to: number, mean: Float32Array, cov: Float64Array): Steps<void> {
  const N = x.length / spec.inputs;
  const mark = arena.mark();
  try {
    const B = Math.min(BATCH, N);
    // C = K unit output vectors: the backpropagated δ_c are the Jacobian rows.
    const K = layoutOf(spec).outputWidth;
    const lin = new Linearization(spec, arena, B, K, Math.min(...sub.layers));
    const pTheta = arena.putF32(theta);
    const px = arena.allocF32(B * spec.inputs);
    for (let s = from; s < to; s += B) {
      const b = Math.min(B, to - s);
      arena.putF32(x.subarray(s * spec.inputs, (s + b) * spec.inputs), px);
      mean.set(arena.f32(lin.forward(pTheta, px, b), b * K), s * K);
      const v = arena.f32(lin.v, K * B * K);
      v.fill(0);
      for (let c = 0; c < K; c++) for (let n = 0; n < b; n++) v[(c * B + n) * K + c] = 1;
      lin.backward(pTheta, b);
      cov.set(yield* gauss.outputCovSteps(lin, b), s * K * K);
    }
  } finally {
    arena.reset(mark);
  }
}

/** Probit approximation (MacKay 1992): softmax(f / √(1 + π/8 · diag Σ_f)); sigmoid for one logit. */
export function probitProbs(mean: Float32Array, cov: Float64Array, N: number, K: number, bernoulli: boolean): Float32Array {
  const Kp = bernoulli ? 2 : K;
  const out = new Float32Array(N * Kp);
  const z = new Float64Array(K);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < K; c++) z[c] = mean[n * K + c] / Math.sqrt(1 + (Math.PI / 8) * cov[(n * K + c) * K + c]);
    writeProbs(out, n, z, K, bernoulli);
  }
  return out;
}

/** S draws of the outputs from N(f, Σ_f) per point, as probabilities (S × N × K'). */
export function sampledProbs(arena: Arena, mean: Float32Array, cov: Float64Array, N: number, K: number, bernoulli: boolean, S: number, seed: number): Float32Array {
  const out = new Float32Array(S * N * (bernoulli ? 2 : K));
  sampledProbsAt(arena, mean, cov, N, K, bernoulli, S, seed, 0, N, out);
  return out;
}

/** Rows [from, to) of `sampledProbs` written into `out` (row n draws with counter n, so any split gives the same bits); marks and resets the arena itself. */
export function sampledProbsAt(arena: Arena, mean: Float32Array, cov: Float64Array, N: number, K: number, bernoulli: boolean, S: number, seed: number, from: number, to: number, out: Float32Array): void {
  const [k0, k1] = keyOf(seed, 0);
  const mark = arena.mark();
  try {
    const pz = arena.allocF64(S * K);
    const L = new Float64Array(K * K);
    const f = new Float64Array(K);
    for (let n = from; n < to; n++) {
      choleskyJittered(cov.subarray(n * K * K, (n + 1) * K * K), K, L);
      arena.k.rng_normal_f64(pz, S * K, k0, k1, n, 0, LAPLACE_RNG_TAG);
      const z = arena.f64(pz, S * K);
      for (let s = 0; s < S; s++) {
        for (let i = 0; i < K; i++) {
          let v = mean[n * K + i];
          for (let j = 0; j <= i; j++) v += L[i * K + j] * z[s * K + j];
          f[i] = v;
        }
        writeProbs(out, s * N + n, f, K, bernoulli);
      }
    }
  } finally {
    arena.reset(mark);
  }
}

/**
 * The class predictive from output moments: S sampled outputs per point (kept for the entropy split),
 * with the averaged probabilities replaced by the probit approximation unless `link` is 'mc'.
 */
export function glmClassification(arena: Arena, mean: Float32Array, cov: Float64Array, N: number, K: number, bernoulli: boolean, S: number, seed: number, link: 'probit' | 'mc'): ClassificationPredictive {
  return runSteps(glmClassificationSteps(arena, mean, cov, N, K, bernoulli, S, seed, link));
}

/** `glmClassification` with a yield point after each block of rows; no arena memory is held there, and the bits are the same. */
export function* glmClassificationSteps(arena: Arena, mean: Float32Array, cov: Float64Array, N: number, K: number, bernoulli: boolean, S: number, seed: number, link: 'probit' | 'mc'): Steps<ClassificationPredictive> {
  const Kp = bernoulli ? 2 : K;
  const probs = new Float32Array(S * N * Kp);
  const rows = rowsPerStep(S * K * (K + 4) + K * K * K);
  for (let n = 0; n < N; n += rows) {
    sampledProbsAt(arena, mean, cov, N, K, bernoulli, S, seed, n, Math.min(N, n + rows), probs);
    yield;
  }
  const sampled = yield* classificationSteps(probs, S, Kp);
  if (link === 'mc') return sampled;
  // Probit: the averaged probabilities in closed form; the entropy split keeps the sampled E[H].
  return withProbs(sampled, probitProbs(mean, cov, N, K, bernoulli), Kp);
}

function withProbs(p: ClassificationPredictive, probs: Float32Array, K: number): ClassificationPredictive {
  const N = probs.length / K;
  const avg = Float64Array.from(probs);
  const entropy = new Float64Array(N);
  const mutualInformation = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    let h = 0;
    for (let c = 0; c < K; c++) if (avg[n * K + c] > 0) h -= avg[n * K + c] * exact.log(avg[n * K + c]);
    entropy[n] = h;
    mutualInformation[n] = Math.max(0, h - p.expectedEntropy[n]);
  }
  return { ...p, probs: avg, entropy, mutualInformation };
}


function writeProbs(out: Float32Array, row: number, z: ArrayLike<number>, K: number, bernoulli: boolean): void {
  if (bernoulli) {
    const p = 1 / (1 + exact.exp(-z[0]));
    out[row * 2] = 1 - p;
    out[row * 2 + 1] = p;
    return;
  }
  let mx = -Infinity;
  for (let c = 0; c < K; c++) mx = Math.max(mx, z[c]);
  let t = 0;
  for (let c = 0; c < K; c++) t += exact.exp(z[c] - mx);
  for (let c = 0; c < K; c++) out[row * K + c] = exact.exp(z[c] - mx) / t;
}

/** Small K×K Cholesky in f64; a PSD output covariance that is singular (softmax shift) gets a tiny jitter. */
function choleskyJittered(a: ArrayLike<number>, K: number, L: Float64Array): void {
  let mean = 0;
  for (let i = 0; i < K; i++) mean += a[i * K + i] / K;
  for (let jit = 0, tries = 0; tries < 12; tries++, jit = (jit || 1e-12 * Math.max(mean, 1e-300)) * 10) {
    L.fill(0);
    let ok = true;
    for (let i = 0; i < K && ok; i++) {
      for (let j = 0; j <= i; j++) {
        let s = a[i * K + j] + (i === j ? jit : 0);
        for (let k = 0; k < j; k++) s -= L[i * K + k] * L[j * K + k];
        if (i === j) {
          if (!(s > 0)) ok = s === 0 && mean === 0;
          L[i * K + i] = Math.sqrt(Math.max(s, 0));
        } else L[i * K + j] = L[j * K + j] > 0 ? s / L[j * K + j] : 0;
      }
    }
    if (ok) return;
  }
}

/**
 * The linearized (GLM) predictive of Laplace-LoRA: logits f(x; φ) ≈ f(x; φ*) + J(x)(φ − φ*), so per
 * test point a Gaussian N(f(x; φ*), J Σ Jᵀ) over the logits, turned into class probabilities by the
 * Laplace methods' probit / sampled-softmax piece (../laplace/predictive.ts).
 *
 * Why it is the default: the Gaussian N(φ*, (H + λI)⁻¹) is fitted to the linearized model (H is the
 * GGN, the Hessian of that model), and along the GGN's near-flat directions its spread is wide.
 * Pushing such draws of φ through the network (nonlinear in φ: ΔW = BA is bilinear, then ReLUs)
 * lands far from where the Gaussian was fitted and wrecks the fit (Immer et al. 2021; Laplace-LoRA,
 * Yang et al. 2024 use the linearized predictive for this reason). The linearized predictive is the
 * predictive of the model the Gaussian is the posterior of.
 *
 * J for one example and class c: the engine backpropagates the unit output vector e_c to δ_c at each
 * adapted layer with input a, so ∂f_c/∂W = a ⊗ δ_c and, through ΔW[i,o] = Σₖ A[k,i]·B[o,k],
 * ∂f_c/∂A[k,i] = aᵢ·(Bᵀδ_c)ₖ and ∂f_c/∂B[o,k] = δ_c,o·(A a)ₖ.
 */
import type { MlpSpec } from '../../model/spec.js';
import { checkFinite } from '../../posterior/finite.js';
import { toInputs } from '../../posterior/network.js';
import { withInterval } from '../../posterior/network-posterior.js';
import { f32, f64, formatError, stateNumber } from '../../posterior/parts.js';
import { registerPosteriorFormat } from '../../posterior/restore.js';
import { encodePosterior } from '../../posterior/serialize.js';
import { sampleCount } from '../../posterior/source.js';
import type { ClassificationPredictive, Inputs, Posterior, PredictOptions } from '../../posterior/types.js';
import { signalOption } from '../../signal.js';
import { engineFor } from '../common.js';
import { Linearization } from '../laplace/engine.js';
import { glmClassificationSteps } from '../laplace/predictive.js';
import { LoraAdapters, type AdapterSpec } from './adapters.js';
import { checkPredictOptions } from '../../posterior/predict-options.js';
import { runSteps, runYielding, throwIfAborted, type Steps } from '../../posterior/yielding.js';

/** Posterior samples of the logits where sampling is used (as the Laplace posterior). */
const DEFAULT_SAMPLES = 100;
const BATCH = 64;

export interface LoraGlmParts {
  adapters: LoraAdapters;
  phi: Float32Array;
  /** φ indices the Gaussian covers. */
  indices: Int32Array;
  /** d × d (row-major) with Σ = R·Rᵀ over the indices. */
  root: Float64Array;
  priorPrecision: number;
  subset: 'all' | 'B';
  link: 'probit' | 'mc';
}

/**
 * Logits (b × K) and the Jacobian of the logits w.r.t. φ[indices] (K planes of b × d, float64) for
 * `b` rows already at `px`; `lin` is forwarded and backpropagated here.
 */
function logitsAndJacobian(ad: LoraAdapters, phi: Float32Array, lin: Linearization, pTheta: number, px: number, b: number, pos: Int32Array, d: number, J: Float64Array): Float32Array {
  const arena = lin.arena;
  const K = lin.C;
  const B = lin.capacity;
  const logits = arena.f32(lin.forward(pTheta, px, b), b * K).slice();
  const v = arena.f32(lin.v, K * B * K);
  v.fill(0);
  for (let c = 0; c < K; c++) for (let n = 0; n < b; n++) v[(c * B + n) * K + c] = 1;
  lin.backward(pTheta, b);
  J.fill(0, 0, K * b * d);
  for (const p of ad.placed) {
    const { fanIn: I, fanOut: O, rank: r, layer } = p;
    const aug = arena.f32(lin.aug(layer), b * (I + 1));
    const w = new Float64Array(r);
    const u = new Float64Array(r);
    for (let n = 0; n < b; n++) {
      const a = n * (I + 1);
      for (let k = 0; k < r; k++) {
        let s = 0;
        for (let i = 0; i < I; i++) s += aug[a + i] * phi[p.a + k * I + i];
        w[k] = s;
      }
      for (let c = 0; c < K; c++) {
        const delta = arena.f32(lin.delta(layer, c), b * O);
        const row = (c * b + n) * d;
        for (let k = 0; k < r; k++) {
          let s = 0;
          for (let o = 0; o < O; o++) s += delta[n * O + o] * phi[p.b + o * r + k];
          u[k] = s;
        }
        for (let k = 0; k < r; k++) {
          for (let i = 0; i < I; i++) {
            const j = pos[p.a + k * I + i];
            if (j >= 0) J[row + j] = aug[a + i] * u[k];
          }
        }
        for (let o = 0; o < O; o++) {
          for (let k = 0; k < r; k++) {
            const j = pos[p.b + o * r + k];
            if (j >= 0) J[row + j] = delta[n * O + o] * w[k];
          }
        }
      }
    }
  }
  return logits;
}

function positions(size: number, indices: Int32Array): Int32Array {
  const pos = new Int32Array(size).fill(-1);
  indices.forEach((i, k) => (pos[i] = k));
  return pos;
}

/** The Jacobian of the logits w.r.t. every adapter value at rows x (N × K × P, float64): for tests and tools. */
export function adapterJacobian(ad: LoraAdapters, phi: Float32Array, x: Float32Array): Float64Array {
  const spec = ad.mlp.spec;
  const arena = ad.mlp.arena;
  const N = x.length / spec.inputs;
  const K = spec.outputs;
  const P = ad.size;
  const all = Int32Array.from({ length: P }, (_, i) => i);
  const out = new Float64Array(N * K * P);
  const mark = arena.mark();
  try {
    const lin = new Linearization(spec, arena, 1, K, Math.min(...ad.placed.map((p) => p.layer)));
    const pTheta = arena.putF32(ad.merge(phi));
    const px = arena.allocF32(spec.inputs);
    const J = new Float64Array(K * P);
    for (let n = 0; n < N; n++) {
      arena.putF32(x.subarray(n * spec.inputs, (n + 1) * spec.inputs), px);
      logitsAndJacobian(ad, phi, lin, pTheta, px, 1, positions(P, all), P, J);
      out.set(J, n * K * P);
    }
  } finally {
    arena.reset(mark);
  }
  return out;
}

/** Logit means (N × K) and covariances J Σ Jᵀ (N × K × K) of the linearized adapted network. */
export function loraGlmMoments(p: LoraGlmParts, x: Float32Array): { mean: Float32Array; cov: Float64Array } {
  return runSteps(loraGlmMomentSteps(p, x));
}

/**
 * `loraGlmMoments` one batch per step (the batches of one pass, so the same bits); each batch marks
 * and resets the arena itself, so nothing of it is held at a yield point.
 */
export function* loraGlmMomentSteps(p: LoraGlmParts, x: Float32Array): Steps<{ mean: Float32Array; cov: Float64Array }> {
  const spec = p.adapters.mlp.spec;
  const N = x.length / spec.inputs;
  const K = spec.outputs;
  const mean = new Float32Array(N * K);
  const cov = new Float64Array(N * K * K);
  const B = Math.max(1, Math.min(BATCH, N));
  const theta = p.adapters.merge(p.phi);
  const pos = positions(p.adapters.size, p.indices);
  for (let s = 0; s < N; s += B) {
    momentsAt(p, theta, pos, x, s, Math.min(N, s + B), mean, cov);
    if (s + B < N) yield;
  }
  return { mean, cov };
}

/** Rows [from, to) of x (from on a batch boundary of min(BATCH, N) rows) into mean and cov; `theta` = the merged network. */
function momentsAt(p: LoraGlmParts, theta: Float32Array, pos: Int32Array, x: Float32Array, from: number, to: number, mean: Float32Array, cov: Float64Array): void {
  const ad = p.adapters;
  const spec = ad.mlp.spec;
  const arena = ad.mlp.arena;
  const k = arena.k;
  const N = x.length / spec.inputs;
  const K = spec.outputs;
  const d = p.indices.length;
  const mark = arena.mark();
  try {
    const B = Math.max(1, Math.min(BATCH, N));
    const lin = new Linearization(spec, arena, B, K, Math.min(...ad.placed.map((q) => q.layer)));
    const pTheta = arena.putF32(theta);
    const px = arena.allocF32(B * spec.inputs);
    const pR = arena.putF64(p.root);
    const pJ = arena.allocF64(B * d);
    const pV = arena.allocF64(K * B * d);
    const J = new Float64Array(K * B * d);
    for (let s = from; s < to; s += B) {
      const b = Math.min(B, to - s);
      arena.putF32(x.subarray(s * spec.inputs, (s + b) * spec.inputs), px);
      mean.set(logitsAndJacobian(ad, p.phi, lin, pTheta, px, b, pos, d, J), s * K);
      // V_c = J_c·R, then (J Σ Jᵀ)[c, e] = ⟨V_c row, V_e row⟩ per example.
      for (let c = 0; c < K; c++) {
        arena.f64(pJ, b * d).set(J.subarray(c * b * d, (c + 1) * b * d));
        k.gemm_f64_nn(pV + 8 * c * b * d, pJ, pR, b, d, d, 0);
      }
      const V = arena.f64(pV, K * b * d);
      for (let n = 0; n < b; n++) {
        const o = (s + n) * K * K;
        for (let c = 0; c < K; c++) {
          for (let e = 0; e <= c; e++) {
            let t = 0;
            const rc = (c * b + n) * d;
            const re = (e * b + n) * d;
            for (let j = 0; j < d; j++) t += V[rc + j] * V[re + j];
            cov[o + c * K + e] = cov[o + e * K + c] = t;
          }
        }
      }
    }
  } finally {
    arena.reset(mark);
  }
}

/** Laplace-LoRA with the linearized predictive. */
export class LoraLaplacePosterior implements Posterior<'classification'> {
  readonly method = 'lora-laplace-glm';
  readonly spec: MlpSpec;

  constructor(readonly parts: LoraGlmParts) {
    this.spec = parts.adapters.mlp.spec;
  }

  get priorPrecision(): number {
    return this.parts.priorPrecision;
  }

  get info(): Record<string, unknown> {
    const p = this.parts;
    return { predictive: 'glm', link: p.link, priorPrecision: p.priorPrecision, laplaceSubset: p.subset, laplaceParameters: p.indices.length, adapterParameters: p.adapters.size };
  }

  /**
   * The linearized predictive at rows x. It gives the thread back every ~50 ms of work and stops
   * with E_ABORTED once `opts.signal` is aborted; no arena memory is held across those yields (each
   * batch marks and resets the arena), so concurrent predicts need no lock.
   */
  async predict(x: Inputs, opts: PredictOptions = {}): Promise<ClassificationPredictive> {
    opts = checkPredictOptions(opts);
    signalOption(opts.signal);
    const rows = toInputs(x, this.spec.inputs);
    const S = sampleCount(opts.samples, 'samples', DEFAULT_SAMPLES);
    throwIfAborted(opts.signal, 'predict');
    const p = await runYielding(this.steps(rows, S, opts.seed ?? 0), opts.signal, 'predict');
    return withInterval(checkFinite(p, rows, this.spec.inputs));
  }

  private *steps(rows: Float32Array, S: number, seed: number): Steps<ClassificationPredictive> {
    const N = rows.length / this.spec.inputs;
    const { mean, cov } = yield* loraGlmMomentSteps(this.parts, rows);
    return yield* glmClassificationSteps(this.parts.adapters.mlp.arena, mean, cov, N, this.spec.outputs, false, S, seed, this.parts.link);
  }

  toBytes(): Uint8Array<ArrayBuffer> {
    const p = this.parts;
    const layers = Float64Array.from(p.adapters.spec.layers.flatMap((l) => [l.layer, l.rank]));
    return encodePosterior({
      method: this.method,
      spec: this.spec,
      state: { priorPrecision: p.priorPrecision, subset: p.subset, link: p.link },
      arrays: { theta0: p.adapters.theta0, phi: p.phi, layers, indices: Float64Array.from(p.indices), root: p.root },
    });
  }
}

registerPosteriorFormat('lora-laplace-glm', async (parts) => {
  const mlp = await engineFor(parts.spec);
  const theta0 = f32(parts, 'theta0', mlp.size);
  const flat = f64(parts, 'layers');
  const spec: AdapterSpec = { layers: Array.from({ length: flat.length / 2 }, (_, i) => ({ layer: flat[2 * i], rank: flat[2 * i + 1] })) };
  let adapters: LoraAdapters;
  try {
    adapters = new LoraAdapters(mlp, theta0, spec);
  } catch (e) {
    throw formatError(`lora-laplace-glm: the adapters do not fit the network (${(e as Error).message})`);
  }
  const phi = f32(parts, 'phi', adapters.size);
  const idx = f64(parts, 'indices');
  if (!idx.every((i, k) => Number.isInteger(i) && i >= 0 && i < adapters.size && (k === 0 || i > idx[k - 1]))) throw formatError('lora-laplace-glm: indices are not increasing adapter positions');
  const d = idx.length;
  const root = f64(parts, 'root', d * d);
  const subset = parts.state?.subset;
  const link = parts.state?.link;
  if (subset !== 'all' && subset !== 'B') throw formatError('lora-laplace-glm: state "subset" is not all | B');
  if (link !== 'probit' && link !== 'mc') throw formatError('lora-laplace-glm: state "link" is not probit | mc');
  return new LoraLaplacePosterior({ adapters, phi, indices: Int32Array.from(idx), root, priorPrecision: stateNumber(parts, 'priorPrecision', 'positive'), subset, link });
});

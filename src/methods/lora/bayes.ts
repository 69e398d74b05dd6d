/**
 * Fine-tuning low-rank adapters, and three Bayesian treatments of them. Each returns a
 * NetworkPosterior: the point fine-tune a PointSource at θ₀ + ΔW(φ*), the Bayesian ones a DrawsSource
 * of merged weight vectors θ₀ + ΔW(φₛ) for draws φₛ of the adapters' posterior.
 *
 *  - Laplace-LoRA (Yang et al. 2024): N(φ*, (H + λI)⁻¹), H the exact GGN over φ,
 *    Σₙ Σ_c p_nc·gₙc·gₙcᵀ with gₙc = ∂(−log p_c)/∂φ (the categorical GGN's factorization), λ by
 *    maximizing the Laplace evidence in λ on H's eigenvalues. By default it returns the linearized
 *    predictive (glm.ts: a LoraLaplacePosterior), not draws.
 *  - SWAG-LoRA: SGD on φ from φ*, diagonal + low-rank moments of the per-epoch iterates (Maddox et al. 2019).
 *  - VI-LoRA (BLoB-style, Wang et al. 2024): mean-field N(μ, softplus(ρ)²) over φ by Bayes by backprop.
 * Philox tags: 0x4d Laplace/SWAG draws (c1 = draw), 0x4e VI training draws (c1 = step).
 */
import { argError, describe } from '../../errors.js';
import { checkDataset, type Dataset } from '../../data/dataset.js';
import { eigh } from '../../linalg/index.js';
import type { Mlp } from '../../model/mlp.js';
import { NetworkPosterior } from '../../posterior/network-posterior.js';
import { DrawsSource } from '../../posterior/sources/draws.js';
import { PointSource } from '../../posterior/sources/point.js';
import { keyOf, Rng } from '../../random/index.js';
import { fit, type FitOptions, type Objective } from '../../train/fit.js';
import { sgd, type Transform } from '../../train/optimizers.js';
import type { Schedule } from '../../train/schedules.js';
import { custom, enumOf, int, num, schema, union, type Field } from '../../options/schema.js';
import { goldenMax } from '../golden-section.js';
import { adapterObjective, LoraAdapters, type AdapterSpec } from './adapters.js';
import { LoraLaplacePosterior } from './glm.js';
import * as exact from '../../random/exact-math.js';

export const LORA_DRAW_TAG = 0x4d;
export const LORA_VI_TAG = 0x4e;

const isFunction = (v: unknown): boolean => typeof v === 'function';
const SEED = { seed: int({ min: 0, default: 0, help: 'seed of every random choice' }) };
const SAMPLES = { samples: int({ min: 1, default: 30, help: 'draws of φ kept for the predictive' }) };
const PRIOR = { priorPrecision: num({ min: 0, default: 1, help: 'N(0, 1/λ) prior on the adapters during training' }) };

/** fitLora's options (the one training loop's, over the adapters), checked before any work. */
export const LORA_FIT_OPTIONS = schema('fitLora', {
  epochs: int({ min: 1, default: 40, help: 'training epochs' }),
  batchSize: int({ min: 1, default: 32, help: 'minibatch size' }),
  learningRate: union(num({ gt: 0, help: '' }), custom<Schedule>({ expected: 'a schedule (step, totalSteps) => rate', valid: isFunction, help: '' }), { default: 1e-3, help: 'learning rate (or a schedule)' }),
  optimizer: custom<Transform>({ expected: 'a gradient transform { init, update }', valid: (v) => v !== null && typeof v === 'object', defaultText: 'Adam', help: 'the optimizer' }),
  ...SEED,
  ...PRIOR,
  init: custom<Float32Array>({ expected: 'a Float32Array of the adapter values', valid: (v) => v instanceof Float32Array, defaultText: 'B = 0, A random', help: 'starting adapters' }),
} satisfies { [K in keyof Required<LoraFitOptions>]: Field<Required<LoraFitOptions>[K]> });

export interface LoraFitOptions extends Pick<FitOptions, 'epochs' | 'batchSize' | 'learningRate' | 'seed' | 'optimizer'> {
  /** N(0, 1/λ) prior on the adapters during fine-tuning (default 1). */
  priorPrecision?: number;
  /** Starting adapters (default: B = 0, A random). */
  init?: Float32Array;
}

export interface LoraFit {
  adapters: LoraAdapters;
  /** The fine-tuned adapter vector φ*. */
  phi: Float32Array;
  /** The point posterior at θ₀ + ΔW(φ*). */
  posterior: NetworkPosterior<PointSource, 'classification'>;
}

function checkData(mlp: Mlp, data: Dataset): void {
  if (mlp.spec.likelihood !== 'categorical') throw argError('E_ARG', 'spec.likelihood', "'categorical' (the adapters' Bayesian treatments are for classifiers)", describe(mlp.spec.likelihood), 'Use a classification network.');
  if (data?.inputs !== mlp.spec.inputs) throw argError('E_SHAPE', 'data', `${mlp.spec.inputs} inputs`, describe(data?.inputs), 'Pass rows shaped like the pretrained network’s inputs.');
}

/** Fine-tunes rank-r adapters of the frozen (mlp, θ₀) on `data` with the one training loop. Inputs are used as given (no standardization). */
export async function fitLora(mlp: Mlp, theta0: Float32Array, data: Dataset, adapters: AdapterSpec, opts: LoraFitOptions = {}): Promise<LoraFit> {
  opts = LORA_FIT_OPTIONS.check(opts);
  checkDataset(data, 'data');
  checkData(mlp, data);
  const ad = new LoraAdapters(mlp, theta0, adapters);
  const objective = adapterObjective(ad, { priorPrecision: opts.priorPrecision });
  const r = await fit(mlp, data, { ...opts, standardize: false, objective, init: opts.init });
  return { adapters: ad, phi: r.params, posterior: pointPosterior('lora', ad, r.params, mlp) };
}

function pointPosterior(method: string, ad: LoraAdapters, phi: Float32Array, mlp: Mlp) {
  return new NetworkPosterior<PointSource, 'classification'>(method, mlp.spec, undefined, new PointSource(ad.merge(phi), 1), mlp);
}

function drawsPosterior(method: string, ad: LoraAdapters, draws: Float32Array[], extra: Record<string, unknown>) {
  const P = ad.mlp.size;
  const all = new Float32Array(draws.length * P);
  draws.forEach((phi, s) => all.set(ad.merge(phi), s * P));
  return new NetworkPosterior<DrawsSource, 'classification'>(method, ad.mlp.spec, undefined, new DrawsSource(all, P, 1, { adapterParameters: ad.size, ...extra }), ad.mlp);
}

/** The exact categorical GGN over φ at φ* on `data` (P×P, float64, row-major). Classes with p < 1e-6 are skipped (their share is below that). */
export function adapterGgn(f: LoraFit, data: Dataset): Float64Array {
  const { adapters: ad, phi } = f;
  const mlp = ad.mlp;
  const arena = mlp.arena;
  const P = ad.size;
  const C = mlp.spec.outputs;
  const H = new Float64Array(P * P);
  const mark = arena.mark();
  try {
    const obj = adapterObjective(ad, { priorPrecision: 0 });
    const x = arena.allocF32(data.inputs);
    const y = arena.allocF32(1);
    const theta = ad.merge(phi);
    const th = arena.putF32(theta);
    for (let n = 0; n < data.n; n++) {
      arena.f32(x, data.inputs).set(data.x.subarray(n * data.inputs, (n + 1) * data.inputs));
      const out = arena.f32(mlp.forwardAt(th, x, 1), C).slice();
      const m = Math.max(...out);
      const e = Array.from(out, (v) => exact.exp(v - m));
      const z = e.reduce((a, b) => a + b, 0);
      for (let c = 0; c < C; c++) {
        const p = e[c] / z;
        if (p < 1e-6) continue;
        arena.f32(y, 1)[0] = c;
        const g = obj.gradAt(phi, x, y, 1).grad;
        for (let i = 0; i < P; i++) {
          const gi = p * g[i];
          if (gi === 0) continue;
          for (let j = i; j < P; j++) H[i * P + j] += gi * g[j];
        }
      }
    }
  } finally {
    arena.reset(mark);
  }
  for (let i = 0; i < P; i++) for (let j = 0; j < i; j++) H[i * P + j] = H[j * P + i];
  return H;
}

export interface LoraLaplaceOptions {
  /** Draws of φ kept for the predictive (default 30). */
  samples?: number;
  /** A fixed prior precision instead of the evidence's choice. */
  priorPrecision?: number;
  seed?: number;
  /**
   * 'all' (default): a Gaussian over every adapter value. 'B': over the B factors with A fixed at A*
   * (the adapted layer is then linear in its parameters, and A·B's rescaling and rotation symmetries,
   * flat directions of the likelihood that a Gaussian turns into wide ones, are gone).
   */
  subset?: 'all' | 'B';
  /**
   * 'glm' (default): the linearized predictive, logits ~ N(f(φ*), J Σ Jᵀ) (see glm.ts for why).
   * 'sampled': `samples` draws of φ pushed through the network (a DrawsSource posterior).
   */
  predictive?: 'glm' | 'sampled';
  /** How the linearized predictive's logits become probabilities: 'probit' (default) or 'mc' sampling. */
  link?: 'probit' | 'mc';
}

/** loraLaplace's options, checked before any work. */
export const LORA_LAPLACE_OPTIONS = schema('loraLaplace', {
  ...SAMPLES,
  priorPrecision: num({ gt: 0, defaultText: "the Laplace evidence's choice", help: 'a fixed prior precision λ' }),
  ...SEED,
  subset: enumOf(['all', 'B'] as const, { default: 'all', help: "'all': a Gaussian over every adapter value; 'B': over the B factors with A fixed at A*" }),
  predictive: enumOf(['glm', 'sampled'] as const, { default: 'glm', help: "'glm': the linearized predictive; 'sampled': draws of φ through the network" }),
  link: enumOf(['probit', 'mc'] as const, { default: 'probit', help: "how the linearized predictive's logits become probabilities" }),
} satisfies { [K in keyof Required<LoraLaplaceOptions>]: Field<Required<LoraLaplaceOptions>[K]> });

/** Indices of φ the Laplace covers. */
function laplaceIndices(ad: LoraAdapters, subset: 'all' | 'B'): number[] {
  if (subset === 'all') return Array.from({ length: ad.size }, (_, i) => i);
  return ad.placed.flatMap((p) => Array.from({ length: p.rank * p.fanOut }, (_, j) => p.b + j));
}

/** The log Laplace evidence in λ, up to terms constant in λ: −λ/2‖φ*‖² + P/2·log λ − ½Σ log(eᵢ + λ). */
export function laplaceLogEvidence(lambda: number, eig: ArrayLike<number>, phiSq: number): number {
  let s = 0;
  for (let i = 0; i < eig.length; i++) s += exact.log(Math.max(eig[i], 0) + lambda);
  return -0.5 * lambda * phiSq + 0.5 * eig.length * exact.log(lambda) - 0.5 * s;
}

/** Laplace-LoRA: a full Gaussian over the adapters at φ*, the prior precision by the evidence; the linearized predictive unless `predictive: 'sampled'`. */
export function loraLaplace(f: LoraFit, data: Dataset, opts: LoraLaplaceOptions & { predictive: 'sampled' }): NetworkPosterior<DrawsSource, 'classification'>;
export function loraLaplace(f: LoraFit, data: Dataset, opts?: LoraLaplaceOptions & { predictive?: 'glm' }): LoraLaplacePosterior;
export function loraLaplace(f: LoraFit, data: Dataset, opts: LoraLaplaceOptions = {}): LoraLaplacePosterior | NetworkPosterior<DrawsSource, 'classification'> {
  const o = LORA_LAPLACE_OPTIONS;
  opts = o.check(opts);
  checkDataset(data, 'data');
  checkData(f.adapters.mlp, data);
  const [subset, predictive, link, S] = [o.value(opts, 'subset'), o.value(opts, 'predictive'), o.value(opts, 'link'), o.value(opts, 'samples')];
  const P = f.adapters.size;
  const idx = laplaceIndices(f.adapters, subset);
  const d = idx.length;
  const full = adapterGgn(f, data);
  const H = new Float64Array(d * d);
  idx.forEach((i, a) => idx.forEach((j, b) => (H[a * d + b] = full[i * P + j])));
  const { values, vectors } = eigh(f.adapters.mlp.arena, H, d, { name: 'GGN over the adapters' });
  const phiSq = idx.reduce((a, i) => a + f.phi[i] * f.phi[i], 0);
  const lambda = opts.priorPrecision ?? exact.exp(goldenMax((t) => laplaceLogEvidence(exact.exp(t), values, phiSq), exact.log(1e-4), exact.log(1e6)));
  const scale = Array.from(values, (e) => 1 / Math.sqrt(Math.max(e, 0) + lambda));
  if (predictive === 'glm') {
    // Σ = V·diag(scale²)·Vᵀ = R·Rᵀ with R = V·diag(scale).
    const root = Float64Array.from({ length: d * d }, (_, k) => vectors[k] * scale[k % d]);
    return new LoraLaplacePosterior({ adapters: f.adapters, phi: f.phi, indices: Int32Array.from(idx), root, priorPrecision: lambda, subset, link });
  }
  const rng = new Rng(opts.seed ?? 0, 0, [0, 0, LORA_DRAW_TAG]);
  const draws = Array.from({ length: S }, () => {
    const z = scale.map((s) => s * rng.normal());
    const phi = f.phi.slice();
    for (let a = 0; a < d; a++) {
      let v = 0;
      for (let j = 0; j < d; j++) v += vectors[a * d + j] * z[j];
      phi[idx[a]] += v;
    }
    return phi;
  });
  return drawsPosterior('lora-laplace', f.adapters, draws, { priorPrecision: lambda, laplaceSubset: subset, laplaceParameters: d });
}

export interface LoraSwagOptions {
  /** SGD epochs after φ*, one snapshot each (default 20; rank = min(this, 20)). */
  epochs?: number;
  learningRate?: number;
  batchSize?: number;
  samples?: number;
  priorPrecision?: number;
  seed?: number;
}

/** loraSwag's options, checked before any work. */
export const LORA_SWAG_OPTIONS = schema('loraSwag', {
  epochs: int({ min: 1, default: 20, help: 'SGD epochs after φ*, one snapshot each (rank = min(this, 20))' }),
  learningRate: num({ gt: 0, default: 0.01, help: 'SGD learning rate' }),
  batchSize: int({ min: 1, default: 32, help: 'minibatch size' }),
  ...SAMPLES,
  ...PRIOR,
  ...SEED,
} satisfies { [K in keyof Required<LoraSwagOptions>]: Field<Required<LoraSwagOptions>[K]> });

/** SWAG-LoRA: diagonal + low-rank Gaussian over the adapters' constant-rate SGD iterates, started at φ*. */
export async function loraSwag(f: LoraFit, data: Dataset, opts: LoraSwagOptions = {}) {
  opts = LORA_SWAG_OPTIONS.check(opts);
  checkDataset(data, 'data');
  checkData(f.adapters.mlp, data);
  const ad = f.adapters;
  const P = ad.size;
  const K = opts.epochs ?? 20;
  const snaps: Float32Array[] = [];
  const objective = adapterObjective(ad, { priorPrecision: opts.priorPrecision });
  await fit(ad.mlp, data, {
    epochs: K, batchSize: opts.batchSize ?? 32, learningRate: opts.learningRate ?? 0.01, optimizer: sgd(), seed: (opts.seed ?? 0) + 1,
    standardize: false, objective, init: f.phi,
    hooks: { onEpoch: (ctx) => void snaps.push(ctx.arena.f32(ctx.params, P).slice()) },
  });
  const mean = new Float64Array(P);
  const sq = new Float64Array(P);
  for (const s of snaps) for (let i = 0; i < P; i++) (mean[i] += s[i] / K), (sq[i] += (s[i] * s[i]) / K);
  const sd = Array.from(mean, (m, i) => Math.sqrt(Math.max(sq[i] - m * m, 0)));
  const dev = snaps.slice(-Math.min(K, 20)).map((s) => Float64Array.from(s, (v, i) => v - mean[i]));
  const rng = new Rng(opts.seed ?? 0, 1, [0, 0, LORA_DRAW_TAG]);
  const kr = Math.max(dev.length - 1, 1);
  const draws = Array.from({ length: opts.samples ?? 30 }, () => {
    const phi = Float32Array.from(mean, (m, i) => m + (sd[i] * rng.normal()) / Math.SQRT2);
    for (const d of dev) {
      const z = rng.normal() / Math.sqrt(2 * kr);
      for (let i = 0; i < P; i++) phi[i] += z * d[i];
    }
    return phi;
  });
  return drawsPosterior('lora-swag', ad, draws, { snapshots: K });
}

export interface LoraViOptions extends LoraFitOptions {
  samples?: number;
  /** Initial ρ of every adapter value (default −5: σ ≈ 0.0067). */
  rhoInit?: number;
}

/** loraVi's options: fitLora's, with the draws kept and the initial ρ. */
export const LORA_VI_OPTIONS = LORA_FIT_OPTIONS.extend('loraVi', {
  ...SAMPLES,
  rhoInit: num({ default: -5, help: 'initial ρ of every adapter value (σ = softplus(ρ); −5: σ ≈ 0.0067)' }),
} satisfies { [K in Exclude<keyof LoraViOptions, keyof LoraFitOptions>]-?: Field<Required<LoraViOptions>[K]> });

/** The negative ELBO per example over (μ, ρ) of the adapters; one reparameterized draw per step. */
export function loraViObjective(ad: LoraAdapters, o: { priorPrecision?: number; rhoInit?: number; init?: Float32Array }): Objective {
  const arena = ad.mlp.arena;
  const P = ad.size;
  const inner = adapterObjective(ad, { priorPrecision: 0 });
  const lambda = o.priorPrecision ?? 1;
  const phiPtr = arena.allocF32(P);
  const gPtr = arena.allocF32(P);
  const eps = arena.allocF32(P);
  return {
    size: 2 * P,
    init(seed, stream) {
      const v = new Float32Array(2 * P);
      v.set(o.init ?? ad.init(seed, stream));
      v.fill(o.rhoInit ?? -5, P);
      return v;
    },
    lossAndGradAt(params, grad, x, y, batch, ctx) {
      const k = arena.k;
      const [k0, k1] = keyOf(ctx.seed, ctx.stream);
      k.rng_normal_f32(eps, P, k0, k1, ctx.step >>> 0, 0, LORA_VI_TAG);
      k.vi_sample_f32(phiPtr, params, params + 4 * P, eps, P);
      const data = inner.lossAndGradAt(phiPtr, gPtr, x, y, batch, ctx);
      const klScale = 1 / ctx.n;
      const kl = k.vi_grad_f32(grad, grad + 4 * P, gPtr, params, params + 4 * P, eps, P, lambda, klScale);
      return data + klScale * kl;
    },
  };
}

/** VI-LoRA: mean-field Gaussian adapters trained by the ELBO from φ* (or from scratch without `init`). */
export async function loraVi(mlp: Mlp, theta0: Float32Array, data: Dataset, adapters: AdapterSpec, opts: LoraViOptions = {}) {
  opts = LORA_VI_OPTIONS.check(opts);
  checkDataset(data, 'data');
  checkData(mlp, data);
  const ad = new LoraAdapters(mlp, theta0, adapters);
  const objective = loraViObjective(ad, opts);
  const r = await fit(mlp, data, { epochs: opts.epochs, batchSize: opts.batchSize, learningRate: opts.learningRate, optimizer: opts.optimizer, seed: opts.seed, standardize: false, objective });
  const P = ad.size;
  const rng = new Rng(opts.seed ?? 0, 2, [0, 0, LORA_DRAW_TAG]);
  const sigma = Array.from(r.params.subarray(P), (rho) => (rho > 20 ? rho : exact.log1p(exact.exp(rho))));
  const draws = Array.from({ length: opts.samples ?? 30 }, () => Float32Array.from({ length: P }, (_, i) => r.params[i] + sigma[i] * rng.normal()));
  return drawsPosterior('lora-vi', ad, draws, { meanSigma: sigma.reduce((a, b) => a + b, 0) / P });
}

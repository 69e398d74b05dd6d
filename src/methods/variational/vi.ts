/**
 * Mean-field Gaussian variational inference, "Bayes by Backprop" (Graves 2011; Blundell et al. 2015).
 *
 * q(θ) = N(μ, diag σ²), σ = softplus(ρ), over every weight and bias; the loop trains φ = (μ, ρ) on
 * the negative ELBO per example: E_q[NLL of the batch]/B + w·KL(q ‖ N(0, 1/λ))/N. One reparameterized
 * draw θ = μ + σ⊙ε per step (ε from Philox, counter = step); the engine gives ∂L/∂θ and one wasm
 * kernel carries it to (μ, ρ) with the closed-form KL gradient. The KL is divided by the training-set
 * size N, never by the batch size: summed over an epoch's batches the objective is the full ELBO.
 *
 * Philox tags (third counter word): 0x56 training draws (c1 = step), 0x57 test-time draws (c1 = sample).
 * Gaussian noise: fitted by variational EM during training (see noise.ts) unless `noise` is given.
 */
import type { Dataset } from '../../data/dataset.js';
import type { Standardizer } from '../../data/standardize.js';
import type { Mlp } from '../../model/mlp.js';
import { taskOf, type MlpSpec } from '../../model/spec.js';
import { mixturePredictive } from '../../posterior/network.js';
import { encodePosterior, registerPosteriorFormat } from '../../posterior/serialize.js';
import type { Posterior, PredictOptions, Predictive } from '../../posterior/types.js';
import { keyOf } from '../../random/index.js';
import { fit, type Objective } from '../../train/fit.js';
import { engineFor, fitOptionsOf, specFor, type MethodOptions } from '../common.js';
import { intOption, noiseFor, numOption, predictiveNoiseVar, standardized, type NoiseEstimate, type PredictiveNoiseOption } from '../noise.js';

export const VI_TAG = { train: 0x56, predict: 0x57 } as const;

export interface ViOptions extends MethodOptions, PredictiveNoiseOption {
  /** Posterior samples at test time (default 30). */
  samples?: number;
  /** Weight of the KL term (tempering; 1 = the ELBO, < 1 a colder posterior). Default 1. */
  klWeight?: number;
  /** Initial ρ of every weight (default −3: σ ≈ 0.049). */
  rhoInit?: number;
  /** Observation noise σ in target units for a gaussian likelihood; default: fitted by EM. */
  noise?: number;
  /** Standardize inputs and targets with the training statistics (default true). */
  standardize?: boolean;
}

/** The negative ELBO per example over φ = (μ, ρ), as a `fit` objective. Exposed for tests. */
export function viObjective(
  mlp: Mlp,
  o: { priorPrecision?: number; klWeight?: number; rhoInit?: number; noise?: NoiseEstimate } = {},
): Objective & { lastKl: number } {
  const P = mlp.size;
  const lambda = numOption(o.priorPrecision, 'priorPrecision', 1, 0, Infinity, true);
  const w = numOption(o.klWeight, 'klWeight', 1, 0, Infinity);
  const rho0 = numOption(o.rhoInit, 'rhoInit', -3, -Infinity, Infinity, true);
  const arena = mlp.arena;
  // Scratch for the draw: allocated with the engine, outside fit's mark.
  const theta = arena.allocF32(P);
  const eps = arena.allocF32(P);
  const obj = {
    size: 2 * P,
    lastKl: 0,
    init(seed: number, stream: number) {
      const phi = new Float32Array(2 * P);
      phi.set(mlp.init(seed, stream));
      phi.fill(rho0, P);
      return phi;
    },
    lossAndGradAt(params: number, grad: number, x: number, y: number, batch: number, ctx: { seed: number; stream: number; step: number; n: number; epoch: number }) {
      const k = arena.k;
      const [k0, k1] = keyOf(ctx.seed, ctx.stream);
      k.rng_normal_f32(eps, P, k0, k1, ctx.step >>> 0, 0, VI_TAG.train);
      k.vi_sample_f32(theta, params, params + 4 * P, eps, P);
      const data = mlp.lossAndGradAt(theta, grad, x, y, batch, { scale: 1 / batch, noiseVar: o.noise?.variance });
      o.noise?.record(data * batch, batch, mlp.spec.outputs, ctx.epoch);
      const klScale = w / ctx.n;
      const kl = k.vi_grad_f32(grad, grad + 4 * P, grad, params, params + 4 * P, eps, P, lambda, klScale);
      obj.lastKl = kl;
      return data + klScale * kl;
    },
  };
  return obj;
}

/** Trains a mean-field Gaussian posterior on `train`. */
export async function trainVi(train: Dataset, opts: ViOptions = {}): Promise<ViPosterior> {
  const spec = specFor(train, opts);
  const samples = intOption(opts.samples, 'samples', 30);
  const { data, standardizer } = standardized(train, taskOf(spec) === 'regression', opts.standardize);
  const noise = noiseFor(spec.likelihood, opts.noise, standardizer);
  const mlp = await engineFor(spec);
  const objective = viObjective(mlp, { priorPrecision: opts.priorPrecision, klWeight: opts.klWeight, rhoInit: opts.rhoInit, noise });
  const r = await fit(mlp, data, { ...fitOptionsOf(opts, 0, data.n), standardize: false, objective });
  noise?.update();
  const P = mlp.size;
  return new ViPosterior(spec, r.params.slice(0, P), r.params.slice(P), standardizer, predictiveNoiseVar(spec.likelihood, opts.predictiveNoise, standardizer, noise?.variance ?? 1), samples, mlp);
}

export class ViPosterior implements Posterior {
  readonly method = 'vi';
  constructor(
    readonly spec: MlpSpec,
    readonly mu: Float32Array,
    readonly rho: Float32Array,
    readonly standardizer: Standardizer | undefined,
    /** Noise variance in standardized units (gaussian likelihood). */
    readonly noiseVar: number,
    readonly samples = 30,
    private mlp?: Mlp,
  ) {}

  /** Standard deviations σ = softplus(ρ) of the weights (standardized units). */
  get sigma(): Float32Array {
    return this.rho.map((r) => Math.max(r, 0) + Math.log1p(Math.exp(-Math.abs(r))));
  }

  get info(): Record<string, unknown> {
    const s = this.sigma;
    let mean = 0;
    for (const v of s) mean += v / s.length;
    return { noiseStd: Math.sqrt(this.noiseVar) * (this.standardizer?.yStd?.[0] ?? 1), meanWeightStd: mean, samples: this.samples };
  }

  async predict(x: Float32Array, opts: PredictOptions = {}): Promise<Predictive> {
    const S = intOption(opts.samples, 'samples', this.samples);
    const thetas = await this.sampleWeights(S, opts.seed ?? 0);
    return mixturePredictive(this.mlp!, this.standardizer, x, S, (s) => ({ theta: thetas[s] }), { noiseVar: this.noiseVar, signal: opts.signal });
  }

  /** n draws θ = μ + σ⊙ε from q; draw s uses Philox counter (s, 0, 0x57) under key (seed, 0). */
  async sampleWeights(n: number, seed = 0): Promise<Float32Array[]> {
    intOption(n, 'n', 1);
    this.mlp ??= await engineFor(this.spec);
    const a = this.mlp.arena;
    const P = this.mu.length;
    const [k0, k1] = keyOf(seed, 0);
    const mark = a.mark();
    try {
      const mu = a.putF32(this.mu);
      const rho = a.putF32(this.rho);
      const eps = a.allocF32(P);
      const theta = a.allocF32(P);
      return Array.from({ length: n }, (_, s) => {
        a.k.rng_normal_f32(eps, P, k0, k1, s, 0, VI_TAG.predict);
        a.k.vi_sample_f32(theta, mu, rho, eps, P);
        return a.getF32(theta, P);
      });
    } finally {
      a.reset(mark);
    }
  }

  toBytes(): Uint8Array {
    return encodePosterior({
      method: this.method,
      spec: this.spec,
      standardizer: this.standardizer,
      state: { noiseVar: this.noiseVar, samples: this.samples },
      arrays: { mu: this.mu, rho: this.rho },
    });
  }
}

registerPosteriorFormat('vi', async (p) =>
  new ViPosterior(p.spec, p.arrays.mu as Float32Array, p.arrays.rho as Float32Array, p.standardizer, p.state!.noiseVar as number, p.state!.samples as number),
);

/**
 * A mean-field Gaussian q(θ) = N(μ, diag σ²), σ = softplus(ρ) (VI, "Bayes by Backprop"): draw s is
 * θ = μ + σ⊙ε with ε from Philox key (seed, 0), counter (s, 0, VI_TAG.predict).
 */
import type { Standardizer } from '../../data/standardize.js';
import type { MlpSpec } from '../../model/spec.js';
import type { Mlp } from '../../model/mlp.js';
import { keyOf } from '../../random/index.js';
import { f32, stateNumber } from '../parts.js';
import type { PosteriorParts } from '../parts.js';
import { noiseInfo, sampleCount, stateSamples, type WeightSource } from '../source.js';
import type { PredictOptions } from '../types.js';
import * as exact from '../../random/exact-math.js';

/** Philox tags (third counter word): 0x56 training draws (c1 = step), 0x57 test-time draws (c1 = sample). */
export const VI_TAG = { train: 0x56, predict: 0x57 } as const;

export class MeanFieldSource implements WeightSource {
  readonly kind = 'gaussian';
  constructor(
    readonly mu: Float32Array,
    readonly rho: Float32Array,
    /** Noise variance in standardized units (gaussian likelihood). */
    readonly noiseVar: number,
    /** Draws per prediction unless `samples` says otherwise. */
    readonly samples = 30,
  ) {}

  /** Standard deviations σ = softplus(ρ) of the weights (standardized units). */
  get sigma(): Float32Array {
    return this.rho.map((r) => Math.max(r, 0) + exact.log1p(exact.exp(-Math.abs(r))));
  }

  count(opts: PredictOptions): number {
    return sampleCount(opts.samples, 'samples', this.samples);
  }

  /** Draws each θ when it is asked for; μ, ρ and the scratch stay in the engine's arena until `use` settles. */
  async withSamples<R>(mlp: Mlp, seed: number, _count: number, use: (sample: (s: number) => { theta: Float32Array }) => Promise<R>): Promise<R> {
    const a = mlp.arena;
    const mark = a.mark();
    try {
      const draw = this.drawer(mlp, seed);
      return await use((s) => ({ theta: draw(s), noiseVar: this.noiseVar }));
    } finally {
      a.reset(mark);
    }
  }

  sampleWeights(mlp: Mlp, n: number, seed: number): Float32Array[] {
    sampleCount(n, 'n', 1);
    const a = mlp.arena;
    const mark = a.mark();
    try {
      const draw = this.drawer(mlp, seed);
      return Array.from({ length: n }, (_, s) => draw(s));
    } finally {
      a.reset(mark);
    }
  }

  /** `draw(s)`: test-time draw s at `seed` (a fresh array); puts μ, ρ and its scratch in the arena, which the caller resets. */
  private drawer(mlp: Mlp, seed: number): (s: number) => Float32Array {
    const a = mlp.arena;
    const P = this.mu.length;
    const [k0, k1] = keyOf(seed, 0);
    const mu = a.putF32(this.mu);
    const rho = a.putF32(this.rho);
    const eps = a.allocF32(P);
    const theta = a.allocF32(P);
    return (s) => {
      a.k.rng_normal_f32(eps, P, k0, k1, s, 0, VI_TAG.predict);
      a.k.vi_sample_f32(theta, mu, rho, eps, P);
      return a.getF32(theta, P);
    };
  }

  toParts() {
    return { state: { noiseVar: this.noiseVar, samples: this.samples }, arrays: { mu: this.mu, rho: this.rho } };
  }

  info(spec: MlpSpec, s: Standardizer | undefined): Record<string, unknown> {
    const sd = this.sigma;
    let mean = 0;
    for (const v of sd) mean += v / sd.length;
    return { ...noiseInfo(spec, this.noiseVar, s), meanWeightStd: mean, samples: this.samples };
  }

  static fromParts(p: PosteriorParts, weights: number): MeanFieldSource {
    return new MeanFieldSource(f32(p, 'mu', weights), f32(p, 'rho', weights), stateNumber(p, 'noiseVar', 'nonnegative'), stateSamples(p));
  }
}

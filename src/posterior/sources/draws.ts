/**
 * Kept weight vectors (SG-MCMC samples, SVGD particles, HMC/NUTS draws): the predictive is their
 * uniform mixture, over all of them or `samples` of them evenly spaced.
 */
import { argError } from '../../errors.js';
import type { Standardizer } from '../../data/standardize.js';
import type { MlpSpec } from '../../model/spec.js';
import { Rng } from '../../random/index.js';
import { f32, formatError, stateNumber, stateObject } from '../parts.js';
import type { PosteriorParts } from '../parts.js';
import { noiseInfo, sampleCount, type WeightSource } from '../source.js';
import type { PredictOptions } from '../types.js';

/** Philox counter tag of sampleWeights' choices. */
const WEIGHT_DRAW_TAG = 0x6d;

export class DrawsSource implements WeightSource {
  readonly kind = 'draws';
  constructor(
    /** S × P, row-major. */
    readonly samples: Float32Array,
    /** Weights per draw (P). */
    readonly size: number,
    /** Noise variance in standardized units. */
    readonly noiseVar: number,
    /** Facts of the run kept with the draws (diagnostics, options), reported in `info`. */
    readonly extra: Record<string, unknown> = {},
  ) {}

  /** Draws kept. */
  get draws(): number {
    return this.samples.length / this.size;
  }

  /** All draws, or `samples` of them (at most all). */
  count(opts: PredictOptions): number {
    if (this.draws === 0) throw argError('E_EMPTY', 'posterior', 'at least one kept draw', 'none', 'Train with draws ≥ 1 (and samples ≥ 1).');
    return Math.min(sampleCount(opts.samples, 'samples', this.draws), this.draws);
  }

  withSamples<R>(_mlp: unknown, _seed: number, S: number, use: (sample: (s: number) => { theta: Float32Array }) => Promise<R>): Promise<R> {
    const P = this.size;
    const step = this.draws / S;
    return use((s) => {
      const i = Math.floor(s * step);
      return { theta: this.samples.subarray(i * P, (i + 1) * P), noiseVar: this.noiseVar };
    });
  }

  /** n draws chosen uniformly at random (with replacement) by `seed`. */
  sampleWeights(_mlp: unknown, n: number, seed: number): Float32Array[] {
    const P = this.size;
    const rng = new Rng(seed, 0, [0, 0, WEIGHT_DRAW_TAG]);
    return Array.from({ length: n }, () => {
      const i = rng.int(this.draws);
      return this.samples.slice(i * P, (i + 1) * P);
    });
  }

  toParts() {
    return { state: { noiseVar: this.noiseVar, extra: { ...this.extra } }, arrays: { samples: this.samples } };
  }

  info(spec: MlpSpec, s: Standardizer | undefined): Record<string, unknown> {
    const noise = noiseInfo(spec, this.noiseVar, s);
    return { samples: this.draws, ...noise, ...this.extra };
  }

  static fromParts(p: PosteriorParts, weights: number): DrawsSource {
    const samples = f32(p, 'samples');
    if (samples.length === 0 || samples.length % weights !== 0) throw formatError(`${p.method}: array "samples" is not whole draws of ${weights} weights`);
    return new DrawsSource(samples, weights, stateNumber(p, 'noiseVar', 'nonnegative'), stateObject(p, 'extra', true));
  }
}

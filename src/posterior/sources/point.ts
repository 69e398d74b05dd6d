/** One weight vector (MAP): the predictive is the network at θ with the fitted noise (epistemic = 0). */
import type { Standardizer } from '../../data/standardize.js';
import { f32, stateNumber } from '../parts.js';
import type { PosteriorParts } from '../parts.js';
import { noiseInfo, type WeightSource } from '../source.js';
import type { MlpSpec } from '../../model/spec.js';

export class PointSource implements WeightSource {
  readonly kind = 'point';
  constructor(
    readonly theta: Float32Array,
    /** Noise variance in standardized units. */
    readonly noiseVar: number,
  ) {}

  count(): number {
    return 1;
  }

  withSamples<R>(_mlp: unknown, _seed: number, _count: number, use: (sample: () => { theta: Float32Array; noiseVar: number }) => Promise<R>): Promise<R> {
    return use(() => ({ theta: this.theta, noiseVar: this.noiseVar }));
  }

  sampleWeights(_mlp: unknown, n: number): Float32Array[] {
    return Array.from({ length: n }, () => this.theta.slice());
  }

  toParts() {
    return { state: { noiseVar: this.noiseVar }, arrays: { theta: this.theta } };
  }

  info(spec: MlpSpec, s: Standardizer | undefined): Record<string, unknown> {
    return noiseInfo(spec, this.noiseVar, s);
  }

  static fromParts(p: PosteriorParts, weights: number): PointSource {
    return new PointSource(f32(p, 'theta', weights), stateNumber(p, 'noiseVar', 'nonnegative'));
  }
}

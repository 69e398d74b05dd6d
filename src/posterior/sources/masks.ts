/**
 * Dropout masks over one weight vector (MC dropout; Concrete dropout at its learned rates): test
 * pass s uses Philox key (predict seed, 0) and counter TEST_COUNTER + s·TEST_STRIDE (+ the engine's
 * chunk index), a range the training steps never reach, so no test mask repeats a training one.
 */
import { argError } from '../../errors.js';
import type { Standardizer } from '../../data/standardize.js';
import type { MlpSpec } from '../../model/spec.js';
import { f32, formatError, stateNumber } from '../parts.js';
import type { PosteriorParts } from '../parts.js';
import { noiseInfo, sampleCount, stateSamples, type WeightSource } from '../source.js';
import type { PredictOptions } from '../types.js';

/** First test-time mask counter; pass s starts at TEST_COUNTER + s·TEST_STRIDE. */
export const TEST_COUNTER = 0x80000000;
const TEST_STRIDE = 0x10000;

/** What Concrete dropout adds to an MC-dropout posterior: its name and the rates it learned. */
export interface LearnedRates {
  method: 'concrete-dropout';
  /** Learned drop rate per weight layer (index 0 = the inputs; 0 where not learned). */
  learnedRates: number[];
}

export class MaskSource implements WeightSource {
  readonly kind = 'masks';
  constructor(
    readonly theta: Float32Array,
    /** Noise variance in standardized units (gaussian likelihood). */
    readonly noiseVar: number,
    /** Stochastic passes per prediction unless `samples` says otherwise. */
    readonly samples = 30,
    readonly learned?: LearnedRates,
  ) {}

  count(opts: PredictOptions): number {
    const S = sampleCount(opts.samples, 'samples', this.samples);
    if (S >= TEST_STRIDE / 2) throw argError('E_ARG', 'samples', `fewer than ${TEST_STRIDE / 2} passes`, String(S), 'Use e.g. 30–1000.');
    return S;
  }

  withSamples<R>(_mlp: unknown, seed: number, _count: number, use: (sample: (s: number) => { theta: Float32Array }) => Promise<R>): Promise<R> {
    return use((s) => ({ theta: this.theta, noiseVar: this.noiseVar, masks: { seed, stream: 0, counter: TEST_COUNTER + s * TEST_STRIDE } }));
  }

  toParts() {
    return { state: { noiseVar: this.noiseVar, samples: this.samples, learned: this.learned }, arrays: { theta: this.theta } };
  }

  info(spec: MlpSpec, s: Standardizer | undefined): Record<string, unknown> {
    return { ...noiseInfo(spec, this.noiseVar, s), dropout: spec.dropout, samples: this.samples, ...(this.learned && { learnedRates: this.learned.learnedRates }) };
  }

  static fromParts(p: PosteriorParts, weights: number): MaskSource {
    const learned = p.state?.learned as LearnedRates | undefined;
    if (learned !== undefined && !(learned && Array.isArray(learned.learnedRates))) throw formatError(`${p.method}: state "learned" lacks its rates`);
    return new MaskSource(f32(p, 'theta', weights), stateNumber(p, 'noiseVar', 'nonnegative'), stateSamples(p), learned);
  }
}

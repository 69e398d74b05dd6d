/**
 * MC dropout (Gal & Ghahramani 2016): train with dropout, keep it on at test time and average T
 * stochastic passes (default 30). Rates per weight layer (`spec.dropout` semantics: a number applies
 * to the hidden layers' outputs; an array gives one rate per weight layer, index 0 = the inputs);
 * `inputDropout: true` also drops the inputs, as in the UCI setup of Gal's paper.
 *
 * Training masks come from the loop (key (seed, 0), counter = step). Test pass s uses key
 * (predict seed, 0) and counter 0x80000000 + s·0x10000 (+ the engine's chunk index), a range the
 * training steps never reach, so no test mask repeats a training one.
 */
import type { Dataset } from '../../data/dataset.js';
import type { Standardizer } from '../../data/standardize.js';
import { argError, describe } from '../../errors.js';
import type { Mlp } from '../../model/mlp.js';
import { taskOf, type MlpSpec } from '../../model/spec.js';
import { mixturePredictive } from '../../posterior/network.js';
import { encodePosterior, registerPosteriorFormat, type PosteriorParts } from '../../posterior/serialize.js';
import type { Posterior, PredictOptions, Predictive } from '../../posterior/types.js';
import { fit } from '../../train/fit.js';
import { adam, compose, weightDecay } from '../../train/optimizers.js';
import { engineFor, fitOptionsOf, specFor, type MethodOptions } from '../common.js';
import { betaNllOf, intOption, noiseFor, noiseObjective, predictiveNoiseVar, standardized, type BetaNllOption, type PredictiveNoiseOption } from '../noise.js';

/** First test-time mask counter; pass s starts at TEST_COUNTER + s·TEST_STRIDE. */
export const TEST_COUNTER = 0x80000000;
const TEST_STRIDE = 0x10000;

export interface McDropoutOptions extends MethodOptions, PredictiveNoiseOption, BetaNllOption {
  /** Drop rate(s): a number for every hidden layer's output (default 0.05), or one per weight layer. */
  dropout?: number | number[];
  /** Also drop the inputs at the same rate (Gal & Ghahramani's UCI setup). Only with a number rate. */
  inputDropout?: boolean;
  /** Stochastic passes at test time (default 30). */
  samples?: number;
  /** Observation noise σ in target units (gaussian); default: fitted by EM during training. */
  noise?: number;
}

/** The per-layer rates the options ask for (index 0 = the inputs). */
export function dropoutRates(nLayers: number, o: McDropoutOptions): number | number[] {
  const d = o.dropout ?? 0.05;
  if (Array.isArray(d)) {
    if (o.inputDropout) throw argError('E_ARG', 'inputDropout', 'a single dropout rate to extend to the inputs', 'a per-layer array', 'Put the input rate at index 0 of the array instead.');
    return [...d];
  }
  if (typeof d !== 'number' || !(d > 0 && d < 1)) throw argError('E_ARG', 'dropout', 'a rate in (0, 1) or one rate per weight layer', describe(d), 'E.g. 0.05.');
  return o.inputDropout ? new Array(nLayers).fill(d) : d;
}

/** Trains a network with dropout and returns its MC-dropout posterior. */
export async function trainMcDropout(train: Dataset, opts: McDropoutOptions = {}): Promise<McDropoutPosterior> {
  const hidden = opts.hidden ?? [50];
  const spec = specFor(train, opts, { dropout: dropoutRates(hidden.length + 1, opts) });
  const samples = intOption(opts.samples, 'samples', 30);
  const betaNll = betaNllOf(spec.likelihood, opts.betaNll);
  const { data, standardizer } = standardized(train, taskOf(spec) === 'regression');
  const noise = noiseFor(spec.likelihood, opts.noise, standardizer);
  const mlp = await engineFor(spec);
  const fo = fitOptionsOf(opts, 0, data.n);
  const r = await fit(mlp, data, {
    ...fo,
    standardize: false,
    objective: noiseObjective(mlp, noise, true, { betaNll }),
    optimizer: compose(weightDecay(fo.priorPrecision! / data.n), adam()),
  });
  noise?.update();
  return new McDropoutPosterior(spec, r.params, standardizer, predictiveNoiseVar(spec.likelihood, opts.predictiveNoise, standardizer, noise?.variance ?? 1), samples, mlp);
}

/** What Concrete dropout adds to an MC-dropout posterior: its name and the rates it learned. */
export interface LearnedRates {
  method: 'concrete-dropout';
  /** Learned drop rate per weight layer (index 0 = the inputs; 0 where not learned). */
  learnedRates: number[];
}

export class McDropoutPosterior implements Posterior {
  readonly method: 'mc-dropout' | 'concrete-dropout';
  constructor(
    readonly spec: MlpSpec,
    readonly theta: Float32Array,
    readonly standardizer: Standardizer | undefined,
    /** Noise variance in standardized units (gaussian likelihood). */
    readonly noiseVar: number,
    readonly samples = 30,
    private mlp?: Mlp,
    readonly learned?: LearnedRates,
  ) {
    this.method = learned?.method ?? 'mc-dropout';
  }

  get info(): Record<string, unknown> {
    const noiseStd = Math.sqrt(this.noiseVar) * (this.standardizer?.yStd?.[0] ?? 1);
    return { noiseStd, dropout: this.spec.dropout, samples: this.samples, ...(this.learned && { learnedRates: this.learned.learnedRates }) };
  }

  async predict(x: Float32Array, opts: PredictOptions = {}): Promise<Predictive> {
    const S = intOption(opts.samples, 'samples', this.samples);
    if (S >= TEST_STRIDE / 2) throw argError('E_ARG', 'samples', `fewer than ${TEST_STRIDE / 2} passes`, String(S), 'Use e.g. 30–1000.');
    this.mlp ??= await engineFor(this.spec);
    const seed = opts.seed ?? 0;
    return mixturePredictive(
      this.mlp, this.standardizer, x, S,
      (s) => ({ theta: this.theta, masks: { seed, stream: 0, counter: TEST_COUNTER + s * TEST_STRIDE } }),
      { noiseVar: this.noiseVar, signal: opts.signal },
    );
  }

  toBytes(): Uint8Array {
    return encodePosterior({ method: this.method, spec: this.spec, standardizer: this.standardizer, state: { noiseVar: this.noiseVar, samples: this.samples, learned: this.learned }, arrays: { theta: this.theta } });
  }
}

const restore = async (p: PosteriorParts) =>
  new McDropoutPosterior(p.spec, p.arrays.theta as Float32Array, p.standardizer, p.state!.noiseVar as number, p.state!.samples as number, undefined, p.state!.learned as LearnedRates | undefined);
registerPosteriorFormat('mc-dropout', restore);
registerPosteriorFormat('concrete-dropout', restore);

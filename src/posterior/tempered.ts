/**
 * A classification posterior whose predictive is temperature-scaled (temperature.ts). The
 * temperature is part of the file: `toBytes` writes the inner posterior's parts with
 * `state.temperature` added, and `posteriorFromBytes` restores the inner posterior and wraps it again.
 *
 * A wrapper rather than a field of NetworkPosterior because `calibrate` is an option of every row of
 * the method table, and the laplace row ends in a LaplacePosterior (the linearized predictive keeps its
 * own class, laplace/posterior.ts): a field would put the temperature, its check and its
 * serialization into both classes (and into LoRA's linearized posterior, lora/glm.ts, to temper it),
 * where the wrapper holds them once over any Posterior and leaves each inner format untouched (a file
 * with `state.temperature` is the inner posterior's file plus one key, so files written without
 * calibration read as before).
 */
import { BdlError } from '../errors.js';
import { taskOf, type MlpSpec } from '../model/spec.js';
import { formatError, type PosteriorParts } from './parts.js';
import { decodePosterior, encodePosterior } from './serialize.js';
import { temperPredictive } from './temperature.js';
import type { ClassificationPredictive, Inputs, Posterior, PredictOptions } from './types.js';
import { checkPredictOptions } from './predict-options.js';

/** The key of a posterior file's state that holds its temperature. */
export const TEMPERATURE_KEY = 'temperature';

/** A classification posterior and the temperature its averaged probabilities are scaled by (what `calibrate: 'temperature'` returns). */
export class TemperedPosterior implements Posterior<'classification'> {
  readonly sampleWeights?: (n: number, seed?: number) => Promise<Float32Array[]>;

  constructor(
    readonly inner: Posterior,
    readonly temperature: number,
  ) {
    if (!(temperature > 0 && Number.isFinite(temperature))) throw new BdlError('E_ARG', `TemperedPosterior: temperature must be a finite number > 0, found ${temperature}.`, 'temperature');
    if (inner instanceof TemperedPosterior) throw new BdlError('E_ARG', 'TemperedPosterior: the posterior is already tempered; temper its inner posterior instead.', 'inner');
    const draw = inner.sampleWeights?.bind(inner);
    if (draw) this.sampleWeights = draw;
  }

  get method(): string {
    return this.inner.method;
  }

  get spec(): MlpSpec {
    return this.inner.spec;
  }

  get info(): Record<string, unknown> {
    return { ...this.inner.info, temperature: this.temperature };
  }

  async predict(x: Inputs, opts?: PredictOptions): Promise<ClassificationPredictive> {
    opts = checkPredictOptions(opts);
    const p = await this.inner.predict(x, opts);
    if (p.kind !== 'classification') throw new BdlError('E_ARG', `TemperedPosterior: ${this.method} predicts a regression; temperature scaling is for classification.`, 'inner');
    return temperPredictive(p, this.temperature);
  }

  toBytes(): Uint8Array<ArrayBuffer> {
    const parts = decodePosterior(this.inner.toBytes());
    return encodePosterior({ ...parts, state: { ...parts.state, [TEMPERATURE_KEY]: this.temperature } });
  }
}

/** A file's temperature (undefined when it has none) and its parts without it, for the inner posterior's decoder. */
export function splitTemperature(parts: PosteriorParts): { temperature?: number; parts: PosteriorParts } {
  if (parts.state === undefined || !Object.hasOwn(parts.state, TEMPERATURE_KEY)) return { parts };
  const { [TEMPERATURE_KEY]: t, ...rest } = parts.state;
  if (!(typeof t === 'number' && t > 0 && Number.isFinite(t))) throw formatError(`${parts.method}: state "${TEMPERATURE_KEY}" is not a positive number`);
  // Only a classification posterior is tempered: a regression file with a temperature is refused on load, not at its first predict.
  if (taskOf(parts.spec) !== 'classification') throw formatError(`${parts.method}: state "${TEMPERATURE_KEY}" on a ${parts.spec.likelihood} network (temperature scaling is for classification)`);
  return { temperature: t, parts: { ...parts, state: Object.keys(rest).length > 0 ? rest : undefined } };
}

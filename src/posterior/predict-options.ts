/**
 * The options every posterior's `predict` takes, as a schema: checked before any work, so that a
 * misspelt name (`{ sample: 3 }`) is refused with the nearest valid one instead of predicting with
 * the default and a `null` is a typed error rather than a TypeError.
 */
import { custom, int, schema, type Infer } from '../options/schema.js';
import { MAX_SAMPLES } from './source.js';

export const PREDICT_OPTIONS = schema('predict', {
  samples: int({ min: 1, max: MAX_SAMPLES, defaultText: "the method's (its info says it)", help: 'posterior samples at test time' }),
  seed: int({ min: 0, default: 0, help: 'seed of test-time randomness (weight draws, dropout masks)' }),
  signal: custom<AbortSignal>({ expected: 'an AbortSignal (new AbortController().signal)', valid: (v) => typeof AbortSignal !== 'undefined' && v instanceof AbortSignal, help: 'cancels the prediction: predict yields to the event loop every ~50 ms of work, so an abort from a timer, a message or a Ctrl-C handler lands mid-run and rejects it with E_ABORTED' }),
});
export type PredictOptionsChecked = Infer<typeof PREDICT_OPTIONS>;

/** Checks a predict call's options (see PREDICT_OPTIONS); `undefined` is no options. */
export function checkPredictOptions<T>(opts: T): T {
  return PREDICT_OPTIONS.check(opts);
}

/**
 * How many test-time samples a command may ask for. A predictive keeps every sample's outputs (rows ×
 * samples × outputs f32 values: regression's means and variances, classification's probabilities),
 * and a regression's JSON writes the per-sample means and variances out as numbers, in one string.
 * `--samples` is bounded like MC dropout's passes (≤ 32767), and the size it implies for the test
 * rows is checked before any prediction (E_MEMORY naming the flag, the limit and the most samples that
 * fit), instead of an allocation of gigabytes or a JSON too long for one JavaScript string at the end.
 */
import { BdlError } from '../errors.js';
import { formatBytes } from '../linalg/memory.js';
import { taskOf, type MlpSpec } from '../model/spec.js';
import { NetworkPosterior } from '../posterior/network-posterior.js';
import { TemperedPosterior } from '../posterior/tempered.js';
import { PREDICTIVE_LIMIT_BYTES } from '../posterior/network.js';
import type { Posterior } from '../posterior/types.js';

// The library's own bounds (a caller's `samples`, a prediction's per-sample bytes): the command's are the same.
export { MAX_SAMPLES } from '../posterior/source.js';

/** The longest JavaScript string (V8, 64-bit: 2^29 − 24 characters), which holds the whole JSON. */
const STRING_LIMIT = 2 ** 29 - 24;
/** Characters a per-sample number takes in the JSON, at most (f32 values printed as f64: ~19–23, and a comma). */
const CHARS_PER_NUMBER = 24;

/** Values per row and sample of a network's predictive: its outputs, or its classes (2 for a bernoulli head). */
export function predictiveWidth(spec: MlpSpec): number {
  return spec.likelihood === 'bernoulli' ? 2 : spec.outputs;
}

/**
 * Refuses a prediction of `samples` samples at `rows` rows of `width` values each whose per-sample
 * outputs would pass PREDICTIVE_LIMIT_BYTES, or (regression) whose JSON would not fit one string.
 */
export function checkPredictiveSize(rows: number, samples: number, width: number, regression: boolean, flag = 'samples'): void {
  const values = rows * samples * width;
  const perSample = rows * width * 4 * (regression ? 2 : 1);
  const what = `${rows.toLocaleString('en-US')} test rows × ${samples.toLocaleString('en-US')} samples × ${width} output${width > 1 ? 's' : ''}`;
  if (perSample * samples > PREDICTIVE_LIMIT_BYTES) {
    const most = Math.max(1, Math.floor(PREDICTIVE_LIMIT_BYTES / perSample));
    throw new BdlError(
      'E_MEMORY',
      `--${flag}: expected at most ${formatBytes(PREDICTIVE_LIMIT_BYTES)} of per-sample predictions (rows × samples × outputs × 4 bytes${regression ? ', twice: means and variances' : ''}), found ${what} = ${formatBytes(perSample * samples)}. Use --${flag} ${most} or fewer, or predict fewer rows at a time.`,
      flag,
    );
  }
  if (regression && 2 * values * CHARS_PER_NUMBER > STRING_LIMIT) {
    const most = Math.max(1, Math.floor(STRING_LIMIT / (2 * CHARS_PER_NUMBER * rows * width)));
    throw new BdlError(
      'E_MEMORY',
      `--${flag}: expected a JSON that fits one string (${STRING_LIMIT.toLocaleString('en-US')} characters; its per-sample means and variances take up to ${CHARS_PER_NUMBER} each), found ${what}: ${(2 * values).toLocaleString('en-US')} numbers. Use --${flag} ${most} or fewer, or predict fewer rows at a time.`,
      flag,
    );
  }
}

/** The samples `posterior` predicts with when asked for `samples` (a network posterior's own count, else `samples`). */
export function effectiveSamples(posterior: Posterior, samples: number): number {
  const p = posterior instanceof TemperedPosterior ? posterior.inner : posterior;
  return p instanceof NetworkPosterior ? p.source.count({ samples }) : samples;
}

/** checkPredictiveSize for a posterior's network at `rows` test rows. */
export function checkPosteriorPrediction(posterior: Posterior, rows: number, samples: number, flag = 'samples'): void {
  checkPredictiveSize(rows, effectiveSamples(posterior, samples), predictiveWidth(posterior.spec), taskOf(posterior.spec) === 'regression', flag);
}

/**
 * Temperature scaling as a method option (classification). With `calibrate: 'temperature'` a seeded
 * share of the training rows (`validationFraction`, default 10 %) is held out, the method trains on
 * the rest with its own defaults, and the temperature that minimizes the NLL of its predictive on the
 * held-out rows (posterior/temperature.ts) scales that predictive; the posterior's file keeps it.
 *
 * The default is 'temperature' for the methods in TEMPERED_BY_DEFAULT and 'none' for the others. The
 * rule: a method whose untempered expected calibration error on Fashion-MNIST 10k with its defaults
 * is above 0.03 (eval/FASHION.md) is tempered; the others were calibrated without it (ensemble,
 * Laplace, VI, SGHMC) and would only lose the rows, and methods not measured there (NUTS, HMC,
 * cyclical SGLD, SGHMC-MH, subspace inference) are left as they are.
 */
import { argError } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import { trainTestSplit } from '../data/split.js';
import { fitTemperature } from '../posterior/temperature.js';
import { TemperedPosterior } from '../posterior/tempered.js';
import type { Posterior } from '../posterior/types.js';
import { MIN_VALIDATION_ROWS } from '../train/fit.js';
import { enumOf } from '../options/schema.js';
import { classesOf, VALIDATION_FRACTION } from './common.js';

/** Methods whose classification predictive is temperature-scaled unless `calibrate: 'none'`. */
export const TEMPERED_BY_DEFAULT: ReadonlySet<string> = new Set(['map', 'mc-dropout', 'concrete-dropout', 'swa', 'swag', 'multiswag', 'sgld']);

/** Split stream of the held-out calibration rows (apart from tune's and early stopping's rows). */
const CALIBRATION_STREAM = 0x7e;

export type Calibrate = 'temperature' | 'none';

/** The `calibrate` option of a method, its default text naming whether that method tempers. */
export function calibrateField(method: string) {
  const tempered = TEMPERED_BY_DEFAULT.has(method);
  return {
    calibrate: enumOf(['temperature', 'none'], {
      defaultText: tempered ? "'temperature' for classification" : "'none'",
      help: `classification: 'temperature' holds out validationFraction of the rows (seeded; ignored when fewer than ${MIN_VALIDATION_ROWS}), trains on the rest and scales the predictive by the temperature of least held-out NLL (kept in the posterior's file, reported in info); 'none' trains on every row. Regression: only 'none'`,
    }),
  };
}

/** The calibration a run uses: the option, else the method's default for its task. */
export function calibrationOf(method: string, opts: { task?: string; calibrate?: Calibrate }): Calibrate {
  const classification = opts.task === 'classification';
  if (opts.calibrate === 'temperature' && !classification) {
    throw argError('E_ARG', 'calibrate', "'none' for a regression task (a temperature scales class probabilities)", "'temperature'", "Drop calibrate, or use task 'classification'.");
  }
  return opts.calibrate ?? (classification && TEMPERED_BY_DEFAULT.has(method) ? 'temperature' : 'none');
}

/**
 * Trains with `train` on all of `data`, or, with temperature calibration, on all but the held-out
 * rows and then fits the temperature on them. `opts` is passed on without `calibrate`.
 */
export async function trainCalibrated<O extends { task?: string; calibrate?: Calibrate; classes?: number; validationFraction?: number; seed?: number }>(
  method: string,
  data: Dataset,
  opts: O,
  train: (data: Dataset, opts: Omit<O, 'calibrate'>) => Promise<Posterior>,
): Promise<Posterior> {
  const mode = calibrationOf(method, opts);
  const { calibrate: _, ...rest } = opts;
  const fraction = opts.validationFraction ?? VALIDATION_FRACTION;
  if (mode === 'none' || !(fraction > 0) || Math.round(fraction * data.n) < MIN_VALIDATION_ROWS) return train(data, rest);
  // The class count comes from every row: the held-out rows may hold a class the training rows lack.
  const classes = classesOf(data, opts.classes);
  const { train: fitRows, test: held } = trainTestSplit(data, { testFraction: fraction, seed: opts.seed ?? 0, stream: CALIBRATION_STREAM });
  const posterior = await train(fitRows, { ...rest, classes });
  const p = await posterior.predict(held.x, { seed: opts.seed ?? 0 });
  if (p.kind !== 'classification') return posterior;
  return new TemperedPosterior(posterior, fitTemperature(p.probs, held.y, p.classes));
}

/**
 * Temperature scaling as a method option (classification). With `calibrate: 'temperature'` a seeded
 * share of the training rows (`validationFraction`, default 10 %; stratified by label) is held out,
 * the method trains on the rest with its own defaults, and the temperature that minimizes the NLL of
 * its predictive on the held-out rows (posterior/temperature.ts) scales that predictive; the
 * posterior's file keeps it.
 *
 * The default, and its rule: every classification method is tempered. None of them carries a
 * guarantee about the spread of its predictive: the approximations (a point estimate, dropout masks,
 * a Gaussian, an ensemble, SG-MCMC, particles) have none, and the Metropolis-corrected samplers are
 * exact only for the model's posterior and only in the limit — SGHMC-MH with its defaults was the
 * most over-confident method on Fashion-MNIST (ECE 0.095, T 3.0; eval/FASHION.md).
 *
 * One hold-out: the held-out rows are passed on as the method's `validation`, so the methods that stop
 * early (map, laplace, mc-dropout, concrete-dropout, vi, the ensemble's members) stop on the rows the
 * temperature is fitted on, as Guo et al. (2017) used one validation set for both, and train on as many
 * rows as they do untempered; they score them by their tempered NLL (`stoppingScore`), the score of
 * what the run returns.
 *
 * Refit: once those rows have chosen the epochs (the network's best; for the ensemble, the median of its
 * members' bests: ensemble.ts `refitEpochs`) and the temperature, the same
 * recipe trains again on every row for the kept epochs, and the held-out temperature scales the refit
 * predictive — what regression's `fitAndRefit` (common.ts) does after early stopping. The temperature
 * was fitted to a network trained on 90 % of the rows for the same epochs, and a refit cannot be
 * scored on rows it trained on: reusing T is the rule's assumption (the refit is a little more
 * confident, if anything; the Fashion-MNIST ECE stayed at 0.021–0.025). The methods whose stopping
 * score is deterministic return a refit beside their posterior (common.ts `Trained`): MAP, Laplace's MAP (not with 'grid',
 * which chooses its prior on those rows) and the ensemble's members. MC dropout, Concrete dropout and
 * VI do not: their held-out score is sampled (masks, draws; hence their 4× patience), so the epoch they
 * keep is picked partly for its noise, which a refit with other shuffles does not repeat — measured
 * over seeds 0–2 on Fashion-MNIST 10k, their refit lost 0.005 of accuracy on average (MC and Concrete
 * dropout; VI 0.0045 at seed 0) and gained no NLL. The others (SWA/SWAG, SG-MCMC, SVGD, the samplers)
 * choose no epochs on the held-out rows, so a refit would be the whole run again with nothing chosen but
 * T: they pay 10 % of the rows for the temperature. Given `validation` rows are not part of the data:
 * nothing to refit on. Measured on Fashion-MNIST 10k (eval/FASHION.md): the deep ensemble's accuracy
 * over seeds 0–2 averaged 0.8668 without the refit and 0.8700 with it (untempered on every row: 0.8675).
 */
import { checkDataset, checkSeveralClasses, type Dataset } from '../data/dataset.js';
import { trainTestSplit } from '../data/split.js';
import { fitTemperature } from '../posterior/temperature.js';
import { TemperedPosterior } from '../posterior/tempered.js';
import type { Posterior } from '../posterior/types.js';
import { MIN_VALIDATION_ROWS } from '../train/fit.js';
import { enumOf, type Rule } from '../options/schema.js';
import { classesOf, VALIDATION_FRACTION, type Trained } from './common.js';

/** Split stream of the held-out calibration rows (apart from tune's and early stopping's rows). */
const CALIBRATION_STREAM = 0x7e;

export type Calibrate = 'temperature' | 'none';

/** The rule above: 'temperature' for classification, 'none' for regression. */
export function defaultCalibration(task: string | undefined): Calibrate {
  return task === 'classification' ? 'temperature' : 'none';
}

/** The `calibrate` option of a method. */
export const CALIBRATE_FIELD = {
  calibrate: enumOf(['temperature', 'none'], {
    defaultText: "'temperature' for classification",
    help: `trainMethod(name, …) and bdl only (the trainX functions take no calibrate and return the untempered posterior; pass the method's name to trainMethod for this default). Classification: 'temperature' holds out validationFraction of the rows (seeded, stratified by label; ignored when fewer than ${MIN_VALIDATION_ROWS}; or takes the given validation rows), trains on the rest and scales the predictive by the temperature of least held-out NLL (kept in the posterior's file, reported in info). A method that stops early stops on those same rows (one hold-out, not two), scored by stoppingScore 'tempered-nll'; map and laplace (not 'grid') then train again on every row for the epochs they kept, the ensemble's members for the median of the epochs they kept, scaled by the held-out temperature (about twice the training; mc-dropout, concrete-dropout and vi, whose held-out score is sampled, keep the stopped network). 'none' trains on every row (a method that stops early holds out its own validationFraction). The default tempers every classification method (none has a calibration guarantee; the samplers' exactness is asymptotic). Regression: only 'none'`,
  }),
};

/** A temperature scales class probabilities: the rule every schema with CALIBRATE_FIELD carries. */
export const CALIBRATE_RULE: Rule = {
  option: 'calibrate',
  expected: "'none' for a regression task (a temperature scales class probabilities)",
  hint: "Drop calibrate, or use task 'classification'.",
  holds: (o) => o.calibrate !== 'temperature' || o.task === 'classification',
};

/** The calibration a run uses (options checked with CALIBRATE_RULE): the option, else the default for its task. */
export function calibrationOf(opts: { task?: string; calibrate?: Calibrate }): Calibrate {
  return opts.calibrate ?? defaultCalibration(opts.task);
}

/**
 * Trains with `train` on all of `data`, or, with temperature calibration, on all but the held-out
 * rows (stratified by label, as scikit-learn's CalibratedClassifierCV's folds: a rare class is among
 * them) and then fits the temperature on them. Classification labels of one class are refused first
 * (a classifier would learn P = 1 for it). The held-out rows are passed on as `validation`, so a
 * method that stops early stops on them rather than holding out a second share of what is left (one
 * hold-out), and then, when it returned a refit (common.ts `Trained`), trains again on all of `data` for the epochs it kept;
 * the temperature scales that refit. Given `validation` rows are the held-out rows (every row of `data`
 * trains; no refit). `opts` is passed on without `calibrate`.
 */
export async function trainCalibrated<O extends { task?: string; calibrate?: Calibrate; classes?: number; validationFraction?: number; validation?: Dataset; stoppingScore?: 'nll' | 'tempered-nll'; seed?: number }>(
  data: Dataset,
  opts: O,
  train: (data: Dataset, opts: Omit<O, 'calibrate'>) => Promise<Trained>,
): Promise<Posterior> {
  if (opts.task === 'classification') {
    checkDataset(data, 'train');
    if (data.targets === 1) checkSeveralClasses(data, 'train.y');
  }
  const mode = calibrationOf(opts);
  const { calibrate: _, ...rest } = opts;
  const fraction = opts.validationFraction ?? VALIDATION_FRACTION;
  if (mode === 'none') return (await train(data, rest)).posterior;
  let fitRows = data;
  let held = opts.validation;
  const split = held === undefined;
  if (held === undefined) {
    if (!(fraction > 0) || Math.round(fraction * data.n) < MIN_VALIDATION_ROWS) return (await train(data, rest)).posterior;
    ({ train: fitRows, test: held } = trainTestSplit(data, { testFraction: fraction, seed: opts.seed ?? 0, stream: CALIBRATION_STREAM, stratify: true }));
  }
  // The class count comes from every row: the held-out rows may hold a class the training rows lack.
  const classes = classesOf(held, Math.max(classesOf(data, opts.classes), opts.classes ?? classesOf(held)));
  const { posterior, refit } = await train(fitRows, { ...rest, classes, validation: held, stoppingScore: opts.stoppingScore ?? 'tempered-nll' });
  const p = await posterior.predict(held.x, { seed: opts.seed ?? 0 });
  if (p.kind !== 'classification') return posterior;
  const temperature = fitTemperature(p.probs, held.y, p.classes);
  // Refit: the held-out rows chose the epochs and the temperature; now they train too (given rows
  // are not part of `data`, so there is nothing to refit on).
  return new TemperedPosterior(split && refit ? await refit.refit(data) : posterior, temperature);
}

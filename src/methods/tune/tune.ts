/**
 * Hyperparameter selection on held-out training data, as the UCI papers did (Gal & Ghahramani 2016
 * chose p and τ on validation data carved from each training split): a seeded 80/20 split of the
 * TRAINING set, one fit per grid point on the 80 %, scored by the mean log-likelihood of the 20 %
 * (the mixture over posterior samples for regression with samples, else the Gaussian predictive;
 * −NLL for classification), then one retrain on the whole training set with the winner. With
 * `folds` = k, k-fold cross-validation instead (pooled out-of-fold predictions).
 * Generic over a method's train function: a grid point is just an override of its options.
 * The test data never enter. Validation split: Philox key (seed, TUNE_STREAM).
 */
import { argError, BdlError, describe } from '../../errors.js';
import { bool, checkArgument, custom, fieldError, int, list, num, required, schema, type Field } from '../../options/schema.js';
import { checkDataset, subset, type Dataset } from '../../data/dataset.js';
import { stratifiedFolds, trainTestSplit } from '../../data/split.js';
import { concatPredictives } from '../../posterior/aggregate.js';
import { Rng } from '../../random/index.js';
import { gaussianLogLik, mixtureLogLik, nll } from '../../metrics/index.js';
import type { Posterior, Predictive } from '../../posterior/types.js';
import type { MethodOptions } from '../common.js';
import { bestNoiseVariance, bestVarianceFloor, crossFittedFloorScore, crossFittedNoiseScore, mixtureLogLikAtNoise } from './noise-search.js';
import { MAX_SAMPLES } from '../../posterior/source.js';

/** Philox stream of the validation split (seed = the method's seed). */
export const TUNE_STREAM = 0x7475;

/** Candidate overrides: a list, or a record of value lists whose cartesian product is the list. */
export type TuneGrid = readonly Record<string, unknown>[] | Readonly<Record<string, readonly unknown[]>>;

export interface TuneProgress {
  /** 'search' while scoring candidates, 'final' for the retrain on all the training data. */
  stage: 'search' | 'final';
  /** 0-based index of the fit (search) or of the entry of `scores` retrained (final), and the number of fits. */
  candidate: number;
  candidates: number;
  /** Validation score of the candidate just scored (search stage). */
  score?: number;
}

export interface TuneOptions {
  grid: TuneGrid;
  /** Share of the training rows held out for validation (default 0.2; ignored with `folds`). */
  validationFraction?: number;
  /**
   * k-fold cross-validation instead of one held-out split: every candidate is fitted k times, each
   * fold predicted by the fit that did not see it, and scored on all rows' pooled out-of-fold
   * predictions (σ and floors likewise). k× the search's cost; every training row validates, which
   * matters on small sets (boston's 20 % is 91 rows). Default: one split.
   */
  folds?: number;
  /**
   * Posterior samples when scoring a candidate (default: the method's own). Keep it small (tens): with
   * `noise`, hundreds of samples make the held-out σ a kernel bandwidth over the sample means, which
   * shrinks toward zero where the posterior's spread covers the validation rows and then fails on test
   * rows where it does not (measured on UCI yacht: σ 0.018 instead of 0.375; eval/UCI-notes.md round 7).
   */
  samples?: number;
  /**
   * Choose the observation noise on validation too (one-target Gaussian regression; the method must
   * take `noise` and `predictiveNoise` options, σ in target units). Training residuals understate σ
   * once a network fits its training set closely (yacht, energy), which makes the predictive
   * overconfident; this is the "noise precision chosen on validation" of the UCI papers. Two ways,
   * each kept only if its validation log-likelihood is higher:
   * - every fit's calibrated twin: the same fit predicting with `predictiveNoise` = the σ that maximizes
   *   its validation mixture log-likelihood (noise-search.ts; exact, no retraining);
   * - one more fit: the best fit retrained with `noise` fixed at that σ (its likelihood in training too).
   * Default false.
   */
  noise?: boolean;
  /**
   * With `noise`: score each calibrated twin with σ (or the variance floor) fitted on the other half
   * of the validation rows (`crossFittedNoiseScore`), instead of on the rows it is scored on, which
   * is optimistic and tilts the search toward calibrated twins. Measured on UCI MC dropout (eval/
   * UCI-notes.md, round 7): test LL better on 6 of 10 set × split-draw cells (yacht by 0.04 and 0.10),
   * worse on 2 (by ≤ 0.006); VI, SWAG and ensembles within ±0.03 either way. Default false.
   */
  crossFitNoise?: boolean;
  /**
   * Options applied to the search's fits only, not to the final one: e.g. `{ members: 1 }` chooses a
   * deep ensemble's member settings on single members, at 1/M of the cost.
   */
  search?: Record<string, unknown>;
  onProgress?: (p: TuneProgress) => void;
}

const isObject = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The values of one option in a record grid: one candidate at least. */
const GRID_VALUES = list(custom<unknown>({ expected: 'a value', valid: () => true, help: '' }), { minItems: 1, hint: 'E.g. { dropout: [0.01, 0.05] }.', help: '' });

/** tune's options, checked before any fit. */
export const TUNE_OPTIONS = schema('tune', {
  grid: required(custom<TuneGrid>({
    expected: 'a non-empty list of overrides, or a record of value lists', valid: (v) => (Array.isArray(v) ? v.length > 0 && v.every(isObject) : isObject(v)),
    inner: (v, where, path) => {
      if (Array.isArray(v)) return;
      for (const [k, values] of Object.entries(v as Record<string, unknown>)) {
        if (!GRID_VALUES.valid(values)) throw fieldError(`${where}: ${path}.${k}`, GRID_VALUES, describe(values), `${path}.${k}`);
      }
    },
    hint: 'Pass the values to choose from, e.g. { dropout: [0.01, 0.05] }.', help: 'candidate overrides of the method\'s options',
  })),
  validationFraction: num({ gt: 0, lt: 1, default: 0.2, help: 'share of the training rows held out for validation (ignored with folds)' }),
  folds: int({ min: 2, defaultText: 'one validation split', hint: 'Omit it for one 80/20 validation split.', help: 'k-fold cross-validation instead of one held-out split (each fold ≥ 2 rows)' }),
  samples: int({ min: 1, max: MAX_SAMPLES, defaultText: "the method's own", help: 'posterior samples when scoring a candidate' }),
  noise: bool({ default: false, help: 'choose the observation noise on validation too' }),
  crossFitNoise: bool({ default: false, help: "with noise: score each calibrated twin with σ fitted on the other half of the validation rows" }),
  search: custom<Record<string, unknown>>({ expected: 'an options object', valid: isObject, defaultText: 'none', help: "options applied to the search's fits only" }),
  onProgress: custom<(p: TuneProgress) => void>({ expected: 'a function', valid: (v) => typeof v === 'function', help: 'called after each candidate and before the final fit' }),
} satisfies { [K in keyof Required<TuneOptions>]: Field<Required<TuneOptions>[K]> });

export interface TuneResult<P extends Posterior> {
  /** The winner retrained on the whole training set. */
  posterior: P;
  /** The winning overrides. */
  chosen: Record<string, unknown>;
  /** Every candidate with its validation log-likelihood per point (−Infinity if its training diverged). */
  scores: { overrides: Record<string, unknown>; score: number }[];
}

/** The grid as a list of overrides (the cartesian product of a record of lists, in key order). */
export function gridPoints(grid: TuneGrid): Record<string, unknown>[] {
  checkArgument(TUNE_OPTIONS.fields.grid, grid, 'gridPoints', 'grid');
  if (Array.isArray(grid)) return grid.map((g) => ({ ...g }));
  let points: Record<string, unknown>[] = [{}];
  for (const [k, values] of Object.entries(grid as Record<string, readonly unknown[]>)) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [k]: v })));
  }
  return points;
}

/** Mean log-likelihood per point of held-out targets under a predictive (original units). */
export function validationScore(p: Predictive, y: Float32Array): number {
  if (p.kind === 'classification') return -nll(p.probs, y);
  const s = p.members && p.members.count > 1 ? mixtureLogLik(p.members.mean, p.members.variance, y) : gaussianLogLik(p.mean, p.variance, y);
  return Number.isFinite(s) ? s : -Infinity;
}

/**
 * Chooses `train`'s options from `opts.grid` on a validation split of `data`, then retrains on all
 * of `data`. `base` holds the options every candidate shares (its seed keys the validation split,
 * its signal cancels the search, its onProgress reports the final retrain only).
 */
export async function tune<O extends MethodOptions, P extends Posterior>(
  data: Dataset,
  train: (d: Dataset, o: O) => Promise<P>,
  base: O,
  opts: TuneOptions,
): Promise<TuneResult<P>> {
  opts = TUNE_OPTIONS.check(opts);
  checkDataset(data, 'data');
  const points = gridPoints(opts.grid);
  const f = TUNE_OPTIONS.value(opts, 'validationFraction');
  if (data.n < 5) throw argError('E_EMPTY', 'data', 'at least 5 rows to hold some out for validation', String(data.n), 'Pass more data or train without tuning.');
  const k = opts.folds;
  // The schema checks k ≥ 2; its upper bound depends on the data.
  if (k !== undefined && k > data.n / 2) {
    throw argError('E_ARG', 'folds', `an integer from 2 to ${Math.floor(data.n / 2)} (each fold ≥ 2 rows)`, describe(k), 'Omit it for one 80/20 validation split.');
  }
  const seed = base.seed ?? 0;
  const parts = k === undefined ? [trainTestSplit(data, { testFraction: f, seed, stream: TUNE_STREAM, stratify: base.task === 'classification' })] : foldSplits(data, k, seed, base.task === 'classification');
  const valY = concatY(parts.map((p) => p.test.y));
  const scores: TuneResult<P>['scores'] = [];
  const candidates = points.length + (opts.noise ? 1 : 0);
  let fits = 0;
  // Scores one grid point (index into `scores` of its entry, and its held-out σ); with `noise`, its
  // calibrated twin — the same fit predicting with σ at the held-out optimum — is scored too, for free.
  const evaluate = async (overrides: Record<string, unknown>): Promise<{ at: number; sigma?: number }> => {
    const i = fits++;
    if (base.signal?.aborted) throw new BdlError('E_ABORTED', `tune: cancelled before candidate ${i + 1} of ${candidates}.`);
    let score = -Infinity;
    let p: Predictive | undefined;
    try {
      const held: Predictive[] = [];
      for (const part of parts) {
        const post = await train(part.train, { ...base, ...opts.search, ...overrides, onProgress: undefined });
        held.push(await post.predict(part.test.x, { seed, samples: opts.samples, signal: base.signal }));
      }
      p = held.length === 1 ? held[0] : concatPredictives(held);
      score = validationScore(p, valY);
    } catch (e) {
      // A candidate whose training diverges loses; anything else (bad option, cancel) is the caller's.
      if (!diverged(e)) throw e;
    }
    const at = scores.push({ overrides, score }) - 1;
    opts.onProgress?.({ stage: 'search', candidate: i, candidates, score });
    // Heteroscedastic members keep their own variances: their twin adds the held-out optimal floor.
    const het = ((overrides as { likelihood?: string }).likelihood ?? base.likelihood) === 'heteroscedastic';
    const held = opts.noise && p && Number.isFinite(score) ? (het ? heldOutFloor(p, valY, opts.crossFitNoise) : heldOutNoise(p, valY, opts.crossFitNoise)) : undefined;
    if (held) scores.push({ overrides: { ...overrides, predictiveNoise: Math.sqrt(held.variance) }, score: held.score });
    return { at, sigma: het ? undefined : held && Math.sqrt(held.variance) };
  };
  // Ties (and all −Infinity) go to the first listed candidate: list the conservative values first.
  const bestOf = () => scores.reduce((b, c, i) => (c.score > scores[b].score ? i : b), 0);
  // The fit behind each entry of `scores` (a calibrated twin shares its fit's).
  const fitOf: { at: number; sigma?: number }[] = [];
  for (const point of points) {
    const fit = await evaluate(point);
    while (fitOf.length < scores.length) fitOf.push(fit);
  }
  // Then the best fit is retrained with σ fixed at its held-out optimum (training under that likelihood too).
  const winner = fitOf[bestOf()];
  if (winner.sigma !== undefined) await evaluate({ ...scores[winner.at].overrides, noise: winner.sigma });
  const best = bestOf();
  // The final fit sees more rows (other minibatches) than the search did, so it can diverge where the
  // search's fit did not: then the next-best candidate is retrained, down the ranking.
  const ranking = scores.map((c, i) => i).filter((i) => scores[i].score > -Infinity).sort((a, b) => scores[b].score - scores[a].score || a - b);
  if (ranking.includes(best)) ranking.splice(ranking.indexOf(best), 1);
  ranking.unshift(best);
  for (let r = 0; ; r++) {
    if (base.signal?.aborted) throw new BdlError('E_ABORTED', 'tune: cancelled before the final fit.');
    opts.onProgress?.({ stage: 'final', candidate: ranking[r], candidates });
    const chosen = scores[ranking[r]].overrides;
    try {
      return { posterior: await train(data, { ...base, ...chosen }), chosen, scores };
    } catch (e) {
      if (!diverged(e) || r === ranking.length - 1) throw e;
    }
  }
}

/**
 * k folds of a seeded permutation (Philox key (seed, TUNE_STREAM)), stratified by label for a
 * classifier (`stratifiedFolds`: every class of at least k rows in every fold); fold j is validated
 * by the fit on the others.
 */
function foldSplits(data: Dataset, k: number, seed: number, stratify: boolean): { train: Dataset; test: Dataset }[] {
  const rng = new Rng(seed, TUNE_STREAM);
  const held = stratify ? stratifiedFolds(data.y, k, rng) : permutationFolds(rng.permutation(data.n), k);
  return held.map((fold) => {
    const inFold = new Uint8Array(data.n);
    for (const i of fold) inFold[i] = 1;
    const rest = Uint32Array.from({ length: data.n - fold.length });
    for (let i = 0, r = 0; i < data.n; i++) if (!inFold[i]) rest[r++] = i;
    return { train: subset(data, rest), test: subset(data, fold) };
  });
}

/** The k consecutive parts of a permutation (sizes differ by at most one), each ascending. */
function permutationFolds(perm: Int32Array, k: number): Uint32Array[] {
  const n = perm.length;
  return Array.from({ length: k }, (_, j) => Uint32Array.from(perm.subarray(Math.round((j * n) / k), Math.round(((j + 1) * n) / k))).sort());
}

function concatY(ys: Float32Array[]): Float32Array {
  const out = new Float32Array(ys.reduce((a, y) => a + y.length, 0));
  let at = 0;
  for (const y of ys) (out.set(y, at), (at += y.length));
  return out;
}

/** A training divergence, in-thread or reported by a pool worker (E_WORKER caused by E_NONFINITE). */
function diverged(e: unknown): boolean {
  const err = e as { code?: string; cause?: { code?: string } } | undefined;
  return err?.code === 'E_NONFINITE' || (err?.code === 'E_WORKER' && err.cause?.code === 'E_NONFINITE');
}

/**
 * The noise variance (target units²) maximizing the held-out mixture log-likelihood of the
 * predictive's samples with a common noise, and that log-likelihood; undefined where it does not
 * apply (no per-sample means, or a perfect fit).
 */
function heldOutNoise(p: Predictive, y: Float32Array, crossFit = false): { variance: number; score: number } | undefined {
  if (p.kind !== 'regression' || !p.members || p.mean.length !== y.length) return undefined;
  const variance = bestNoiseVariance(p.members.mean, y);
  if (variance === undefined) return undefined;
  const honest = crossFit ? crossFittedNoiseScore(p.members.mean, y) : undefined;
  return { variance, score: honest ?? mixtureLogLikAtNoise(p.members.mean, y, variance) };
}

/**
 * The variance floor (target units²) that heteroscedastic samples' held-out mixture log-likelihood
 * is best with, and that log-likelihood; undefined where it does not apply or no floor helps.
 */
function heldOutFloor(p: Predictive, y: Float32Array, crossFit = false): { variance: number; score: number } | undefined {
  if (p.kind !== 'regression' || !p.members || p.mean.length !== y.length) return undefined;
  const best = bestVarianceFloor(p.members.mean, p.members.variance, y);
  if (!best || !(best.floor > 0)) return undefined;
  const honest = crossFit ? crossFittedFloorScore(p.members.mean, p.members.variance, y) : undefined;
  return { variance: best.floor, score: honest ?? best.score };
}

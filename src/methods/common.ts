/**
 * What every method shares: the options a user gives (network shape, training budget, seed,
 * progress, cancellation), the spec they imply for a data set, and the training of one network.
 */
import { argError, describe } from '../errors.js';
import { signalOption } from '../signal.js';
import type { ProgressEvent } from '../pool/types.js';
import { checkDataset, checkSeveralClasses, type Dataset } from '../data/dataset.js';
import { applyStandardizer, type Standardizer } from '../data/standardize.js';
import { checkNoiseScale } from './noise.js';
import { Mlp } from '../model/mlp.js';
import { checkSpec, taskOf, type Likelihood, type MlpSpec } from '../model/spec.js';
import { fit, MIN_VALIDATION_ROWS, priorPrecisionOf, type EarlyStopping, type FitOptions, type FitResult } from '../train/fit.js';
import type { Schedule } from '../train/schedules.js';
import type { Pool, PoolOptions } from '../pool/types.js';
import { POOL_OPTIONS } from '../pool/pool.js';
import type { Posterior } from '../posterior/types.js';
import { checkArgument, custom, enumOf, int, list, num, schema, union, type Infer, type OptionSchema } from '../options/schema.js';

/** The most classes a classification task may have (a larger label is a data error, not a request for memory). */
export const MAX_CLASSES = 10000;

/**
 * The number of classes of a classification data set: `classes` when given, else the largest label + 1.
 * Every label must be an integer class index in range: a fractional, negative or huge label is refused
 * naming its row (1-based, and its index in `data.y`) and value, before any memory is sized by it.
 */
export function classesOf(data: Dataset, classes?: number): number {
  if (data.targets !== 1) throw argError('E_SHAPE', 'train.y', 'one label column for classification', `${data.targets} columns`, 'Pass the class index of each row as y (one value per row), or use task \'regression\' for several numeric targets.');
  const limit = classes ?? MAX_CLASSES;
  let max = 0;
  for (let i = 0; i < data.n * data.targets; i++) {
    const c = data.y[i];
    if (!(Number.isInteger(c) && c >= 0 && c < limit)) {
      throw argError('E_ARG', `label of data row ${i / data.targets + 1} (data.y[${i}])`, `an integer class index in 0…${limit - 1}${classes === undefined ? ' (at most ' + MAX_CLASSES + ' classes)' : ''}`, describe(c), "Encode the classes as 0…K−1, or use task 'regression' for a numeric target.");
    }
    max = Math.max(max, c);
  }
  return classes ?? max + 1;
}

/** A fan-out's progress (one event per task) as a method reports it: task, epoch, epochs, loss (NaN when the task reports none). */
export function memberProgress(onProgress: MethodOptions['onProgress']): ((e: ProgressEvent) => void) | undefined {
  return onProgress && ((e) => onProgress({ task: e.taskId, epoch: e.step, epochs: e.total, loss: (e.payload as { loss?: number } | undefined)?.loss ?? NaN }));
}

/** Optimizer steps the default epoch count aims at (Gal & Ghahramani's 400 epochs × batch 32 on boston are ~6000). */
export const DEFAULT_STEPS = 4000;
/** With early stopping: the most optimizer steps (in [40, 4000] epochs) before the held-out rows stop it. */
export const MAX_STEPS = 40000;
/** With early stopping: optimizer steps without a better held-out loss before training stops (at least 5 epochs). */
export const PATIENCE_STEPS = 1000;
/**
 * Patience multiple of methods whose training gradient is sampled in the weights (MC and Concrete
 * dropout's masks, VI's draws): their held-out score wanders from epoch to epoch with the samples, so
 * a run of epochs without a new best says less than it does for MAP. Measured on 2 UCI splits of each
 * set (eval/DEFAULTS-notes.md): 4× gained 0.04–0.3 nats for MC and Concrete dropout on boston,
 * concrete, energy and yacht (VI: 0.04–0.1 on concrete and energy; 10× nothing more).
 */
export const SAMPLED_PATIENCE = 4;

/** `fo` with its early stopping (if any) waiting `multiple` × its patience. */
export function withPatience(fo: FitOptions, multiple: number): FitOptions {
  return fo.earlyStopping ? { ...fo, earlyStopping: { ...fo.earlyStopping, patience: multiple * fo.earlyStopping.patience } } : fo;
}

/** Share of the training rows early stopping holds out by default. */
export const VALIDATION_FRACTION = 0.1;

/**
 * Out-of-sample rows MAP's held-out σ rests on: with fewer held-out rows, `crossFittedHeldOutLoss`
 * scores more disjoint blocks of the same seeded permutation. Measured with MAP on 8 UCI splits
 * (eval/DEFAULTS-notes.md, round 4): 200 rows took boston from −2.962 to −2.850, 400 to −2.782 (`--tune`
 * −2.774); yacht −2.106 → −2.060 → −2.051. Sets of ≥ 4,000 rows (a block of 400 at the default 10 %) are
 * unchanged.
 */
export const NOISE_ROWS = 400;

/** How many disjoint blocks of m rows of n a held-out σ pools: enough for NOISE_ROWS rows, at most every row once. */
export function noiseBlocks(n: number, m: number): number {
  return Math.min(Math.floor(n / m), Math.ceil(NOISE_ROWS / m));
}

/** What a method's `onProgress` gets: epochs of training, or iterations of Markov chains (with their phase). */
export interface MethodProgress {
  task?: number;
  epoch: number;
  epochs: number;
  /** The mean training loss of the epoch; for Markov chains, the reporting chain's step size. */
  loss: number;
  /**
   * 'pretrain': a sampler's MAP pretrain (epochs of its loss); 'curvature': Laplace's pass over the
   * data after its MAP (`epoch` / `epochs` count rows, `loss` is NaN); Markov chains: the reporting
   * chain's phase (with its step size), then 'diagnostics': R̂ and ESS after the chains (`epoch` /
   * `epochs` count quantities — weights, then predictive quantities —, `loss` is NaN, no `task`);
   * 'prior': Laplace choosing its prior precision (`loss` is NaN): the validation grid counts batches
   * of held-out rows, the evidence search thousandths of its work (a full curvature's eigenvalues are
   * most of it); 'posterior': Laplace factoring its posterior precision, in thousandths of the work
   * (seconds for a full structure over thousands of weights, instant otherwise).
   */
  phase?: 'pretrain' | 'curvature' | 'prior' | 'posterior' | 'warmup' | 'sampling' | 'diagnostics';
  /**
   * A method's own stage of epochs, in words, when it trains in several (each restarts `epoch`):
   * MC dropout's rate search, 'dropout rate search: round 1 of 2 (3 rates × 10 blocks)', then
   * 'refit on every row at rate 0.05'.
   */
  stage?: string;
  stepSize?: number;
  /** Markov chains: the reporting chain's mean acceptance statistic over its current phase. */
  acceptance?: number;
  /** Markov chains: divergent transitions after warmup, summed over the chains reported so far. */
  divergences?: number;
}

/** The options every method shares: network shape, training budget, seed, progress, cancellation. */
export const METHOD_OPTIONS = schema('method', {
  task: enumOf(['regression', 'classification'], { default: 'regression', help: 'regression, or classification (targets are class indices 0…K−1)' }),
  classes: int({ min: 2, max: MAX_CLASSES, defaultText: 'the largest label + 1', help: 'number of classes (classification)' }),
  hidden: list(int({ min: 1, help: 'width' }), { default: [50], help: 'hidden widths (the UCI protocol: one layer of 50)' }),
  activation: enumOf(['relu', 'tanh', 'sigmoid', 'gelu'], { default: 'relu', help: 'hidden activation' }),
  likelihood: enumOf(['gaussian', 'heteroscedastic'], { default: 'gaussian', help: 'regression likelihood: homoscedastic gaussian, or a heteroscedastic (mean + variance) head' }),
  epochs: int({ min: 1, defaultText: `enough passes for ${DEFAULT_STEPS} optimizer steps, within [40, 400]`, help: 'training epochs' }),
  batchSize: int({ min: 1, default: 32, help: 'minibatch size' }),
  validationFraction: num({ min: 0, max: 0.5, default: VALIDATION_FRACTION, flag: 'validation-fraction', help: `early stopping (when epochs is not given): this share of the training rows is held out (seeded), training runs up to ${MAX_STEPS} optimizer steps (within [40, 4000] epochs), stops after ${PATIENCE_STEPS} steps (at least 5 epochs) without a lower held-out loss and keeps the best epoch's weights; for regression, MAP, Laplace, VI, MC dropout and SVGD then train again on every row for the kept epochs (classification under calibrate 'temperature': MAP, Laplace and the ensemble's members, after the temperature is fitted). A gaussian σ is then the held-out rows' residual (never below the training rows'; the samplers — SG-MCMC, SVGD, NUTS, HMC — take MAP's); MAP's rests on at least ${NOISE_ROWS} held-out rows: when fewer are held out, further disjoint seeded blocks of as many rows are each held out of a fit of the kept epochs and scored (at most every row once); MC dropout chooses its kept epoch (the stop of the blocks' mean held-out curve), its rate and σ (the mixture optimum) on the same blocks. 0, fewer than ${MIN_VALIDATION_ROWS} held-out rows, or a method whose objective cannot score held-out rows (the SWAG phase, samplers; SVGD for classification): the fixed step budget of epochs instead` }),
  validation: custom<Dataset>({
    expected: 'a Dataset (makeDataset)',
    valid: (v) => typeof v === 'object' && v !== null && 'x' in v && 'y' in v,
    inner: (v, where, path) => checkDataset(v, `${where}: ${path}`),
    defaultText: 'a seeded validationFraction of the training rows',
    help: `held-out rows (the training data's columns) that early stopping scores instead of holding out a share of the training rows: every training row is then trained on (fewer than ${MIN_VALIDATION_ROWS} rows: the fixed budget). With calibrate 'temperature' the temperature is fitted on them too, and by default the calibration's held-out rows are passed here, so a method that stops early stops on the rows its temperature is fitted on (one hold-out, not two)`,
  }),
  stoppingScore: enumOf(['nll', 'tempered-nll'], {
    defaultText: "'tempered-nll' under calibrate 'temperature', else 'nll'",
    help: "classification: early stopping's score of the held-out rows — their NLL, or their NLL at the temperature that minimizes it: the score of the predictive that calibrate 'temperature' then scales, which may keep improving after the untempered one turns over-confident (Fashion-MNIST 10k: the deep ensemble trained longer and reached accuracy 0.8675 against 0.8630; eval/FASHION.md). Regression: the held-out squared error either way",
  }),
  learningRate: union(num({ gt: 0, help: '' }), custom<Schedule>({ expected: 'a schedule (step, totalSteps) => rate', valid: (v) => typeof v === 'function', help: '' }), {
    default: 1e-3, flag: 'lr', help: 'Adam learning rate (or a schedule, from the API)',
  }),
  priorPrecision: num({ min: 0, default: 1, help: 'precision λ of the N(0, 1/λ) prior on every weight' }),
  seed: int({ min: 0, default: 0, help: 'seed of every random choice' }),
  onProgress: custom<(p: MethodProgress) => void>({ expected: 'a function', valid: (v) => typeof v === 'function', help: 'called after each epoch (or chain iteration)' }),
  signal: custom<AbortSignal>({ expected: 'an AbortSignal (new AbortController().signal)', valid: (v) => typeof AbortSignal !== 'undefined' && v instanceof AbortSignal, help: 'cancels the run', hint: 'Pass the signal of an AbortController; objects that only look like one are refused.' }),
  memoryBudget: num({ gt: 0, defaultText: '4 GiB', help: 'bytes the whole run may take: checked against an estimate from the shapes before any work (methods/memory.ts)' }),
});
export type MethodOptions = Infer<typeof METHOD_OPTIONS>;

/**
 * What every training entry point checks before any work: its options (the method's schema), the
 * training data (a hand-built Dataset too: data/dataset.ts `checkDataset`; at least 2 rows), and that given
 * `validation` rows have the training data's columns.
 */
export function checkRun<T>(o: OptionSchema, train: Dataset, opts: T): T {
  opts = o.check(opts);
  checkDataset(train, 'train');
  // One row fits exactly: every method would answer with a variance of ~1e-8 around it, as if certain.
  if (train.n < 2) throw argError('E_EMPTY', 'train', 'at least 2 rows', `${train.n}`, 'One row says nothing about the noise around it; train on more data.');
  checkNoiseScale(train, opts as Parameters<typeof checkNoiseScale>[1]);
  const v = (opts as { validation?: Dataset } | undefined)?.validation;
  if (v !== undefined && (v.inputs !== train.inputs || v.targets !== train.targets)) {
    throw argError('E_SHAPE', `${o.name}: validation`, `${train.inputs} input and ${train.targets} target column(s), as the training data`, `${v.inputs} and ${v.targets}`, "Pass held-out rows with the training data's columns.");
  }
  return opts;
}

/** The option of methods that fan out to workers: the caller's pool (left open). */
export const POOL = {
  pool: custom<Pool>({ expected: 'a Pool (createPool)', valid: (v) => typeof v === 'object' && v !== null && typeof (v as Pool).run === 'function', help: "pool to run the method's tasks on (not closed here)" }),
};

/** A pool, or the options of a pool made for the run and closed after it (methods that fan out with fanOut). */
export const POOL_OR_OPTIONS = {
  pool: custom<Pool | PoolOptions>({
    expected: 'a Pool (createPool), or the options of a pool made for the run',
    valid: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
    // Options (not a Pool) are checked as createPool checks them, before any work: { sise: 2 } is refused here.
    inner: (v, where, path) => (typeof (v as Pool).run !== 'function' ? POOL_OPTIONS.check(v, where, path + '.') : undefined),
    help: "pool to run the method's tasks on (a Pool is not closed here; pool options make one for the run)",
  }),
};

/** The network spec a method trains for this data set and these options. */
export function specFor(data: Dataset, o: MethodOptions, extra: Partial<MlpSpec> = {}): MlpSpec {
  signalOption(o.signal);
  const task = checkArgument(METHOD_OPTIONS.fields.task, o.task, METHOD_OPTIONS.name, 'task') ?? 'regression';
  let outputs = data.targets;
  let likelihood: Likelihood = o.likelihood ?? 'gaussian';
  if (task === 'classification') {
    outputs = classesOf(data, o.classes);
    // One class (every row labelled 0, or `classes: 2` with every row 1) would train a network that
    // answers it with certainty; every row 0 would also blame the `classes` the caller never set.
    checkSeveralClasses(data, 'train.y');
    likelihood = 'categorical';
  }
  return checkSpec({ inputs: data.inputs, hidden: o.hidden ?? [50], outputs, activation: o.activation ?? 'relu', likelihood, ...extra });
}

/**
 * The default number of epochs for n training rows: enough passes for DEFAULT_STEPS optimizer
 * steps, clamped to [40, 400]. 40 epochs (the UCI protocol's budget) is ~360 Adam steps on yacht,
 * far from converged; large sets keep 40 passes, tiny ones stop at Gal's 400.
 */
export function defaultEpochs(n: number, batchSize = 32): number {
  const perEpoch = Math.ceil(n / Math.max(1, Math.min(batchSize, n)));
  return Math.min(400, Math.max(40, Math.ceil(DEFAULT_STEPS / perEpoch)));
}

/**
 * The training length rule for n rows, given whether the method's objective can score held-out rows:
 * early stopping on the given `validation` rows, else on a held-out share (epochs = the most, see
 * MAX_STEPS), unless the caller gave `epochs`, set `validationFraction` to 0, or too few rows would be
 * held out; else `defaultEpochs`. `standardizer`: the one the method applied to its data before `fit`
 * (fit's own standardizer is applied by fit), so that the given rows are scored in the same units.
 */
export function budgetOf(o: MethodOptions, n: number, canStop: boolean, standardizer?: Standardizer): { epochs: number; earlyStopping?: EarlyStopping } {
  const batch = o.batchSize ?? 32;
  const fraction = o.validationFraction ?? VALIDATION_FRACTION;
  if (o.epochs !== undefined) return { epochs: o.epochs };
  const given = canStop && o.validation !== undefined && o.validation.n >= MIN_VALIDATION_ROWS ? o.validation : undefined;
  if (!given && (!canStop || !(fraction > 0) || Math.round(fraction * n) < MIN_VALIDATION_ROWS)) return { epochs: defaultEpochs(n, batch) };
  // Given rows: every one of the n rows trains.
  const perEpoch = Math.ceil((n - (given ? 0 : Math.round(fraction * n))) / Math.max(1, Math.min(batch, n)));
  return {
    epochs: Math.min(4000, Math.max(40, Math.ceil(MAX_STEPS / perEpoch))),
    earlyStopping: {
      fraction,
      patience: Math.max(5, Math.ceil(PATIENCE_STEPS / perEpoch)),
      ...(given && { rows: standardizer ? applyStandardizer(standardizer, given) : given }),
      ...(o.stoppingScore === 'tempered-nll' && { tempered: true }),
    },
  };
}

/**
 * The fit options these method options imply for n training rows (batch 32, Adam 1e-3; the length
 * from `budgetOf`, early stopping when `canStop`: the method's objective scores held-out rows;
 * `standardizer` as in `budgetOf`).
 */
export function fitOptionsOf(o: MethodOptions, stream = 0, n?: number, canStop = false, standardizer?: Standardizer): FitOptions {
  return {
    ...(n === undefined ? { epochs: o.epochs ?? 40 } : budgetOf(o, n, canStop, standardizer)),
    batchSize: o.batchSize ?? 32,
    learningRate: o.learningRate ?? 1e-3,
    priorPrecision: priorPrecisionOf(o.priorPrecision),
    seed: o.seed ?? 0,
    stream,
    signal: o.signal,
    onProgress: o.onProgress && ((p) => o.onProgress!({ task: stream, ...p })),
  };
}

/**
 * `fit`, and when a regression fit stopped early, a second fit from the same initial values on every
 * row (the held-out ones too) for the epochs the first one kept: the held-out rows time the stop, then
 * train. On small sets a tenth of the rows is worth more than the cost of the second fit (MAP on 8 yacht
 * splits: −2.201 → −2.106, `--tune`'s −2.106; within 0.01 at 5k–50k rows; eval/DEFAULTS-notes.md).
 * The result keeps the first fit's held-out score and best epoch (a held-out σ comes from them).
 * `fresh` gives each fit the options that hold state (an objective with its noise estimate); `first`,
 * an early-stopped fit already run with these options (only the second fit is then run).
 */
export function fitAndRefit(mlp: Mlp, data: Dataset, fo: FitOptions, fresh: () => Partial<FitOptions> = () => ({}), first?: FitResult): Promise<FitResult> {
  return refitAfterStop((o) => fit(mlp, data, { ...o, ...fresh() }), fo, taskOf(mlp.spec) === 'regression', first);
}

/** `fitAndRefit` over any fit `run` (given the options of each of the two fits) whose result extends FitResult. */
export async function refitAfterStop<R extends FitResult>(run: (fo: FitOptions) => Promise<R>, fo: FitOptions, regression: boolean, first?: R): Promise<R> {
  first ??= await run(fo);
  if (first.bestEpoch === undefined || !regression) return first;
  const all = await run({ ...fo, epochs: first.bestEpoch, earlyStopping: undefined });
  return { ...all, bestEpoch: first.bestEpoch, validationLoss: first.validationLoss, seconds: first.seconds + all.seconds };
}

/**
 * The held-out loss (mean per row, as `FitResult.validationLoss`) a held-out σ comes from, on at least
 * NOISE_ROWS out-of-sample rows where the data allow: `first`, a regression fit stopped early, scored
 * its block of m = round(fraction·n) rows at its best epoch E; when m < NOISE_ROWS, further disjoint
 * blocks of the same permutation (`EarlyStopping.fold`; K = min(⌈NOISE_ROWS/m⌉, ⌊n/m⌋) blocks in all)
 * are each held out of a fit that runs exactly E epochs and scored after its last one, and the K
 * scores are averaged. Why: on 45 held-out rows (UCI boston) the mean squared residual is a skewed,
 * low estimate of the test residual: a heavy-tailed set's few large residuals are usually missed, and E
 * was chosen as the epoch where those same rows score best. MAP's σ averaged 2.53 over 8 boston splits
 * where its test RMSE averaged 3.48, and with `--tune`'s σ (from 91 rows) the same means scored 0.15
 * nats better. The other blocks' fits run a fixed E, so their rows do not choose it.
 * `first`'s own score when its block has NOISE_ROWS rows, rows were given (`EarlyStopping.rows`), or
 * the task is classification; undefined when `first` did not stop early.
 */
export async function crossFittedHeldOutLoss(mlp: Mlp, data: Dataset, fo: FitOptions, first: FitResult, fresh: () => Partial<FitOptions> = () => ({})): Promise<number | undefined> {
  const es = fo.earlyStopping;
  const E = first.bestEpoch;
  if (!es || E === undefined || first.validationLoss === undefined || es.rows !== undefined || taskOf(mlp.spec) !== 'regression') return first.validationLoss;
  const block = Math.round(es.fraction * data.n);
  const K = noiseBlocks(data.n, block);
  let sum = first.validationLoss;
  for (let k = 1; k < K; k++) {
    // Scoring fits: no progress of their own (the run's progress is its training and refit).
    const r = await fit(mlp, data, { ...fo, ...fresh(), epochs: E, earlyStopping: { ...es, fold: k, patience: E }, onProgress: undefined });
    sum += r.lastValidationLoss!;
  }
  return sum / K;
}

/**
 * How to train a finished run again on every row: what a method that stopped early on given held-out
 * rows returns beside its posterior (`Trained.refit`), for calibration.ts to run once it has fitted the
 * temperature on those rows, so that the rows that chose the epochs and the temperature then train too
 * (the classification counterpart of `fitAndRefit`). `epochs`: the epochs each network kept (one per
 * member); `refit(data)` trains the same recipe on `data` for those epochs, without early stopping.
 */
export interface Refit {
  readonly epochs: readonly number[];
  refit(data: Dataset): Promise<Posterior>;
}

/** A finished run: its posterior, and how to train it again on every row when it offers that (`refitOf`). */
export interface Trained<P extends Posterior = Posterior> {
  readonly posterior: P;
  readonly refit?: Refit;
}

/** The refit of a run whose every network stopped early (each of `epochs` defined and > 0), else undefined. */
export function refitOf(epochs: readonly (number | undefined)[], refit: (data: Dataset, epochs: readonly number[]) => Promise<Posterior>): Refit | undefined {
  if (!(epochs.length > 0 && epochs.every((e) => e !== undefined && e > 0))) return undefined;
  const kept = epochs as readonly number[];
  return { epochs: kept, refit: (data) => refit(data, kept) };
}

/** Rows per engine call of a method's network (batches up to it; held-out rows are scored in chunks of it). */
export const ENGINE_CAPACITY = 256;

/** A network engine for a spec, with room for the batch sizes a method uses. */
export function engineFor(spec: MlpSpec, capacity = ENGINE_CAPACITY): Promise<Mlp> {
  return Mlp.create(spec, { capacity });
}

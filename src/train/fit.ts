/**
 * THE training loop. Every method that trains (MAP, ensembles, dropout, VI, SWA/SWAG, SG-MCMC) runs
 * this one loop; they differ only in the objective, the optimizer transforms and the hooks.
 *
 * Per epoch: a seeded permutation of the rows; per minibatch: gather rows (in wasm), loss and
 * gradient of the objective, optimizer transforms, θ ← θ − lr·u, then `onStep`; `onEpoch` after.
 */
import { argError, BdlError, describe } from '../errors.js';
import { bool, checkArgument, custom, int, nested, num, required, schema, union, type Field } from '../options/schema.js';
import { Rng } from '../random/index.js';
import { Shuffler } from './shuffle.js';
import type { Dataset } from '../data/dataset.js';
import { stratifiedBlocks } from '../data/split.js';
import { applyStandardizer, fitStandardizer, type Standardizer } from '../data/standardize.js';
import type { LossOptions, Mlp } from '../model/mlp.js';
import { taskOf } from '../model/spec.js';
import type { Arena } from '../wasm/index.js';
import { adam, compose, weightDecay, type Transform } from './optimizers.js';
import { constant, type Schedule } from './schedules.js';
import { temperedNll } from '../posterior/temperature.js';

/** What the loop minimizes: a per-example mean loss over trainable values φ (θ itself, or e.g. VI's (μ, ρ)). */
export interface Objective {
  /** Number of trainable values. */
  readonly size: number;
  /** Initial values (copied into the arena by the loop). */
  init(seed: number, stream: number): Float32Array;
  /**
   * Minibatch loss (mean per example, including the per-example share of any prior or KL term) at
   * the values at `params`; writes its gradient to `grad`.
   */
  lossAndGradAt(params: number, grad: number, x: number, y: number, batch: number, ctx: LoopContext): number;
  /**
   * Summed data loss (no prior, no dropout, no side effects) of `batch` held-out rows at the values at
   * `params`: what early stopping compares between epochs. Without it the loop cannot stop early.
   */
  validationLossAt?(params: number, x: number, y: number, batch: number): number;
  /**
   * Address of the network's outputs (batch × outputs; logits for classification) on `batch` held-out
   * rows at the values at `params`, the same pass `validationLossAt` scores: what a tempered early
   * stopping (EarlyStopping.tempered) scores instead. Valid until the next call into the network.
   */
  validationOutputsAt?(params: number, x: number, batch: number): number;
}

/**
 * Stop on held-out rows: a seeded `fraction` of the rows (Philox stream tag VALIDATION_TAG; for a
 * classifier stratified by label, `heldOutRows`) is kept out of training — or, when `rows` is given,
 * those rows and every training row is kept in — and scored after every epoch; training ends after
 * `patience` epochs without a lower validation loss, and the values of the best epoch are restored.
 */
export interface EarlyStopping {
  fraction: number;
  patience: number;
  /**
   * The held-out rows to score instead of a share of the data (e.g. the rows a temperature is then
   * fitted on: methods/calibration.ts), in the units of the data passed to `fit` (the loop's
   * standardizer is applied to them as to the data).
   */
  rows?: Dataset;
  /**
   * Classification: score the held-out rows by their NLL at the temperature that minimizes it
   * (posterior/temperature.ts `temperedNll`), not at T = 1 — the score of the predictive a temperature
   * is then fitted to. Ignored for regression and objectives without `validationOutputsAt`.
   */
  tempered?: boolean;
  /**
   * Which block of the seeded permutation is held out (0-based; default 0): fold k holds out rows
   * k·m … (k+1)·m − 1 of it (m = round(fraction·n)), so folds of one seed and stream are disjoint
   * (a classifier's blocks are stratified by label, each from the rows the ones before it left).
   * Ignored when `rows` is given.
   */
  fold?: number;
  /**
   * The first epoch (1-based) whose values may be kept (default 1): earlier epochs are not scored and
   * do not count towards the patience (VI: the epochs before its KL warm-up ends train another objective).
   */
  from?: number;
}

/** The early-stopping option's fields (fit checks them when it stops early; a pool task carrying them, before any work). */
export const EARLY_STOPPING_OPTIONS = schema('earlyStopping', {
  fraction: required(num({ min: 0, lt: 1, hint: 'E.g. 0.1.', help: 'share of the rows held out (unless rows are given)' })),
  patience: required(int({ min: 1, hint: 'E.g. 10.', help: 'epochs without a lower held-out loss before stopping' })),
  rows: custom<Dataset>({ expected: 'a Dataset', valid: (v) => typeof v === 'object' && v !== null && 'x' in v && 'y' in v, defaultText: 'a seeded share (fraction) of the data', help: 'the held-out rows to score (every data row then trains)' }),
  tempered: bool({ default: false, help: 'classification: score the held-out rows at their best temperature' }),
  fold: int({ min: 0, default: 0, help: 'which block of the seeded permutation is held out (disjoint blocks of round(fraction·n) rows)' }),
  from: int({ min: 1, default: 1, help: 'the first epoch whose values may be kept (earlier ones are not scored)' }),
} satisfies { [K in keyof EarlyStopping]: Field<EarlyStopping[K]> });

/** Where the loop is; passed to objectives and hooks. */
export interface LoopContext {
  readonly arena: Arena;
  /** 0-based epoch, and 0-based global step (a Philox counter for per-step randomness). */
  readonly epoch: number;
  readonly step: number;
  /** Training-set size (priors and KL terms are divided by it per example). */
  readonly n: number;
  readonly seed: number;
  readonly stream: number;
  /** Address and length of the trainable values. */
  readonly params: number;
  readonly size: number;
  /** Learning rate of the current step. */
  readonly lr: number;
  /** Loss of the current step (onStep) or mean loss of the epoch (onEpoch). */
  readonly loss: number;
}

export interface FitHooks {
  onStep?(ctx: LoopContext): void;
  /** Return 'stop' to end training after this epoch. */
  onEpoch?(ctx: LoopContext): void | 'stop';
}

export interface FitOptions {
  /** Passes over the data (default 40, the UCI protocol). */
  epochs?: number;
  /** Minibatch size (default 32; the last batch of an epoch may be smaller). */
  batchSize?: number;
  /** Optimizer transforms (default adam()). Weight decay from `priorPrecision` runs before them. */
  optimizer?: Transform;
  /** A rate or a schedule (default 1e-3). */
  learningRate?: number | Schedule;
  /** Precision λ of the N(0, 1/λ) prior on every weight: adds λ/N·θ per example (default 1). Ignored with a custom objective. */
  priorPrecision?: number;
  /** Seed and stream (e.g. ensemble member) of every random choice: init, shuffles, masks. */
  seed?: number;
  stream?: number;
  /** Starting values (default: the objective's init). Not mutated. */
  init?: Float32Array;
  /** Standardize inputs (and regression targets) with the training set's statistics (default true). */
  standardize?: boolean;
  /** Likelihood options (noise variance, ...) for the default objective. */
  loss?: Omit<LossOptions, 'scale' | 'masks'>;
  /** Replace the default objective (the MLP's NLL + Gaussian prior, dropout on when the spec has it). */
  objective?: Objective;
  hooks?: FitHooks;
  /**
   * Early stopping (see EarlyStopping); `epochs` is then the most epochs. Ignored when the objective has
   * no `validationLossAt` or when fewer than MIN_VALIDATION_ROWS rows would be held out.
   */
  earlyStopping?: EarlyStopping;
  /** Called after each epoch. */
  onProgress?: (p: { epoch: number; epochs: number; loss: number }) => void;
  /** Cancels the fit (checked every step; the loop yields to the event loop every ~50 ms so a main-thread abort can land): BdlError E_ABORTED at the next step. A real AbortSignal; anything else is E_ARG. */
  signal?: AbortSignal;
}

export interface FitResult {
  /** Final trainable values (θ for the default objective). */
  params: Float32Array;
  /** Statistics used to standardize (undo them on outputs with unscaleMean / unscaleVariance). */
  standardizer?: Standardizer;
  /** Mean training loss per epoch. */
  losses: number[];
  steps: number;
  /** With early stopping: the 1-based epoch whose values were kept, and its mean validation loss per row. */
  bestEpoch?: number;
  validationLoss?: number;
  /** With early stopping: the mean validation loss per row after the last epoch run (not the kept one). */
  lastValidationLoss?: number;
  /** With early stopping: the mean validation loss per row after every scored epoch (the first is epoch `EarlyStopping.from`). */
  validationCurve?: number[];
  seconds: number;
}

/**
 * A mean loss per example beyond this has diverged even while finite: outputs some 1e10 standard
 * deviations off, weights where float32 squares overflow (Adam at a rate of 1e6 stays finite here
 * and predicts nonsense). A comparison only: runs that stay below it are unchanged bit for bit.
 */
const DIVERGED_LOSS = 1e20;

/** Philox stream tag for the loop's shuffles (kept apart from init and dropout counters). */
const SHUFFLE_TAG = 0x5f;
/** Philox stream tag of early stopping's held-out rows. */
const VALIDATION_TAG = 0x76;
/** Fewer held-out rows than this score too noisily to stop on: early stopping is then off. */
export const MIN_VALIDATION_ROWS = 20;

/** The default objective: mean NLL per example + λ/(2N)‖θ‖², dropout masks on when the spec has them. */
export function mlpObjective(mlp: Mlp, opts: { loss?: FitOptions['loss'] } = {}): Objective {
  const dropout = mlp.layout.layers.some((l) => l.dropout > 0);
  return {
    size: mlp.size,
    init: (seed, stream) => mlp.init(seed, stream),
    validationLossAt: (params, x, y, batch) => mlp.lossAt(params, x, y, batch, { ...opts.loss }),
    validationOutputsAt: (params, x, batch) => mlp.forwardAt(params, x, batch),
    lossAndGradAt: (params, grad, x, y, batch, ctx) =>
      mlp.lossAndGradAt(params, grad, x, y, batch, {
        ...opts.loss,
        scale: 1 / batch,
        masks: dropout ? { seed: ctx.seed, stream: ctx.stream, counter: ctx.step } : undefined,
      }),
  };
}

/** The training prior's precision λ: what every caller's weight decay λ/N is built from. */
const PRIOR_PRECISION = num({ min: 0, default: 1, help: 'precision λ of the N(0, 1/λ) prior on every weight (weight decay λ/N)', hint: 'E.g. 1. (Laplace chooses its own prior precision: its `priorPrecisionMode` option.)' });

/** The prior precision λ a caller gave (default 1), checked as `fit` checks it. */
export function priorPrecisionOf(v: unknown, where = 'fit'): number {
  return checkArgument(PRIOR_PRECISION, v, where, 'priorPrecision') ?? 1;
}

const isFunction = (v: unknown): boolean => typeof v === 'function';
const isObject = (v: unknown): boolean => typeof v === 'object' && v !== null;

/** fit's options: checked before any work, unknown names refused. */
export const FIT_OPTIONS = schema('fit', {
  epochs: int({ min: 1, default: 40, hint: 'E.g. 40.', help: 'passes over the data (with early stopping: the most)' }),
  batchSize: int({ min: 1, default: 32, hint: 'E.g. 32.', help: 'minibatch size (at most the rows; the last batch of an epoch may be smaller)' }),
  optimizer: custom<Transform>({ expected: 'a gradient transform { init, update }', valid: isObject, defaultText: 'Adam', help: 'optimizer transforms (weight decay from priorPrecision runs before them)' }),
  learningRate: union(num({ gt: 0, help: '' }), custom<Schedule>({ expected: 'a schedule (step, totalSteps) => rate', valid: isFunction, help: '' }), { default: 1e-3, help: 'a rate or a schedule' }),
  priorPrecision: PRIOR_PRECISION,
  seed: int({ min: 0, default: 0, help: 'seed of every random choice: init, shuffles, masks' }),
  stream: int({ min: 0, max: 2 ** 32 - 1, default: 0, help: 'stream of every random choice (e.g. the ensemble member)' }),
  init: custom<Float32Array>({ expected: 'a Float32Array of the trainable values', valid: (v) => v instanceof Float32Array, defaultText: "the objective's init", hint: 'Pass values from a previous fit, or omit it.', help: 'starting values (not mutated)' }),
  standardize: bool({ default: true, help: "standardize inputs (and regression targets) with the training set's statistics" }),
  loss: custom<NonNullable<FitOptions['loss']>>({ expected: 'likelihood options', valid: isObject, help: 'likelihood options for the default objective' }),
  objective: custom<Objective>({ expected: 'an Objective { size, init, lossAndGradAt }', valid: isObject, defaultText: "the MLP's NLL + Gaussian prior", help: 'replaces the default objective' }),
  hooks: custom<FitHooks>({ expected: 'hooks { onStep?, onEpoch? }', valid: isObject, help: 'called after each step and epoch' }),
  earlyStopping: nested<EarlyStopping>(EARLY_STOPPING_OPTIONS, { help: 'stop on held-out rows (see EarlyStopping)' }),
  onProgress: custom<NonNullable<FitOptions['onProgress']>>({ expected: 'a function', valid: isFunction, help: 'called after each epoch' }),
  signal: custom<AbortSignal>({ expected: 'an AbortSignal', valid: (v) => typeof AbortSignal !== 'undefined' && v instanceof AbortSignal, hint: 'Pass the signal of an AbortController (new AbortController().signal); objects that only look like one are refused.', help: 'cancels the fit' }),
} satisfies { [K in keyof Required<FitOptions>]: Field<Required<FitOptions>[K]> });

/** Trains `mlp` on `data`. */
export async function fit(mlp: Mlp, data: Dataset, opts: FitOptions = {}): Promise<FitResult> {
  const t0 = performance.now();
  opts = FIT_OPTIONS.check(opts);
  const epochs = FIT_OPTIONS.value(opts, 'epochs');
  const batchSize = Math.min(FIT_OPTIONS.value(opts, 'batchSize'), data.n);
  if (batchSize > mlp.capacity) throw argError('E_ARG', 'batchSize', `at most the engine's capacity ${mlp.capacity}`, String(batchSize), 'Create the Mlp with a larger capacity.');
  if (data.n < 1) throw argError('E_EMPTY', 'data', 'at least one row', '0', 'Pass training data.');
  const seed = opts.seed ?? 0;
  const stream = opts.stream ?? 0;
  const schedule = typeof opts.learningRate === 'function' ? opts.learningRate : constant(opts.learningRate ?? 1e-3);
  const lambda = FIT_OPTIONS.value(opts, 'priorPrecision');

  const standardizer = opts.standardize === false ? undefined : fitStandardizer(data, taskOf(mlp.spec) === 'regression');
  const all = standardizer ? applyStandardizer(standardizer, data) : data;
  const objective = opts.objective ?? mlpObjective(mlp, { loss: opts.loss });
  const { train, validation } = heldOut(all, objective, opts.earlyStopping, seed, stream, standardizer, taskOf(mlp.spec) === 'classification');
  const transform = opts.objective ? (opts.optimizer ?? adam()) : compose(weightDecay(lambda / train.n), opts.optimizer ?? adam());

  const arena = mlp.arena;
  const mark = arena.mark();
  try {
    const P = objective.size;
    const init = opts.init ?? objective.init(seed, stream);
    if (!(init instanceof Float32Array) || init.length !== P) throw argError('E_SHAPE', 'init', `a Float32Array of ${P} values`, describe(init), 'Pass values from a previous fit, or omit it.');
    // Everything the run needs is reserved before the first step: nothing grows memory mid-loop.
    const params = arena.putF32(init);
    const grad = arena.allocF32(P);
    const xAll = arena.putF32(train.x);
    const yAll = arena.putF32(train.y);
    const idx = arena.alloc(4 * train.n);
    const xb = arena.allocF32(batchSize * train.inputs);
    const yb = arena.allocF32(batchSize * train.targets);
    const state = transform.init(arena, P);
    const shuffler = new Shuffler(arena, seed, stream, [0, 0, SHUFFLE_TAG]);
    const stopper = validation && earlyStopper(arena, objective, validation, params, P, opts.earlyStopping!, mlp);

    const batchesPerEpoch = Math.ceil(train.n / batchSize);
    const totalSteps = epochs * batchesPerEpoch;
    const losses: number[] = [];
    let step = 0;
    let lastYield = performance.now();
    const k = arena.k;
    for (let epoch = 0; epoch < epochs; epoch++) {
      shuffler.permutationAt(idx, train.n);
      let sum = 0;
      for (let s = 0; s < train.n; s += batchSize) {
        if (opts.signal?.aborted) throw new BdlError('E_ABORTED', `fit: cancelled at epoch ${epoch}, step ${step}.`);
        const b = Math.min(batchSize, train.n - s);
        k.gather_rows_f32(xb, xAll, idx + 4 * s, b, train.inputs);
        k.gather_rows_f32(yb, yAll, idx + 4 * s, b, train.targets);
        const lr = schedule(step, totalSteps);
        // A user's schedule can return anything; a NaN or negative rate would surface later as a "diverged" loss.
        if (!(lr >= 0 && lr < Infinity)) throw new BdlError('E_ARG', `learningRate: expected the schedule to return a finite rate ≥ 0, found ${lr} at step ${step} of ${totalSteps}. Fix the schedule function.`, 'learningRate');
        const ctx: LoopContext = { arena, epoch, step, n: train.n, seed, stream, params, size: P, lr, loss: 0 };
        const loss = objective.lossAndGradAt(params, grad, xb, yb, b, ctx);
        if (!(Math.abs(loss) < DIVERGED_LOSS)) {
          throw new BdlError('E_NONFINITE', `fit: the loss became ${loss} at epoch ${epoch + 1} of ${epochs} (step ${step}): training diverged. Use a smaller learning rate (now ${lr}; e.g. ${lr / 100}), or standardize the data.`, 'learningRate');
        }
        transform.update(arena, state, { step: step + 1, lr, theta: params, u: grad, n: P });
        k.axpy_f32(params, -lr, grad, P);
        sum += loss * b;
        opts.hooks?.onStep?.({ ...ctx, loss });
        step++;
      }
      const mean = sum / train.n;
      losses.push(mean);
      opts.onProgress?.({ epoch: epoch + 1, epochs, loss: mean });
      const verdict = opts.hooks?.onEpoch?.({ arena, epoch, step, n: train.n, seed, stream, params, size: P, lr: schedule(step, totalSteps), loss: mean });
      if (verdict === 'stop' || stopper?.afterEpoch(epoch) === 'stop') break;
      if (performance.now() - lastYield > 50) {
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
    stopper?.restore();
    checkFinal(objective, arena, params, P, train, xAll, yAll, mlp.capacity, step, schedule(step, totalSteps));
    return { params: arena.getF32(params, P), standardizer, losses, steps: step, seconds: (performance.now() - t0) / 1000, ...stopper?.best() };
  } finally {
    arena.reset(mark);
  }
}

/**
 * Each step's loss is checked before its update, so the last update goes unchecked: a rate that
 * blows up there returned weights that predicted Infinity or NaN (SWA at a rate of 1e30, MAP's one
 * epoch at 1e10). The returned values are scored once on every training row (the side-effect-free
 * validation loss: one batch alone missed rows where a ReLU network's outputs had left float32), or,
 * for objectives without it, checked to be finite.
 */
function checkFinal(objective: Objective, arena: Arena, params: number, P: number, train: Dataset, x: number, y: number, capacity: number, step: number, lr: number): void {
  let loss = 0;
  if (objective.validationLossAt) {
    for (let s = 0; s < train.n; s += capacity) {
      const b = Math.min(capacity, train.n - s);
      loss += objective.validationLossAt(params, x + 4 * s * train.inputs, y + 4 * s * train.targets, b);
    }
    loss /= train.n;
    if (Math.abs(loss) < DIVERGED_LOSS) return;
  } else if (Number.isFinite(arena.k.sumsq_f32(params, P))) return;
  const what = objective.validationLossAt ? `the loss at the final weights became ${loss}` : 'the final weights became non-finite';
  throw new BdlError('E_NONFINITE', `fit: ${what} (after step ${step}): training diverged. Use a smaller learning rate (now ${lr}; e.g. ${lr / 100}), or standardize the data.`, 'learningRate');
}

/** Lets timers and messages (an abort) run between epochs. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** The rows to train on and, with early stopping on and possible, the seeded held-out rows (stratified by label for a classifier). */
function heldOut(data: Dataset, objective: Objective, es: EarlyStopping | undefined, seed: number, stream: number, standardizer: Standardizer | undefined, classification: boolean): { train: Dataset; validation?: Dataset } {
  if (!es || !objective.validationLossAt) return { train: data };
  if (es.rows !== undefined) {
    const v = es.rows;
    if (!(v.inputs === data.inputs && v.targets === data.targets && v.x?.length === v.n * v.inputs && v.y?.length === v.n * v.targets)) {
      throw argError('E_SHAPE', 'earlyStopping.rows', `rows of ${data.inputs} inputs and ${data.targets} targets`, `${v.n} rows of ${v.inputs} inputs and ${v.targets} targets`, 'Pass held-out rows shaped like the training data.');
    }
    if (v.n < MIN_VALIDATION_ROWS) return { train: data };
    return { train: data, validation: standardizer ? applyStandardizer(standardizer, v) : v };
  }
  const split = heldOutRows(data.n, es.fraction, seed, stream, es.fold, classification ? data.y : undefined);
  return split ? { validation: rows(data, split.validation), train: rows(data, split.train) } : { train: data };
}

/**
 * The row indices early stopping holds out of n rows (and those it trains on) for this seed and
 * stream, or undefined when fewer than MIN_VALIDATION_ROWS would be held out: what `fit` scores its
 * epochs on, for callers that score their finished fit on the same rows (MC dropout's rate choice).
 * With `labels` (a classifier's, one per row) the blocks are stratified by label (data/split.ts
 * `stratifiedBlocks`, from the same Philox words), so a rare class is among the rows the stopping
 * epoch is chosen on; without, block k of one seeded permutation.
 */
export function heldOutRows(n: number, fraction: number, seed: number, stream: number, fold = 0, labels?: ArrayLike<number>): { validation: Int32Array; train: Int32Array } | undefined {
  const nv = Math.round(fraction * n);
  if (nv < MIN_VALIDATION_ROWS || n - nv < 1) return undefined;
  if (!(Number.isInteger(fold) && fold >= 0 && (fold + 1) * nv <= n)) throw argError('E_ARG', 'earlyStopping.fold', `an integer from 0 to ${Math.floor(n / nv) - 1} (blocks of ${nv} of ${n} rows)`, describe(fold), 'Use fewer folds.');
  const rng = new Rng(seed, stream, [0, 0, VALIDATION_TAG]);
  const perm = labels ? stratifiedBlocks(labels, nv, fold + 1, rng) : rng.permutation(n);
  if (fold === 0) return { validation: perm.subarray(0, nv), train: perm.subarray(nv) };
  const train = new Int32Array(n - nv);
  train.set(perm.subarray(0, fold * nv));
  train.set(perm.subarray((fold + 1) * nv), fold * nv);
  return { validation: perm.subarray(fold * nv, (fold + 1) * nv), train };
}

function rows(d: Dataset, idx: Int32Array): Dataset {
  const x = new Float32Array(idx.length * d.inputs);
  const y = new Float32Array(idx.length * d.targets);
  idx.forEach((r, i) => {
    x.set(d.x.subarray(r * d.inputs, (r + 1) * d.inputs), i * d.inputs);
    y.set(d.y.subarray(r * d.targets, (r + 1) * d.targets), i * d.targets);
  });
  return { x, y, n: idx.length, inputs: d.inputs, targets: d.targets };
}

/**
 * Scores the held-out rows after each epoch, keeps the best epoch's values, and says when to stop.
 * With `es.tempered` (classification) the score is the rows' NLL at their best temperature.
 */
function earlyStopper(arena: Arena, objective: Objective, v: Dataset, params: number, P: number, es: EarlyStopping, mlp: Mlp) {
  const x = arena.putF32(v.x);
  const y = arena.putF32(v.y);
  const kept = arena.allocF32(P);
  const capacity = mlp.capacity;
  const K = mlp.spec.outputs;
  const outputsAt = es.tempered && taskOf(mlp.spec) === 'classification' ? objective.validationOutputsAt : undefined;
  const logits = outputsAt && new Float64Array(v.n * K);
  const score = (): number => {
    let sum = 0;
    for (let s = 0; s < v.n; s += capacity) {
      const b = Math.min(capacity, v.n - s);
      if (outputsAt) logits!.set(arena.f32(outputsAt(params, x + 4 * s * v.inputs, b), b * K), s * K);
      else sum += objective.validationLossAt!(params, x + 4 * s * v.inputs, y + 4 * s * v.targets, b);
    }
    return outputsAt ? temperedNll(logits!, v.y, K) : sum / v.n;
  };
  const patience = es.patience;
  let best = Infinity;
  let bestEpoch = 0;
  let last = Infinity;
  const curve: number[] = [];
  return {
    afterEpoch(epoch: number): 'stop' | undefined {
      if (epoch + 1 < (es.from ?? 1)) return undefined;
      const loss = score();
      last = loss;
      curve.push(loss);
      if (loss < best) {
        best = loss;
        bestEpoch = epoch + 1;
        arena.f32(kept, P).set(arena.f32(params, P));
      } else if (epoch + 1 - bestEpoch >= patience) {
        return 'stop';
      }
      return undefined;
    },
    restore() {
      if (bestEpoch > 0) arena.f32(params, P).set(arena.f32(kept, P));
    },
    best: () => ({ bestEpoch, validationLoss: best, lastValidationLoss: last, validationCurve: curve }),
  };
}

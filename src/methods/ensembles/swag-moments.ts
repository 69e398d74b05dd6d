/**
 * SWA/SWAG's training side: hooks on the one `fit()` loop that collect the moments of the SGD
 * trajectory, and one SWAG run (a MultiSWAG member) as a pure function of its description.
 *
 * The recipe (Maddox et al. 2019, adapted so the defaults work on UCI-sized data without tuning):
 *  1. burn-in: epochs [0, swaStart) with Adam at `learningRate` (default 1e-3, the MAP recipe);
 *  2. collection: epochs [swaStart, epochs) with SGD + momentum (default 0.9) at `swaLearningRate`,
 *     constant — or 'cyclical': falling linearly to a tenth of it over each collection interval,
 *     the snapshot taken at the low end (Izmailov et al. 2018);
 *  3. a snapshot of θ once per epoch (or every `collectEvery` steps) updates, in wasm, the running
 *     mean θ̄ and Welford's sum of squared deviations (both f64), and writes θ − θ̄ into a ring of
 *     the last K rows (K = `rank`, default 20).
 * Defaults: the burn-in is the step budget every other method trains for (defaultEpochs: 40–400
 * epochs by the data's size), then 40 collection epochs at 0.05 (0.01 for classification). Why: with a 40-epoch burn-in and
 * rate 0.1 (Maddox et al.'s recipe), SGD + momentum diverges on UCI wine and boston splits right
 * after the switch, and yacht's short burn-in leaves RMSE ~3.2; validation chose the step-budget burn-in on 87 of 100 UCI
 * splits (eval/UCI-notes.md, "Defaults"). SWAG (swag.ts `heldOutChoice`) may burn in for MAP's early-stopped
 * length instead on a small regression set, when its held-out blocks score that better.
 */
import { argError, describe } from '../../errors.js';
import type { Dataset } from '../../data/dataset.js';
import { applyStandardizer, fitStandardizer, type Standardizer } from '../../data/standardize.js';
import { Mlp } from '../../model/mlp.js';
import type { MlpSpec } from '../../model/spec.js';
import { noiseVariance } from '../../posterior/source.js';
import type { SwagMember } from '../../posterior/sources/swag.js';
import { fit, type FitHooks, type LoopContext } from '../../train/fit.js';
import { adam, momentum as momentumTransform, type Transform } from '../../train/optimizers.js';
import type { Schedule } from '../../train/schedules.js';
import type { Arena } from '../../wasm/index.js';
import { defaultEpochs } from '../common.js';
import { residualVariance } from '../map.js';
import { bool, enumOf, int, num, schema, type Infer } from '../../options/schema.js';
import { NOISE_MAX } from '../noise.js';

/** What one SWAG run produces: its moments, as plain typed arrays (transferable). */
export interface SwagMoments extends SwagMember {
  standardizer?: Standardizer;
}

/** Floor on the diagonal variance (Maddox et al.'s clamp), so σ is never 0. */
const VAR_EPS = 1e-30;

/** Collection epochs after a default burn-in. */
const COLLECT_EPOCHS = 40;
/** Default SGD rate while collecting. */
const SWA_LEARNING_RATE = 0.05;
/**
 * Default SGD rate while collecting for classification: at 0.05, SGD + momentum diverges on
 * Fashion-MNIST (784 standardized pixels; loss 1e20 at epoch 52 of 80), while 0.01 and 0.005 both
 * train (held-out accuracy 0.8595 and 0.8585, eval/FASHION-notes.md).
 */
const SWA_LEARNING_RATE_CLASSIFICATION = 0.01;

/** The serializable options of one SWAG run (what a pool task carries). */
export const SWAG_RUN_OPTIONS = schema('swag run', {
  epochs: int({ min: 1, defaultText: `swaStart + ${COLLECT_EPOCHS}`, help: 'total epochs, burn-in included' }),
  swaStart: int({ min: 0, defaultText: "⌊epochs/2⌋ when epochs is given, else the step budget of defaultEpochs; SWAG on a regression set of fewer than 4,000 rows: that or the epochs MAP's early-stopped fit keeps, whichever its held-out blocks (those of its σ) score better", help: 'first collection epoch; the epochs before it are Adam burn-in' }),
  batchSize: int({ min: 1, default: 32, help: 'minibatch size' }),
  learningRate: num({ gt: 0, default: 1e-3, flag: 'lr', help: 'Adam learning rate of the burn-in' }),
  swaLearningRate: num({ gt: 0, defaultText: `${SWA_LEARNING_RATE}; ${SWA_LEARNING_RATE_CLASSIFICATION} for classification`, help: 'SGD learning rate while collecting (see swag-moments.ts)' }),
  momentum: num({ min: 0, lt: 1, default: 0.9, help: 'SGD momentum while collecting' }),
  schedule: enumOf(['constant', 'cyclical'], { default: 'constant', help: "collection rate: 'constant', or 'cyclical' (falling to a tenth over each interval)" }),
  collectEvery: int({ min: 1, defaultText: 'once per epoch', help: 'snapshot every k steps' }),
  rank: int({ min: 2, default: 20, help: 'K: the last deviations kept for the low-rank part' }),
  diagonal: bool({ default: false, help: 'keep the diagonal only (SWAG-diag): no deviation ring' }),
  priorPrecision: num({ min: 0, default: 1, help: 'precision λ of the N(0, 1/λ) prior on every weight' }),
  /** Trained and predicted with; default: train with σ = 1 in standardized units (as MAP), predict with the residual variance at θ̄. */
  noise: num({ gt: 0, max: NOISE_MAX, defaultText: "the residual σ at θ̄; SWAG on regression sets of fewer than 4,000 rows (blocks of validationFraction < 400 rows) predicts with the σ that maximizes the held-out mixture log-likelihood of 400 rows, disjoint seeded blocks each held out of a SWAG run", help: 'known observation noise σ in target units (gaussian likelihood)' }),
});
export type SwagRunOptions = Infer<typeof SWAG_RUN_OPTIONS>;

/**
 * Checks the run options at the boundary and fills in the defaults (n: training rows, for the
 * burn-in's step budget; `classification`: the collection rate's default).
 */
export function resolveRunOptions(o: SwagRunOptions, n: number, classification = false) {
  o = SWAG_RUN_OPTIONS.check(o);
  const swaStart = o.swaStart ?? (o.epochs !== undefined ? Math.floor(o.epochs / 2) : defaultEpochs(n, o.batchSize ?? 32));
  const epochs = o.epochs ?? swaStart + COLLECT_EPOCHS;
  if (swaStart >= epochs) throw argError('E_ARG', 'swaStart', `an epoch below epochs = ${epochs}`, describe(swaStart), 'Collection needs at least one epoch after the burn-in.');
  const diagonal = o.diagonal ?? false;
  const rank = diagonal ? 0 : (o.rank ?? 20);
  const mu = o.momentum ?? 0.9;
  const schedule = o.schedule ?? 'constant';
  return {
    epochs, swaStart, rank, diagonal, schedule, momentum: mu,
    batchSize: o.batchSize ?? 32,
    learningRate: o.learningRate ?? 1e-3,
    swaLearningRate: o.swaLearningRate ?? (classification ? SWA_LEARNING_RATE_CLASSIFICATION : SWA_LEARNING_RATE),
    collectEvery: o.collectEvery,
    priorPrecision: o.priorPrecision ?? 1,
    noise: o.noise,
  };
}

/**
 * The SWAG hooks on `fit`: snapshots of θ update the moments kept in `arena` (reserved here, before
 * `fit` takes its own mark, so they outlive the loop). `finish()` copies the moments out.
 */
export function swagCollector(arena: Arena, P: number, o: { rank: number; swaStart: number; burnSteps: number; collectEvery?: number }) {
  const k = arena.k;
  const mean = arena.allocF64(P);
  const m2 = arena.allocF64(P);
  const dev = arena.allocF32(Math.max(1, o.rank) * P);
  let count = 0;
  const collect = (params: number) => {
    count++;
    k.moments_update_f64(mean, m2, params, P, count);
    // Maddox et al.: the deviation from the mean that includes this snapshot; the ring keeps the last K.
    if (o.rank > 0) k.swag_deviation_f32(dev + 4 * P * ((count - 1) % o.rank), params, mean, P);
  };
  const hooks: FitHooks = o.collectEvery
    ? { onStep: (c: LoopContext) => { if (c.step + 1 > o.burnSteps && (c.step + 1 - o.burnSteps) % o.collectEvery! === 0) collect(c.params); } }
    : { onEpoch: (c: LoopContext) => { if (c.epoch >= o.swaStart) collect(c.params); } };
  return {
    hooks,
    get count() {
      return count;
    },
    finish(): Omit<SwagMoments, 'noiseVar' | 'standardizer'> {
      const rank = Math.min(count, o.rank);
      const mark = arena.mark();
      const m32 = arena.allocF32(P);
      const s32 = arena.allocF32(P);
      k.f64_to_f32(m32, mean, P);
      k.swag_std_f32(s32, m2, P, Math.max(count, 1), VAR_EPS);
      const out = { mean: arena.getF32(m32, P), sigma: arena.getF32(s32, P), dev: arena.getF32(dev, rank * P), rank, count };
      arena.reset(mark);
      return out;
    },
  };
}

/** Adam (or any transform) for the first `steps` optimizer steps, then another. */
function phased(steps: number, before: Transform, after: Transform): Transform<unknown[]> {
  return {
    name: `${before.name}→${after.name}`,
    init: (arena, n) => [before.init(arena, n), after.init(arena, n)],
    update: (arena, st, info) => (info.step <= steps ? before.update(arena, st[0], info) : after.update(arena, st[1], info)),
  };
}

/** Burn-in rate, then the collection rate: constant, or cyclical over each collection interval. */
function swagSchedule(burnSteps: number, lr: number, swaLr: number, cyclical: boolean, interval: number): Schedule {
  return (t) => {
    if (t < burnSteps) return lr;
    if (!cyclical) return swaLr;
    const pos = ((t - burnSteps) % interval) + 1;
    return swaLr * (1 - 0.9 * (pos / interval));
  };
}

export interface RunEnv {
  /** The wasm instance to train in (default: a fresh one). */
  arena?: Arena;
  signal?: AbortSignal;
  onProgress?: (p: { epoch: number; epochs: number; loss: number }) => void;
}

/**
 * One SWAG run: a pure function of (spec, options, seed, stream, data) — the 'swag-member' task
 * of the pool calls it in a worker, the in-thread path calls it directly. `data.x` is n × inputs,
 * `data.y` n × targets (class indices for categorical), both in original units.
 */
export async function runSwagMember(
  spec: MlpSpec,
  options: SwagRunOptions,
  seed: number,
  stream: number,
  data: { x: Float32Array; y: Float32Array },
  env: RunEnv = {},
): Promise<SwagMoments> {
  const mlp = await Mlp.create(spec, { arena: env.arena, capacity: Math.max(256, options.batchSize ?? 32) });
  const train = datasetOf(spec, mlp.targetWidth, data);
  const o = resolveRunOptions(options, train.n, spec.likelihood === 'categorical');
  const batch = Math.min(o.batchSize, train.n);
  const perEpoch = Math.ceil(train.n / batch);
  const burnSteps = o.swaStart * perEpoch;
  const interval = o.collectEvery ?? perEpoch;
  // A known noise level trains under its own likelihood (σ in standardized units, as fit scales y).
  const knownVar = spec.likelihood === 'gaussian' && o.noise !== undefined ? noiseVariance(o.noise, fitStandardizer(train, true)) : undefined;
  const arena = mlp.arena;
  const mark = arena.mark();
  try {
    const collector = swagCollector(arena, mlp.size, { rank: o.rank, swaStart: o.swaStart, burnSteps, collectEvery: o.collectEvery });
    const r = await fit(mlp, train, {
      epochs: o.epochs,
      batchSize: batch,
      optimizer: phased(burnSteps, adam(), momentumTransform(o.momentum)),
      learningRate: swagSchedule(burnSteps, o.learningRate, o.swaLearningRate, o.schedule === 'cyclical', interval),
      priorPrecision: o.priorPrecision,
      loss: knownVar !== undefined ? { noiseVar: knownVar } : undefined,
      seed,
      stream,
      hooks: collector.hooks,
      signal: env.signal,
      onProgress: env.onProgress,
    });
    if (collector.count === 0) {
      throw argError('E_ARG', 'collectEvery', `at most the ${o.epochs * perEpoch - burnSteps} steps after the burn-in`, describe(o.collectEvery), 'No snapshot was collected: collect more often or train longer.');
    }
    const m = collector.finish();
    const noiseVar = spec.likelihood !== 'gaussian' ? 1 : (knownVar ?? residualVariance(mlp, m.mean, applyStandardizer(r.standardizer!, train)));
    return { ...m, noiseVar, standardizer: r.standardizer };
  } finally {
    arena.reset(mark);
  }
}

function datasetOf(spec: MlpSpec, targets: number, data: { x: Float32Array; y: Float32Array }): Dataset {
  const { x, y } = data;
  if (!(y instanceof Float32Array) || y.length === 0 || y.length % targets !== 0) throw argError('E_SHAPE', 'data.y', `a non-empty Float32Array of rows × ${targets}`, describe(y), 'Pass the training targets.');
  const n = y.length / targets;
  if (!(x instanceof Float32Array) || x.length !== n * spec.inputs) throw argError('E_SHAPE', 'data.x', `a Float32Array of ${n} × ${spec.inputs}`, describe(x), 'Pass one input row per target row.');
  return { x, y, n, inputs: spec.inputs, targets };
}

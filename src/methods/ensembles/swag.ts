/**
 * SWA, SWAG and MultiSWAG (Izmailov et al. 2018; Maddox et al. 2019; Wilson & Izmailov 2020).
 *
 * - SWA: the average θ̄ of the SGD iterates as a point estimate (no epistemic part; the networks
 *   here have no batch norm, so no statistics need recomputing at θ̄).
 * - SWAG: θ ~ N(θ̄, scale·(diag(σ²) + DDᵀ/(K−1))), sampled as θ = θ̄ + √scale·(σ⊙z₁ + D z₂/√(K−1))
 *   (scale 0.5); SWAG-diag (`diagonal: true`) keeps σ only (scale 1).
 * - MultiSWAG: M independent SWAG runs (streams 0…M−1), the uniform mixture of their Gaussians.
 *
 * The moments come from `runSwagMember` (hooks on `fit`); the test-time draws are
 * posterior/sources/swag.ts's.
 */
import type { Dataset } from '../../data/dataset.js';
import type { Standardizer } from '../../data/standardize.js';
import type { MlpSpec, TaskKind } from '../../model/spec.js';
import { NetworkPosterior } from '../../posterior/network-posterior.js';
import { SwagSource, type DrawState, type SwagMember } from '../../posterior/sources/swag.js';
import type { TaskOf } from '../../posterior/types.js';
import { checkRun, engineFor, fitOptionsOf, memberProgress, noiseBlocks, specFor, METHOD_OPTIONS, NOISE_ROWS, POOL_OR_OPTIONS, VALIDATION_FRACTION } from '../common.js';
import { fit, heldOutRows, MIN_VALIDATION_ROWS } from '../../train/fit.js';
import { subset } from '../../data/dataset.js';
import { MAX_SAMPLES, noiseVariance } from '../../posterior/source.js';
import { pooledMixtureNoise, type HeldOutBlock } from '../held-out-mixture.js';
import { fanOut } from '../../pool/fan-out.js';
import { registerTask } from '../../pool/registry.js';
import { runSwagMemberTask } from './swag-member.js';
import { predictiveNoiseVar, PREDICTIVE_NOISE } from '../noise.js';
import { resolveRunOptions, runSwagMember, type SwagMoments, type SwagRunOptions, SWAG_RUN_OPTIONS } from './swag-moments.js';
import { int, num, type Infer } from '../../options/schema.js';
import { checkMemory, estimateSwag } from '../memory.js';

export { SAMPLE_TAG, type SwagMember } from '../../posterior/sources/swag.js';

export const SWAG_OPTIONS = METHOD_OPTIONS.extend('trainSwag', {
  ...SWAG_RUN_OPTIONS.fields,
  ...PREDICTIVE_NOISE,
  scale: num({ gt: 0, defaultText: '0.5; 1.0 with diagonal', help: 'covariance scale of the draws' }),
  samples: int({ min: 1, max: MAX_SAMPLES, default: 30, help: 'test-time samples per prediction' }),
});
export type SwagOptions = Infer<typeof SWAG_OPTIONS>;

export const SWA_OPTIONS = SWAG_OPTIONS.omit('trainSwa', 'scale', 'samples', 'rank', 'diagonal');

export const MULTISWAG_OPTIONS = SWAG_OPTIONS.extend('trainMultiSwag', {
  members: int({ min: 1, default: 5, help: 'independent SWAG runs' }),
  samples: int({ min: 1, max: MAX_SAMPLES, default: 20, help: 'test-time samples per member' }),
  /** Run the members as 'swag-member' tasks on this pool, or on a pool made from these options; default: in-thread. */
  ...POOL_OR_OPTIONS,
});
export type MultiSwagOptions = Infer<typeof MULTISWAG_OPTIONS>;

type Method = 'swa' | 'swag' | 'multiswag';

/** SWA: the trajectory average as a point estimate. */
export async function trainSwa<O extends Omit<SwagOptions, 'scale' | 'samples' | 'rank' | 'diagonal'>>(train: Dataset, opts: O = {} as O): Promise<SwagPosterior<TaskOf<O>>> {
  opts = checkRun(SWA_OPTIONS, train, opts);
  checkMemory(estimateSwag('swa', train, opts), opts.memoryBudget);
  return trainOne('swa', train, { ...opts, diagonal: true });
}

/** SWAG (low rank + diagonal, or diagonal only). */
export async function trainSwag<O extends SwagOptions>(train: Dataset, opts: O = {} as O): Promise<SwagPosterior<TaskOf<O>>> {
  opts = checkRun(SWAG_OPTIONS, train, opts);
  checkMemory(estimateSwag('swag', train, opts), opts.memoryBudget);
  return trainOne('swag', train, opts);
}

/** MultiSWAG: M independent SWAG runs, one 'swag-member' task each, fanned out on `pool` (default: in-thread). */
export async function trainMultiSwag<O extends MultiSwagOptions>(train: Dataset, opts: O = {} as O): Promise<SwagPosterior<TaskOf<O>>> {
  opts = checkRun(MULTISWAG_OPTIONS, train, opts);
  checkMemory(estimateSwag('multiswag', train, opts), opts.memoryBudget);
  const m = MULTISWAG_OPTIONS.value(opts, 'members');
  const spec = specFor(train, opts);
  const state = drawState('multiswag', opts.diagonal ?? false, opts.scale, opts.samples);
  const run = runOptionsOf(opts);
  resolveRunOptions(run, train.n);
  registerTask('swag-member', runSwagMemberTask);
  const tasks = Array.from({ length: m }, (_, stream) => ({ kind: 'swag-member', spec, options: run, seed: opts.seed ?? 0, stream }));
  const out = await fanOut<SwagMoments>(tasks, {
    pool: opts.pool ?? { size: 0 },
    data: { x: train.x, y: train.y },
    signal: opts.signal,
    onProgress: memberProgress(opts.onProgress),
  });
  return swagPosterior('multiswag', spec, out[0].standardizer, membersOf(spec, out, opts.predictiveNoise), state);
}

/** SWA and SWAG: one SWAG run, in this thread (stream 0, as member 0 of MultiSWAG). */
async function trainOne<T extends TaskKind>(method: Method, train: Dataset, options: SwagOptions): Promise<SwagPosterior<T>> {
  const spec = specFor(train, options);
  // SWAG on a small regression set: its σ, and the burn-in its held-out blocks prefer.
  const held = method === 'swag' ? await heldOutChoice(spec, train, options) : undefined;
  const opts = held?.opts ?? options;
  const diagonal = opts.diagonal ?? false;
  const state = drawState(method, diagonal, opts.scale, opts.samples);
  const out = await runSwagMember(spec, runOptionsOf(opts), opts.seed ?? 0, 0, { x: train.x, y: train.y }, {
    signal: opts.signal,
    onProgress: opts.onProgress && ((p) => opts.onProgress!({ task: 0, ...p })),
  });
  if (held) out.noiseVar = noiseVariance(Math.sqrt(held.variance), out.standardizer);
  return swagPosterior(method, spec, out.standardizer, membersOf(spec, [out], opts.predictiveNoise), state);
}

/**
 * SWAG's burn-in and σ on a small regression set (the blocks of `heldOutMixtureOf`): the default
 * burn-in (the fixed step budget) against the epochs MAP's default fit keeps when it stops early on
 * its held-out rows (common.ts `budgetOf`; the burn-in is MAP's recipe: Adam at `learningRate`, the
 * same prior), whichever gives the higher pooled held-out mixture log-likelihood, with that
 * candidate's σ² (target units). Why both: the fixed budget (182 epochs on UCI energy) leaves the mean
 * underfitted where MAP keeps 1,000+ epochs (SWAG energy −1.95, `--tune` −1.86; MAP's length −1.13),
 * but on yacht MAP's length fits the mean better and scores worse: the longer burn-in narrows SWAG's
 * draws (8 splits: −1.90 → −1.97; eval/DEFAULTS-notes.md, round 5). Undefined where
 * `heldOutMixtureOf` is; the fixed burn-in alone where MAP's fit would not stop early or `swaStart`
 * is given.
 */
async function heldOutChoice(spec: MlpSpec, train: Dataset, opts: SwagOptions): Promise<{ opts: SwagOptions; variance: number } | undefined> {
  const fixed = await heldOutMixtureOf(spec, train, opts);
  if (!fixed) return undefined;
  const swaStart = opts.swaStart === undefined ? await mapEpochs(spec, train, opts) : undefined;
  const longer = swaStart === undefined ? undefined : { ...opts, swaStart };
  const alt = longer && (await heldOutMixtureOf(spec, train, longer));
  return alt && alt.logLik > fixed.logLik ? { opts: longer!, variance: alt.variance } : { opts, variance: fixed.variance };
}

/** The epochs MAP's default fit keeps when it stops early on held-out rows; undefined when it would not stop early. */
async function mapEpochs(spec: MlpSpec, train: Dataset, opts: SwagOptions): Promise<number | undefined> {
  const fo = fitOptionsOf(opts, 0, train.n, true);
  return fo.earlyStopping ? (await fit(await engineFor(spec), train, fo)).bestEpoch : undefined;
}

/**
 * SWAG's default σ² (target units) on a regression set of fewer than 10·NOISE_ROWS rows, with the
 * pooled held-out mixture log-likelihood at it: the common σ² that maximizes the held-out mixture
 * log-likelihood of NOISE_ROWS rows (held-out-mixture.ts
 * `pooledMixtureNoise`, the predictive SWAG scores test rows with), pooled over K = min(⌈NOISE_ROWS/m⌉,
 * ⌊n/m⌋) disjoint seeded blocks of m = round(validationFraction·n) rows (fit.ts `heldOutRows`), each
 * held out of a SWAG run on the other rows. Why: the residual at θ̄ of the rows SWAG trained on is
 * overconfident on small noisy sets (UCI boston, 8 splits: predictive σ 2.2–2.7 where the test RMSE is
 * 2.3–5.4; `--tune` set `predictiveNoise` on all 8), and a residual σ would count SWAG's own spread
 * twice (measured: yacht −1.91 → −1.98); the mixture's σ does not (boston −2.88 → −2.72, yacht −1.91
 * → −1.90; eval/DEFAULTS-notes.md). Undefined (the residual at θ̄ stays) for classification, several
 * targets, a given `noise`, `predictiveNoise`, `epochs` or `validation`, `validationFraction` 0, fewer
 * than MIN_VALIDATION_ROWS rows a block, or blocks of NOISE_ROWS rows (sets of ≥ 4,000 rows at 10 %).
 * Cost: K more SWAG runs.
 */
async function heldOutMixtureOf(spec: MlpSpec, train: Dataset, opts: SwagOptions): Promise<{ variance: number; logLik: number } | undefined> {
  if (spec.likelihood !== 'gaussian' || spec.outputs !== 1 || opts.noise !== undefined || opts.predictiveNoise !== undefined || opts.epochs !== undefined || opts.validation !== undefined) return undefined;
  const fraction = opts.validationFraction ?? VALIDATION_FRACTION;
  const m = Math.round(fraction * train.n);
  if (!(fraction > 0) || m < MIN_VALIDATION_ROWS || m >= NOISE_ROWS) return undefined;
  const K = noiseBlocks(train.n, m);
  const seed = opts.seed ?? 0;
  const state = drawState('swag', opts.diagonal ?? false, opts.scale, opts.samples);
  const blocks: HeldOutBlock[] = [];
  for (let k = 0; k < K; k++) {
    const rows = heldOutRows(train.n, fraction, seed, 0, k)!;
    const fitRows = subset(train, rows.train);
    const held = subset(train, rows.validation);
    const o = await runSwagMember(spec, runOptionsOf(opts), seed, 0, { x: fitRows.x, y: fitRows.y }, { signal: opts.signal });
    const p = await swagPosterior<'regression'>('swag', spec, o.standardizer, membersOf(spec, [o], undefined), state).predict(held.x, { seed });
    blocks.push({ means: p.members?.mean ?? p.mean, y: held.y });
  }
  return pooledMixtureNoise(blocks);
}

/** The members as the posterior keeps them, each predicting with `predictiveNoise` when given. */
function membersOf(spec: MlpSpec, out: SwagMoments[], predictiveNoise: number | undefined): SwagMember[] {
  return out.map(({ standardizer, ...rest }) => ({ ...rest, noiseVar: predictiveNoiseVar(spec.likelihood, predictiveNoise, standardizer, rest.noiseVar) }));
}

/** The serializable part of the options (what a pool task would carry). */
export function runOptionsOf(o: SwagOptions): SwagRunOptions {
  const { epochs, swaStart, batchSize, swaLearningRate, momentum, schedule, collectEvery, rank, diagonal, priorPrecision, noise } = o;
  return { epochs, swaStart, batchSize, learningRate: o.learningRate, swaLearningRate, momentum, schedule, collectEvery, rank, diagonal, priorPrecision, noise };
}

function drawState(method: Method, diagonal: boolean, scale: number | undefined, samples: number | undefined): DrawState {
  const s = scale ?? (diagonal ? 1 : 0.5);
  const S = samples ?? (method === 'swa' ? 1 : method === 'multiswag' ? 20 : 30);
  return { scale: s, samples: S, diagonal };
}

/** SWA, SWAG or MultiSWAG: the network at θ̄, or averaged over draws from the members' Gaussians. */
export type SwagPosterior<T extends TaskKind = TaskKind> = NetworkPosterior<SwagSource, T>;

function swagPosterior<T extends TaskKind>(method: Method, spec: MlpSpec, standardizer: Standardizer | undefined, members: SwagMember[], state: DrawState): SwagPosterior<T> {
  return new NetworkPosterior<SwagSource, T>(method, spec, standardizer, new SwagSource(members, state, method === 'swa'));
}

/**
 * Laplace approximations at the MAP (MacKay 1992; Daxberger et al. 2021 "Laplace Redux"): a Gaussian
 * N(θ*, (s·H + diag λ)⁻¹) over a subset of the weights, H the GGN or empirical Fisher in a full,
 * Kronecker-factored or diagonal structure; prior precision (and gaussian noise) chosen by the
 * marginal likelihood or by a validation grid; the linearized predictive.
 */
import { argError, BdlError } from '../../errors.js';
import { checkDataset, subset, type Dataset } from '../../data/dataset.js';
import { stratifiedBlocks } from '../../data/split.js';
import { applyStandardizer } from '../../data/standardize.js';
import type { Mlp } from '../../model/mlp.js';
import { Rng } from '../../random/index.js';
import { DEFAULT_MEMORY_BUDGET } from '../../linalg/memory.js';
import { share } from '../../linalg/work.js';
import { bool, checkArgument, custom, enumOf, list, num, union, type Infer } from '../../options/schema.js';
import { checkRun, engineFor, fitAndRefit, fitOptionsOf, METHOD_OPTIONS, refitOf, specFor, type MethodOptions, type Trained } from '../common.js';
import { computeCurvature } from './curvature.js';
import { diag } from './diag.js';
import { evidenceContext, logEvidenceSteps, maximizeEvidenceSteps, type Hyper } from './evidence.js';
import { full } from './full.js';
import { kron } from './kron.js';
import { taskOf, type TaskKind } from '../../model/spec.js';
import { noiseVariance } from '../../posterior/source.js';
import type { TaskOf } from '../../posterior/types.js';
import { LaplacePosterior } from './posterior.js';
import { gridSearch } from './grid.js';
import { runYielding } from '../../posterior/yielding.js';
import { indexSubset, layerSubset, topIndices } from './subset.js';
import type { Hessian, Structure, Subset } from './types.js';
import { checkMemory, estimateLaplace } from '../memory.js';
import { NOISE_MAX } from '../noise.js';
import * as exact from '../../random/exact-math.js';

/** The structures, by name: adding one is one file and one line here. */
export const STRUCTURES: Record<Hessian, Structure> = { full, kron, diag };

const isSubnetwork = (v: unknown): boolean => {
  const o = v as { by?: unknown; size?: unknown; indices?: unknown } | null;
  if (typeof o !== 'object' || o === null) return false;
  if ('indices' in o) return typeof o.indices === 'object' && o.indices !== null && typeof (o.indices as ArrayLike<number>).length === 'number';
  return (o.by === 'magnitude' || o.by === 'variance') && Number.isInteger(o.size) && (o.size as number) >= 1;
};

const priorMode = (o: { default?: 'marglik'; defaultText?: string; flag?: string | false; help: string }) =>
  union(enumOf(['marglik', 'grid'], { help: '' }), num({ gt: 0, help: '' }), o);

export const LAPLACE_OPTIONS = METHOD_OPTIONS.extend('trainLaplace', {
  /** The MAP's training prior; the posterior's is chosen by `priorPrecisionMode`. */
  priorPrecision: num({ min: 0, default: 1, flag: false, help: "precision λ of the MAP's training prior (the posterior's is `priorPrecisionMode`)" }),
  hessian: enumOf(['kron', 'full', 'diag'], { default: 'kron', help: 'structure of the Hessian approximation' }),
  subset: enumOf(['last-layer', 'all', 'subnetwork'], { default: 'last-layer', help: 'the weights the posterior covers' }),
  subnetwork: custom<{ by: 'magnitude' | 'variance'; size: number } | { indices: ArrayLike<number> }>({
    expected: "{ by: 'magnitude' | 'variance', size } or { indices }", valid: isSubnetwork, defaultText: 'the 1000 of largest diagonal-Laplace variance',
    help: "subset 'subnetwork': the largest |θ|, the largest diagonal-Laplace variances, or given indices into θ",
  }),
  curvature: enumOf(['ggn', 'ef'], { default: 'ggn', help: 'generalized Gauss-Newton or empirical Fisher' }),
  priorPrecisionMode: priorMode({
    default: 'marglik', flag: 'prior-precision',
    help: "how the prior precision is chosen after fitting: 'marglik' (maximize the evidence), 'grid' (logspace(−4, 4, 21) by validation NLL), or a number to fix it",
  }),
  perLayer: bool({ default: false, help: 'one prior precision per layer of the subset (marglik only)' }),
  noise: num({ gt: 0, max: NOISE_MAX, defaultText: 'tuned with the prior precision', help: 'gaussian observation σ in target units' }),
  validation: custom<Dataset>({ expected: 'a Dataset', valid: (v) => typeof v === 'object' && v !== null && 'x' in v && 'y' in v, defaultText: '10 % of train, held out from the MAP fit too', help: "held-out data for 'grid'; the MAP's early stopping scores them too (every training row is trained on)" }),
  predictive: enumOf(['glm', 'mc'], { default: 'glm', help: "'glm' (linearized) or 'mc' (network evaluated at sampled weights)" }),
  link: enumOf(['probit', 'mc'], { default: 'probit', help: "classification with the GLM predictive: 'probit' or 'mc' (sampled outputs)" }),
  budget: num({ gt: 0, default: DEFAULT_MEMORY_BUDGET, help: 'bytes one dense structure may take' }),
}).refine({
  option: 'hessian',
  expected: "'full' or 'diag' for a subnetwork",
  hint: 'KFAC needs whole layers: use subset all or last-layer.',
  holds: (o) => !(o.subset === 'subnetwork' && (o.hessian ?? 'kron') === 'kron'),
  found: () => "'kron'",
});
export type LaplaceOptions = Infer<typeof LAPLACE_OPTIONS>;

/** The method options that only shape the MAP fit: laplaceAt is given the fitted network instead. */
const FIT_ONLY = Object.keys(METHOD_OPTIONS.fields).filter((k) => !['priorPrecision', 'validation', 'signal', 'onProgress'].includes(k));

/** laplaceAt's options: the posterior's part of LAPLACE_OPTIONS, with the noise as a variance in the network's units. */
export const LAPLACE_AT_OPTIONS = LAPLACE_OPTIONS.omit('laplaceAt', ...(FIT_ONLY as 'task'[]), 'noise')
  .extend('laplaceAt', {
    noiseVar: num({ gt: 0, defaultText: 'the residual variance', help: "gaussian noise variance in the network's units to start the selection from" }),
    standardizer: custom<import('../../data/standardize.js').Standardizer>({ expected: 'a Standardizer', valid: (v) => typeof v === 'object' && v !== null, help: 'the standardizer the data went through (kept for predictions in original units)' }),
  })
  .refine({
    option: 'validation',
    expected: 'a validation Dataset for the grid',
    hint: "Pass validation, or use priorPrecisionMode: 'marglik'.",
    holds: (o) => o.priorPrecisionMode !== 'grid' || o.validation !== undefined,
  });

export interface LaplaceFitOptions extends Omit<LaplaceOptions, keyof MethodOptions | 'validation'>, Pick<MethodOptions, 'signal' | 'onProgress'> {
  /** Prior precision the MAP was trained with: the starting point of its selection (default 1). */
  priorPrecision?: number;
  /** Noise variance in the data's units to start the selection from (gaussian; default: the residual variance). */
  noiseVar?: number;
  validation?: Dataset;
  /** Standardizer the data went through (kept for predictions in original units). */
  standardizer?: import('../../data/standardize.js').Standardizer;
}

/** The options of trainLaplace that laplaceAt reads (the rest shaped the MAP fit). */
function atOptions(opts: LaplaceOptions): LaplaceFitOptions {
  return Object.fromEntries(Object.entries(opts).filter(([k]) => Object.hasOwn(LAPLACE_AT_OPTIONS.fields, k))) as LaplaceFitOptions;
}

/** Trains the MAP with `fit`, then builds the Laplace posterior around it. */
export async function trainLaplace<O extends LaplaceOptions>(train: Dataset, opts: O = {} as O): Promise<LaplacePosterior<TaskOf<O>>> {
  return (await trainLaplaceWithRefit(train, opts)).posterior;
}

/**
 * `trainLaplace`, and when a classification MAP stopped on given `validation` rows, the same recipe
 * again on every row for the kept epochs (`refit`, run by calibration.ts). Not with 'grid', whose prior
 * precision is chosen on those rows.
 */
export async function trainLaplaceWithRefit<O extends LaplaceOptions>(train: Dataset, opts: O = {} as O): Promise<Trained<LaplacePosterior<TaskOf<O>>>> {
  opts = checkRun(LAPLACE_OPTIONS, train, opts);
  checkMemory(estimateLaplace(train, opts), opts.memoryBudget);
  const spec = specFor(train, opts);
  let data = train;
  let validation = opts.validation;
  if (priorModeOf(opts) === 'grid' && !validation) [data, validation] = holdOut(train, opts.seed ?? 0, taskOf(spec) === 'classification');
  const mlp = await engineFor(spec);
  const r = await fitAndRefit(mlp, data, fitOptionsOf(opts, 0, data.n, true));
  const std = r.standardizer;
  const posterior = await laplaceAt<TaskOf<O>>(mlp, r.params, std ? applyStandardizer(std, data) : data, {
    ...atOptions(opts),
    priorPrecision: opts.priorPrecision ?? 1,
    noiseVar: opts.noise !== undefined ? noiseVariance(opts.noise, std) : undefined,
    validation: validation && std ? applyStandardizer(std, validation) : validation,
    standardizer: std,
  });
  if (taskOf(spec) !== 'classification' || opts.validation === undefined || priorModeOf(opts) === 'grid') return { posterior };
  const { validation: _, stoppingScore: __, ...rest } = opts;
  return { posterior, refit: refitOf([r.bestEpoch], (all, [epochs]) => trainLaplace(all, { ...rest, epochs })) };
}

/**
 * The Laplace posterior around a given MAP θ for data already in the network's (standardized)
 * units. Sizes that cannot fit are refused up front with E_MEMORY.
 */
export async function laplaceAt<T extends TaskKind = TaskKind>(mlp: Mlp, theta: Float32Array, data: Dataset, opts: LaplaceFitOptions = {}): Promise<LaplacePosterior<T>> {
  opts = LAPLACE_AT_OPTIONS.check(opts);
  checkDataset(data, 'data');
  const spec = mlp.spec;
  if (spec.likelihood === 'heteroscedastic') throw argError('E_ARG', 'likelihood', "'gaussian', 'categorical' or 'bernoulli' for Laplace", "'heteroscedastic'", 'Use a homoscedastic gaussian likelihood.');
  const hessian = opts.hessian ?? 'kron';
  const structure = STRUCTURES[hessian];
  const curvature = opts.curvature ?? 'ggn';
  const sub = await chooseSubset(mlp, theta, data, opts);
  structure.check(sub, mlp.layout.layers, opts.budget);

  const gaussian = spec.likelihood === 'gaussian';
  const { factors, fit: dataFit } = await computeCurvature(mlp, theta, data, sub, structure, curvature, opts);
  const ctx = evidenceContext(factors, sub, dataFit, theta, gaussian, spec.outputs, curvature === 'ef' ? 2 : 1);
  const G = sub.layers.length;
  const start: Hyper = {
    prior: new Float64Array(G).fill(typeof priorModeOf(opts) === 'number' ? (priorModeOf(opts) as number) : (opts.priorPrecision ?? 1)),
    noiseVar: gaussian ? (opts.noiseVar ?? Math.max(dataFit.rss / (dataFit.n * spec.outputs), 1e-8)) : 1,
  };
  const selectNoise = gaussian && opts.noiseVar === undefined;
  const mode = priorModeOf(opts);
  let h = start;
  if (opts.signal?.aborted) throw new BdlError('E_ABORTED', 'laplace: cancelled after the curvature.');
  if (mode === 'marglik') {
    const perLayer = opts.perLayer ?? false;
    opts.onProgress?.({ epoch: 0, epochs: PERMILLE, loss: NaN, phase: 'prior' });
    // The one-prior search's shared O(d³) first (a full H's eigenvalues), in steps: the thread is given
    // back and an abort heard. Per-layer priors factor along each coordinate instead (full-logdet.ts).
    const report = (f: number) => opts.onProgress?.({ epoch: Math.floor(f * PERMILLE), epochs: PERMILLE, loss: NaN, phase: 'prior' });
    const what = 'laplace: choosing the prior precision';
    // One λ: H's eigenvalues (a full H's are O(d³)) are the whole search's work, reported first; per-group λ: each coordinate's factorization.
    if (perLayer && G > 1) h = await runYielding(maximizeEvidenceSteps(ctx, start, { perLayer, selectNoise }), opts.signal, what, report);
    else {
      await runYielding(factors.prepareSteps(), opts.signal, what, report);
      h = await runYielding(maximizeEvidenceSteps(ctx, start, { perLayer, selectNoise }), opts.signal, what);
    }
    opts.onProgress?.({ epoch: PERMILLE, epochs: PERMILLE, loss: NaN, phase: 'prior' });
  } else if (mode === 'grid') h = await gridSearch(mlp, theta, ctx, start, selectNoise, opts.validation!, opts);
  if (opts.signal?.aborted) throw new BdlError('E_ABORTED', 'laplace: cancelled after choosing the prior precision.');

  const report = (f: number) => opts.onProgress?.({ epoch: Math.floor(f * PERMILLE), epochs: PERMILLE, loss: NaN, phase: 'posterior' });
  report(0);
  // The evidence's log det first, as steps and as the first part of this phase: a full H's
  // eigenvalues at one λ (unless the prior search made them), its Cholesky at per-group λ.
  const evidence = factors.evidenceShare(h.prior);
  const logEv = await runYielding(share(logEvidenceSteps(ctx, h), 0, evidence), opts.signal, 'laplace: building the posterior', report);
  const posterior = new LaplacePosterior<T>({
    spec,
    theta,
    standardizer: opts.standardizer,
    hessian,
    curvature,
    sub,
    factors,
    hyper: h,
    logEvidence: logEv - data.n * logYStd(opts.standardizer),
    predictive: opts.predictive ?? 'glm',
    link: opts.link ?? 'probit',
    mlp,
  });
  // The Gaussian's factorization now, with progress, rather than in the first predict (or `info`) in silence.
  await posterior.prepare({ signal: opts.signal, onShare: (f) => report(evidence + (1 - evidence) * f) });
  report(1);
  return posterior;
}

/** The evidence search and the posterior's factorization report thousandths of their work. */
const PERMILLE = 1000;

/** Result of `modelSelection`: candidates sorted by evidence, best first. */
export interface ModelChoice {
  options: LaplaceOptions;
  logEvidence: number;
  posterior: LaplacePosterior;
}

/**
 * Compares architectures (e.g. hidden widths) by their Laplace evidence on the same training data:
 * each candidate's options are merged over `base`, trained and its prior chosen by evidence; returns all, best first.
 */
export async function modelSelection(train: Dataset, candidates: Partial<LaplaceOptions>[], base: LaplaceOptions = {}): Promise<ModelChoice[]> {
  checkArgument(CANDIDATES, candidates, 'modelSelection', 'candidates');
  const out: ModelChoice[] = [];
  for (const c of candidates) {
    const options = { ...base, ...c, priorPrecisionMode: 'marglik' as const };
    const posterior = await trainLaplace(train, options);
    out.push({ options, logEvidence: posterior.logEvidence, posterior });
  }
  return out.sort((a, b) => b.logEvidence - a.logEvidence);
}

/** modelSelection's architectures: each an override of the base options (trainLaplace checks it merged). */
const CANDIDATES = list(custom<Partial<LaplaceOptions>>({ expected: 'option overrides { … }', valid: (v) => typeof v === 'object' && v !== null, help: '' }), {
  minItems: 1, hint: 'E.g. [{ hidden: [10] }, { hidden: [50] }].', help: 'the architectures to compare',
});

/** Size of the default subnetwork: a full precision over it is 8 MB. */
const DEFAULT_SUBNETWORK = 1000;

async function chooseSubset(mlp: Mlp, theta: Float32Array, data: Dataset, opts: LaplaceFitOptions): Promise<Subset> {
  const layout = mlp.layout;
  const L = layout.layers.length;
  const kind = opts.subset ?? 'last-layer';
  if (kind === 'all') return layerSubset(layout, 'all', Array.from({ length: L }, (_, l) => l));
  if (kind === 'last-layer') return layerSubset(layout, 'last-layer', [L - 1]);
  // Default: the DEFAULT_SUBNETWORK parameters of largest diagonal-Laplace variance (Daxberger et al. 2021).
  const s = opts.subnetwork ?? { by: 'variance' as const, size: Math.min(DEFAULT_SUBNETWORK, layout.size) };
  if ('indices' in s) return indexSubset(layout, s.indices);
  if (s.by === 'magnitude') return indexSubset(layout, topIndices(Float64Array.from(theta, Math.abs), s.size));
  // Largest marginal variances of an all-weights diagonal Laplace at the training prior.
  const all = layerSubset(layout, 'all', Array.from({ length: L }, (_, l) => l));
  const { factors } = await computeCurvature(mlp, theta, data, all, diag, opts.curvature ?? 'ggn', opts);
  const noise = mlp.spec.likelihood === 'gaussian' ? 1 / (opts.noiseVar ?? 1) : 1;
  const v = factors.posterior(new Float64Array(L).fill(opts.priorPrecision ?? 1), noise).variances();
  return indexSubset(layout, topIndices(v, s.size));
}

/**
 * The grid's own held-out rows when none are given: a seeded tenth of the training rows (stratified by
 * label for a classifier, as every classification hold-out: data/split.ts `stratifiedBlocks`), which the
 * MAP then does not train on.
 */
function holdOut(train: Dataset, seed: number, classification: boolean): [Dataset, Dataset] {
  const rng = new Rng(seed, 0, [0, 2, 0x1a]);
  const nVal = Math.max(1, Math.round(train.n / 10));
  const order = classification ? stratifiedBlocks(train.y, nVal, 1, rng) : rng.permutation(train.n);
  return [subset(train, order.subarray(nVal)), subset(train, order.subarray(0, nVal))];
}

/** Σ_t log σ_y,t: the Jacobian that puts a standardized-units evidence into original target units (per row). */
function logYStd(std?: { yStd?: Float64Array }): number {
  return std?.yStd ? std.yStd.reduce((s, v) => s + exact.log(v), 0) : 0;
}

/** How the prior precision is chosen: `priorPrecisionMode`, else 'marglik'. */
function priorModeOf(opts: { priorPrecisionMode?: LaplaceOptions['priorPrecisionMode'] }): NonNullable<LaplaceOptions['priorPrecisionMode']> {
  return opts.priorPrecisionMode ?? 'marglik';
}

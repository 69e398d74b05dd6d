/**
 * MAP: one network trained to the mode of the posterior (NLL + Gaussian prior). The deterministic
 * baseline: its predictive has aleatoric noise only (epistemic = 0). For the homoscedastic Gaussian
 * likelihood the noise variance is fitted at the mode (the mean squared training residual) unless given.
 */
import type { Dataset } from '../data/dataset.js';
import { applyStandardizer } from '../data/standardize.js';
import type { Mlp } from '../model/mlp.js';
import { taskOf, type TaskKind } from '../model/spec.js';
import { NetworkPosterior } from '../posterior/network-posterior.js';
import { noiseVariance } from '../posterior/source.js';
import { PointSource } from '../posterior/sources/point.js';
import type { TaskOf } from '../posterior/types.js';
import type { Infer } from '../options/schema.js';
import { checkRun, crossFittedHeldOutLoss, engineFor, fitAndRefit, fitOptionsOf, METHOD_OPTIONS, refitOf, specFor, type MethodOptions, type Trained } from './common.js';
import { fit, type FitResult } from '../train/fit.js';
import { heldOutNoiseVar, NOISE, PREDICTIVE_NOISE, predictiveNoiseVar } from './noise.js';
import { checkMemory, estimateNetwork } from './memory.js';

export const MAP_OPTIONS = METHOD_OPTIONS.extend('trainMap', { ...NOISE, ...PREDICTIVE_NOISE });
export type MapOptions = Infer<typeof MAP_OPTIONS>;

export async function trainMap<O extends MapOptions>(train: Dataset, opts: O = {} as O): Promise<MapPosterior<TaskOf<O>>> {
  return (await trainMapWithRefit(train, opts)).posterior;
}

/**
 * `trainMap`, and when a classification network stopped on given `validation` rows, the same network
 * again on every row for the kept epochs (`refit`, run by calibration.ts).
 */
export async function trainMapWithRefit<O extends MapOptions>(train: Dataset, opts: O = {} as O): Promise<Trained<MapPosterior<TaskOf<O>>>> {
  opts = checkRun(MAP_OPTIONS, train, opts);
  checkMemory(estimateNetwork('map', train, opts), opts.memoryBudget);
  const spec = specFor(train, opts);
  const mlp = await engineFor(spec);
  const { r, noiseVar } = await fitMap(mlp, train, opts);
  const source = new PointSource(r.params, predictiveNoiseVar(spec.likelihood, opts.predictiveNoise, r.standardizer, noiseVar));
  const posterior = new NetworkPosterior<PointSource, TaskOf<O>>('map', spec, r.standardizer, source, mlp);
  if (taskOf(spec) !== 'classification' || opts.validation === undefined) return { posterior };
  const { validation: _, stoppingScore: __, ...rest } = opts;
  return { posterior, refit: refitOf([r.bestEpoch], (all, [epochs]) => trainMap(all, { ...rest, epochs })) };
}

/**
 * MAP's training on `train` (original units; `fit` standardizes) in `mlp`: early stopping on held-out
 * rows unless `epochs` is given, then (regression) the refit on every row; and for a 'gaussian'
 * likelihood the σ² (standardized units) its predictive uses — the given `noise`, else the held-out
 * residual on at least NOISE_ROWS rows where the data allow, never below the training residual. What
 * the samplers start from too (samples.ts `prepare`, mcmc.ts).
 */
export async function fitMap(mlp: Mlp, train: Dataset, opts: MethodOptions & { noise?: number }): Promise<{ r: FitResult; noiseVar: number }> {
  const fo = fitOptionsOf(opts, 0, train.n, true);
  const first = await fit(mlp, train, fo);
  const r = await fitAndRefit(mlp, train, fo, undefined, first);
  if (mlp.spec.likelihood !== 'gaussian') return { r, noiseVar: 1 };
  // Held-out rows (early stopping) give an out-of-sample σ; the training residuals otherwise.
  if (opts.noise !== undefined) return { r, noiseVar: noiseVariance(opts.noise, r.standardizer) };
  const trainVar = residualVariance(mlp, r.params, applyStandardizer(r.standardizer!, train));
  // σ from at least NOISE_ROWS held-out rows where the data allow (common.ts crossFittedHeldOutLoss).
  const held = await crossFittedHeldOutLoss(mlp, train, fo, first);
  return { r, noiseVar: heldOutNoiseVar(held, mlp.spec.outputs, trainVar) ?? trainVar };
}

/** Mean squared residual of the network on (standardized) data: the MLE of σ² at θ. */
export function residualVariance(mlp: Mlp, theta: Float32Array, data: Dataset): number {
  const f = mlp.forward(theta, data.x);
  let s = 0;
  for (let i = 0; i < data.y.length; i++) s += (f[i] - data.y[i]) ** 2;
  return Math.max(s / data.y.length, 1e-8);
}

/** The MAP posterior: the network at one weight vector. */
export type MapPosterior<T extends TaskKind = TaskKind> = NetworkPosterior<PointSource, T>;

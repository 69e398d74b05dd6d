/**
 * Homoscedastic observation noise for the trained-posterior methods (ensemble members, MC and
 * Concrete dropout, VI), fitted by variational EM while the network trains: the σ² that maximizes
 * the expected log-likelihood under the current weights (or weight distribution) is
 * E[Σ r²]/(N·T), estimated from the minibatch residuals of one epoch and installed at the next.
 * Training at σ² = 1 on standardized targets (what MAP does) under-weights the data by 1/σ²
 * against the prior on low-noise sets (energy, yacht); the EM estimate removes that without tuning.
 */
import { argError, describe } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import { applyStandardizer, fitStandardizer, TARGET_STD_LIMIT, type Standardizer } from '../data/standardize.js';
import type { LossOptions, Mlp } from '../model/mlp.js';
import type { Objective } from '../train/fit.js';
import { noiseVariance } from '../posterior/source.js';
import { num } from '../options/schema.js';
import * as exact from '../random/exact-math.js';

const LOG_2PI = exact.log(2 * Math.PI);
/** Floor of the fitted variance (standardized units): a perfect fit must not give σ² = 0. */
const MIN_VAR = 1e-6;

export class NoiseEstimate {
  private sumSq = 0;
  private count = 0;
  private epoch = 0;

  /** σ² in standardized units; `fixed` keeps it (a user-given noise). */
  constructor(
    public variance = 1,
    readonly fixed = false,
  ) {}

  /**
   * Records a minibatch: its Gaussian NLL sum at the current σ² (constants included, as the engine
   * returns it), its rows and targets, and the loop's epoch (a new epoch installs the last estimate).
   */
  record(nllSum: number, rows: number, targets: number, epoch: number): void {
    if (this.fixed) return;
    if (epoch !== this.epoch) {
      this.update();
      this.epoch = epoch;
    }
    const m = rows * targets;
    // Σ NLL = m·½(log 2π + log σ²) + Σ r²/(2σ²), so Σ r² follows from the sum.
    this.sumSq += Math.max(0, 2 * this.variance * (nllSum - 0.5 * m * (LOG_2PI + exact.log(this.variance))));
    this.count += m;
  }

  /** Installs the estimate of the residuals recorded since the last update. */
  update(): void {
    if (this.fixed || this.count === 0) return;
    this.variance = Math.max(this.sumSq / this.count, MIN_VAR);
    this.sumSq = 0;
    this.count = 0;
  }
}

/**
 * The network's NLL objective over θ with a noise estimate (gaussian likelihoods) and optional
 * dropout masks keyed by the loop's (seed, stream, step). The prior is the caller's weight decay.
 */
export function noiseObjective(mlp: Mlp, noise: NoiseEstimate | undefined, dropout: boolean, extra: Omit<LossOptions, 'scale' | 'masks' | 'noiseVar'> = {}): Objective {
  return {
    size: mlp.size,
    init: (seed, stream) => mlp.init(seed, stream),
    validationLossAt: (params, x, y, batch) => heldOutLoss(mlp, params, x, y, batch),
    validationOutputsAt: (params, x, batch) => mlp.forwardAt(params, x, batch),
    lossAndGradAt(params, grad, x, y, batch, ctx) {
      const loss = mlp.lossAndGradAt(params, grad, x, y, batch, {
        ...extra,
        scale: 1 / batch,
        noiseVar: noise?.variance,
        masks: dropout ? { seed: ctx.seed, stream: ctx.stream, counter: ctx.step } : undefined,
      });
      noise?.record(loss * batch, batch, mlp.spec.outputs, ctx.epoch);
      return loss;
    },
  };
}

/**
 * Early stopping's score of held-out rows (train/fit.ts): the summed NLL at unit noise for a Gaussian
 * (the squared error: the EM noise moves between epochs, and the criterion must not); for a
 * heteroscedastic network the same squared error of its mean head (`meanSquaredLoss`); the plain NLL
 * otherwise (classification), no dropout.
 */
export function heldOutLoss(mlp: Mlp, params: number, x: number, y: number, batch: number): number {
  if (mlp.spec.likelihood === 'heteroscedastic') return meanSquaredLoss(mlp, params, x, y, batch);
  return mlp.lossAt(params, x, y, batch, { noiseVar: 1 });
}

/**
 * The held-out score of a heteroscedastic network: ½ Σ (μ − y)² + ½ log 2π per target, its variance head
 * ignored. Its own NLL bottoms out early, when the variance head fits the few held-out rows' residuals,
 * long before the mean stops improving: the ensemble recipe's members then stopped at 150–300 epochs on
 * UCI yacht where 1,600 fixed epochs score far better. Measured, default ensemble on 2 UCI splits
 * (eval/DEFAULTS-notes.md), NLL → squared error: boston −2.58 → −2.41, concrete −2.92 → −2.81, energy
 * −0.62 → −0.50, wine −0.87 → −0.88, yacht −1.29 → −0.91.
 */
export function meanSquaredLoss(mlp: Mlp, params: number, x: number, y: number, batch: number): number {
  const T = mlp.spec.outputs;
  const out = mlp.arena.f32(mlp.forwardAt(params, x, batch), 2 * T * batch);
  const ys = mlp.arena.f32(y, T * batch);
  let s = 0;
  for (let r = 0; r < batch; r++) for (let j = 0; j < T; j++) s += (out[2 * T * r + j] - ys[T * r + j]) ** 2;
  return 0.5 * (s + batch * T * LOG_2PI);
}

/**
 * σ² (standardized units) from early stopping's held-out score of a gaussian network (`heldOutLoss`:
 * the NLL at σ² = 1, per row ½T·log 2π + ½Σr²): the mean squared residual on rows the weights never
 * trained on. The training residuals' estimate (EM) shrinks as the network fits the noise of its own
 * rows, and an overconfident σ costs the most log-likelihood on small noisy sets (boston, concrete).
 * Never below `trainVar`, the training rows' estimate: the best epoch is the one with the lowest held-out
 * residual, so on a few dozen held-out rows (yacht: 28) that residual can fall below the training
 * residual by chance, and an σ from it is then the overconfident one (yacht split 8: −6.1 vs −2.4).
 * Undefined without a held-out score (fixed budget).
 */
export function heldOutNoiseVar(validationLoss: number | undefined, targets: number, trainVar: number): number | undefined {
  if (validationLoss === undefined || !Number.isFinite(validationLoss)) return undefined;
  return Math.max((2 * validationLoss) / targets - LOG_2PI, trainVar, MIN_VAR);
}

/**
 * The noise estimate a method starts from: fixed at a user's σ (target units → standardized; checked
 * by the NOISE field), fitted by EM otherwise; undefined for likelihoods that carry their own noise.
 */
export function noiseFor(likelihood: string, noise: number | undefined, s: Standardizer | undefined): NoiseEstimate | undefined {
  if (likelihood !== 'gaussian') return undefined;
  if (noise === undefined) return new NoiseEstimate();
  return new NoiseEstimate(noiseVariance(noise, s), true);
}

/**
 * The largest σ (target units) a noise option takes: the target scale the standardizer accepts, so
 * that σ² stays finite in the float32 predictive (1e30 trained, and then every prediction failed).
 */
export const NOISE_MAX = TARGET_STD_LIMIT;

/**
 * Refuses, before any work, a `noise` or `predictiveNoise` σ more than NOISE_MAX times the target's
 * standard deviation (the first target's: the σ's units): its variance in standardized units would
 * leave float32 (σ = 1 on a target of σ 7e-31 trained, and then every prediction failed).
 */
export function checkNoiseScale(train: Dataset, opts: { task?: unknown; standardize?: unknown; noise?: unknown; predictiveNoise?: unknown }): void {
  if (opts.task === 'classification' || opts.standardize === false || train.targets < 1) return;
  for (const key of ['noise', 'predictiveNoise'] as const) {
    const sigma = opts[key];
    if (typeof sigma !== 'number') continue;
    const sy = fitStandardizer(train, true).yStd![0];
    if (sigma <= NOISE_MAX * sy) continue;
    throw argError('E_ARG', key, `a σ at most 1e18 times the target's standard deviation (${sy.toPrecision(3)}), so that its variance stays finite in float32`, `σ = ${sigma}`, "Give σ in the target's units, or rescale the target.");
  }
}

/** The option of every method with a homoscedastic Gaussian noise: the σ it predicts with, apart from training. */
export const PREDICTIVE_NOISE = {
  /**
   * Training keeps its own noise (fitted, or `noise`). Ensembles of heteroscedastic members (the only
   * other likelihood that takes it) add σ² to each member's predicted variance: a floor under a
   * variance head that may collapse.
   */
  predictiveNoise: num({ min: 0, max: NOISE_MAX, defaultText: 'the trained noise', flag: 'predictive-noise', help: 'observation σ in target units used at prediction only (a post-hoc calibration, e.g. what --tune chooses)' }),
};

/** The type of PREDICTIVE_NOISE. */
export type PredictiveNoiseOption = { predictiveNoise?: number };

/** The known observation noise of a method (gaussian likelihood). */
export const NOISE = {
  noise: num({ gt: 0, max: NOISE_MAX, defaultText: 'fitted', help: 'observation noise σ in target units (gaussian likelihood)' }),
};

/**
 * The noise variance (standardized units) a posterior predicts with: `predictiveNoise` (σ in target
 * units) when given, else `trained`.
 */
export function predictiveNoiseVar(likelihood: string, predictiveNoise: number | undefined, s: Standardizer | undefined, trained: number): number {
  if (predictiveNoise === undefined) return trained;
  if (likelihood !== 'gaussian') throw argError('E_ARG', 'predictiveNoise', 'the gaussian likelihood (a homoscedastic noise to replace)', likelihood, 'Drop predictiveNoise.');
  if (!(predictiveNoise > 0 && Number.isFinite(predictiveNoise))) throw argError('E_ARG', 'predictiveNoise', 'a positive finite σ in target units', describe(predictiveNoise), 'Omit it to predict with the trained noise.');
  return noiseVariance(predictiveNoise, s);
}

/**
 * The option of methods that can train a heteroscedastic (mean + variance) head: β of the β-NLL
 * (Seitzer et al. 2022): each point's gradient is weighted by its predicted variance^β. The plain NLL
 * (0) lets the variance head explain hard points away so the mean under-fits them; 1 gives the mean
 * squared error's gradient; 0.5 is the paper's choice (MC dropout on UCI boston: RMSE 3.98 → 3.59 at
 * a similar log-likelihood; eval/UCI-notes.md, round 6).
 */
export const BETA_NLL = {
  betaNll: num({ min: 0, max: 1, default: 0, help: "with likelihood 'heteroscedastic': β of the β-NLL (0.5 the paper's; 0 the plain NLL)" }),
};

/** The β-NLL exponent a method trains with (0 when not given); refused for other likelihoods. */
export function betaNllOf(likelihood: string, beta: number | undefined): number {
  if (beta === undefined) return 0;
  if (likelihood !== 'heteroscedastic') throw argError('E_ARG', 'betaNll', "likelihood 'heteroscedastic' (it weights a variance head's gradient)", `likelihood '${likelihood}'`, "Drop betaNll, or set likelihood: 'heteroscedastic'.");
  return beta;
}

/** The variance floor (standardized units) of heteroscedastic members: `predictiveNoise`² when given (≥ 0: the PREDICTIVE_NOISE field), else 0. */
export function varianceFloorOf(predictiveNoise: number | undefined, s: Standardizer | undefined): number {
  if (predictiveNoise === undefined) return 0;
  return noiseVariance(predictiveNoise, s);
}

/**
 * The training set as the network sees it: standardized with its own statistics (regression
 * targets too) unless `standardize` is false. The user's dataset is not touched.
 */
export function standardized(train: Dataset, regression: boolean, standardize = true): { data: Dataset; standardizer?: Standardizer } {
  if (!standardize) return { data: train };
  const standardizer = fitStandardizer(train, regression);
  return { data: applyStandardizer(standardizer, train), standardizer };
}


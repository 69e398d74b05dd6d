/**
 * What the sampling methods (SGLD, cyclical SGLD, SGHMC, SGHMC-MH, SVGD) share: a posterior made of a
 * set of weight vectors (samples or particles) whose predictive is their uniform mixture, and the
 * preparation every sampler does first (standardize, pretrain to the mode with Adam, fit the noise).
 */
import type { Dataset } from '../data/dataset.js';
import { applyStandardizer, fitStandardizer, type Standardizer } from '../data/standardize.js';
import type { Mlp } from '../model/mlp.js';
import { layoutOf, taskOf, type MlpSpec, type TaskKind } from '../model/spec.js';
import { NetworkPosterior } from '../posterior/network-posterior.js';
import { noiseVariance } from '../posterior/source.js';
import { DrawsSource } from '../posterior/sources/draws.js';
import { fit, type FitOptions, type LoopContext } from '../train/fit.js';
import type { Transform } from '../train/optimizers.js';
import type { Arena } from '../wasm/index.js';
import { bool, int, num, type Infer } from '../options/schema.js';
import { defaultEpochs, engineFor, fitOptionsOf, METHOD_OPTIONS, specFor, type MethodOptions } from './common.js';
import { NOISE } from './noise.js';
import { fitMap, residualVariance } from './map.js';

/** What every sampling method takes (SGLD, cyclical SGLD, SGHMC, SGHMC-MH, SVGD). */
export const SAMPLER_OPTIONS = METHOD_OPTIONS.extend('sampler', {
  ...NOISE,
  epochs: int({ min: 1, defaultText: 'regression: enough passes for 40,000 sampler steps at the batch size; classification: 100', help: 'sampler epochs after the burn-in (collection)' }),
  standardize: bool({ default: true, help: 'standardize inputs and regression targets' }),
  pretrainEpochs: int({ min: 0, defaultText: "'gaussian' regression: MAP's default (early stopping; σ from held-out rows); else MAP's step budget (defaultEpochs)", help: 'Adam epochs to reach a mode before sampling (0 starts from the initialization)' }),
  samples: int({ min: 1, default: 100, help: 'weight vectors kept' }),
  temperature: num({ gt: 0, default: 1, help: 'posterior temperature T' }),
});
export type SamplerOptions = Infer<typeof SAMPLER_OPTIONS>;

/**
 * Sampler steps the default collection of a regression runs. A step moves θ by ε = lr/N on a
 * posterior whose curvature grows as N, so the steps a chain needs to mix do not depend on N: the
 * collection is a step budget, not a number of epochs. A fixed 100 epochs was 900 steps on yacht's
 * 277 rows and 156,000 on 50,000 rows. Measured on two standard splits of the five UCI sets (SGLD,
 * SGHMC, cyclical SGLD, SGHMC-MH): the test LL rises with the steps up to ≈ 40,000 and then levels
 * off; on Friedman 5k–50k the budget gives the same LL as 100 epochs (eval/DEFAULTS-notes.md, round 8).
 */
export const COLLECT_STEPS = 40_000;

/**
 * Collection epochs a classification runs by default. On Fashion-MNIST (10,000 images) the step
 * budget (142 epochs there) left every SG-MCMC method a little worse than 100 epochs (SGHMC's ECE
 * 0.065 → 0.096): a longer chain at T = 1 moves further from the mode the pretrain found, towards a
 * posterior whose predictive is less sharp than the data's — so classification keeps the length it
 * was measured with (eval/FASHION.md).
 */
export const CLASSIFICATION_EPOCHS = 100;

/** Default collection epochs for n rows at this batch size: COLLECT_STEPS steps, rounded up to whole epochs. */
export function collectEpochs(n: number, batchSize: number): number {
  const perEpoch = Math.ceil(n / Math.max(1, Math.min(batchSize, n)));
  return Math.max(1, Math.ceil(COLLECT_STEPS / perEpoch));
}

/** Sampler epochs before collecting: a tenth of the collection unless given. */
export const BURN_IN = { burnIn: int({ min: 0, defaultText: 'a tenth of the collection epochs, rounded up', help: 'sampler epochs before collecting' }) };

/**
 * The collection and burn-in epochs of an SG-MCMC run on the prepared data at this batch size:
 * given, else a regression's step budget (collectEpochs) or a classification's CLASSIFICATION_EPOCHS,
 * with a tenth of that before it.
 */
export function samplerLength(opts: { epochs?: number; burnIn?: number }, prep: Pick<Prepared, 'spec' | 'data'>, batchSize: number): { epochs: number; burnIn: number } {
  const epochs = opts.epochs ?? (taskOf(prep.spec) === 'regression' ? collectEpochs(prep.data.n, batchSize) : CLASSIFICATION_EPOCHS);
  return { epochs, burnIn: opts.burnIn ?? Math.ceil(epochs / 10) };
}

/** Data, engine and starting point of a sampler run. */
export interface Prepared {
  spec: MlpSpec;
  mlp: Mlp;
  standardizer?: Standardizer;
  /** The training data in the units the sampler works in. */
  data: Dataset;
  /** Noise variance in those units (1 for classification, unused). */
  noiseVar: number;
  /** Pretrained (or initial) θ. */
  theta0: Float32Array;
  lambda: number;
}

/**
 * Standardizes, pretrains with Adam to a mode (unless pretrainEpochs is 0) and fits the noise there.
 * A 'gaussian' regression without `pretrainEpochs` starts from MAP's default (map.ts `fitMap`: early
 * stopping, the refit on every row, σ from held-out rows): the fixed budget's mode is far from a fit
 * on small sets (energy: 4,000 steps), and its training residual then made σ too large — on two
 * standard splits every SG-MCMC method gained on boston, concrete, energy and yacht (SGLD energy
 * −1.95 → −1.09, yacht −2.55 → −2.09; eval/DEFAULTS-notes.md, round 7). Classification keeps the
 * fixed budget.
 */
export async function prepare(train: Dataset, opts: SamplerOptions): Promise<Prepared> {
  const spec = specFor(train, opts);
  const mlp = await engineFor(spec);
  if (spec.likelihood === 'gaussian' && opts.pretrainEpochs === undefined && opts.standardize !== false) {
    // The sampler's `epochs`, `learningRate` and progress are its own: MAP's are its defaults.
    const { r, noiseVar } = await fitMap(mlp, train, { ...opts, epochs: undefined, learningRate: undefined, onProgress: pretrainProgress(opts.onProgress) });
    const standardizer = r.standardizer!;
    return { spec, mlp, standardizer, data: applyStandardizer(standardizer, train), noiseVar, theta0: r.params, lambda: opts.priorPrecision ?? 1 };
  }
  const standardizer = opts.standardize === false ? undefined : fitStandardizer(train, taskOf(spec) === 'regression');
  const data = standardizer ? applyStandardizer(standardizer, train) : train;
  const epochs = opts.pretrainEpochs ?? defaultEpochs(data.n, opts.batchSize ?? 32);
  const base = fitOptionsOf(opts);
  const theta0 =
    epochs > 0
      ? (await fit(mlp, data, { ...base, epochs, learningRate: 1e-3, standardize: false, onProgress: pretrainProgress(opts.onProgress) })).params
      : mlp.init(base.seed ?? 0, 0);
  let noiseVar = 1;
  if (spec.likelihood === 'gaussian') {
    noiseVar = opts.noise !== undefined ? noiseVariance(opts.noise, standardizer) : epochs > 0 ? residualVariance(mlp, theta0, data) : 1;
  }
  return { spec, mlp, standardizer, data, noiseVar, theta0, lambda: opts.priorPrecision ?? 1 };
}

/**
 * A sampler's progress during its MAP pretrain (which can run up to MAX_STEPS optimizer steps before
 * the first sampler step): epochs of the pretrain's loss, marked `phase: 'pretrain'`.
 */
export function pretrainProgress(onProgress: MethodOptions['onProgress']): ((p: { epoch: number; epochs: number; loss: number; task?: number }) => void) | undefined {
  return onProgress && ((p) => onProgress({ ...p, phase: 'pretrain' }));
}

/**
 * The run SGLD and SGHMC share: from the prepared mode, `burnIn` + `epochs` epochs of the sampler's
 * transform on the one training loop, keeping `samples` θ spread evenly over the collection steps.
 */
export async function collectSamples(
  prep: Prepared,
  base: FitOptions,
  run: { burnIn: number; epochs: number; samples: number; learningRate: FitOptions['learningRate']; optimizer: Transform },
): Promise<Float32Array> {
  const spe = Math.ceil(prep.data.n / Math.min(base.batchSize!, prep.data.n));
  const burnSteps = run.burnIn * spe;
  const collect = run.epochs * spe;
  const out = new SampleBuffer(run.samples, prep.mlp.size);
  await fit(prep.mlp, prep.data, {
    ...base,
    epochs: run.burnIn + run.epochs,
    learningRate: run.learningRate,
    optimizer: run.optimizer,
    init: prep.theta0,
    standardize: false,
    loss: { noiseVar: prep.noiseVar },
    hooks: {
      onStep: (ctx: LoopContext) => {
        const c = ctx.step - burnSteps;
        if (c >= 0 && evenly(c, collect, run.samples)) out.push(ctx.arena, ctx.params);
      },
    },
  });
  return out.values();
}

/** Keeps up to `capacity` weight vectors, copied out of the arena. */
export class SampleBuffer {
  private readonly buf: Float32Array;
  count = 0;
  constructor(
    readonly capacity: number,
    readonly size: number,
  ) {
    this.buf = new Float32Array(capacity * size);
  }
  push(arena: Arena, ptr: number): void {
    if (this.count >= this.capacity) return;
    this.buf.set(arena.f32(ptr, this.size), this.count * this.size);
    this.count++;
  }
  /** The kept samples, count × size. */
  values(): Float32Array {
    return this.buf.slice(0, this.count * this.size);
  }
}

/** Whether item i of `total` is one of `keep` spread evenly (the last item always is). */
export function evenly(i: number, total: number, keep: number): boolean {
  if (keep >= total) return true;
  return Math.floor(((i + 1) * keep) / total) > Math.floor((i * keep) / total);
}

/** Kept weight samples (SG-MCMC, SVGD particles, HMC/NUTS draws); the predictive is their uniform mixture. */
export type SamplesPosterior<T extends TaskKind = TaskKind> = NetworkPosterior<DrawsSource, T>;

/** The posterior of a sampler's kept draws (S × P). */
export function samplesPosterior<T extends TaskKind = TaskKind>(method: string, prep: Pick<Prepared, 'spec' | 'standardizer' | 'noiseVar'> & { mlp?: Mlp }, draws: Float32Array, extra: Record<string, unknown>): SamplesPosterior<T> {
  const source = new DrawsSource(draws, layoutOf(prep.spec).size, prep.noiseVar, extra);
  return new NetworkPosterior<DrawsSource, T>(method, prep.spec, prep.standardizer, source, prep.mlp);
}

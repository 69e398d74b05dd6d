/**
 * What the sampling methods (SGLD, cyclical SGLD, SGHMC, SGHMC-MH, SVGD) share: a posterior made of a
 * set of weight vectors (samples or particles) whose predictive is their uniform mixture, and the
 * preparation every sampler does first (standardize, pretrain to the mode with Adam, fit the noise).
 */
import { argError, describe } from '../errors.js';
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
import { defaultEpochs, engineFor, fitOptionsOf, specFor, type MethodOptions } from './common.js';
import { residualVariance } from './map.js';

export interface SamplerOptions extends MethodOptions {
  /** Observation noise σ in target units (gaussian likelihood); default: fitted at the pretrained mode. */
  noise?: number;
  /** Standardize inputs and regression targets (default true). */
  standardize?: boolean;
  /** Adam epochs to reach a mode before sampling (default: MAP's step budget, `defaultEpochs`; 0 starts from the initialization). */
  pretrainEpochs?: number;
  /** Number of weight vectors kept (default 100). */
  samples?: number;
  /** Posterior temperature T (default 1). */
  temperature?: number;
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

/** Standardizes, pretrains with Adam to a mode (unless pretrainEpochs is 0) and fits the noise there. */
export async function prepare(train: Dataset, opts: SamplerOptions): Promise<Prepared> {
  const spec = specFor(train, opts);
  const mlp = await engineFor(spec);
  const standardizer = opts.standardize === false ? undefined : fitStandardizer(train, taskOf(spec) === 'regression');
  const data = standardizer ? applyStandardizer(standardizer, train) : train;
  const epochs = opts.pretrainEpochs ?? defaultEpochs(data.n, opts.batchSize ?? 32);
  if (!(Number.isInteger(epochs) && epochs >= 0)) throw argError('E_ARG', 'pretrainEpochs', 'an integer ≥ 0', describe(opts.pretrainEpochs), 'E.g. 20.');
  const base = fitOptionsOf(opts);
  const theta0 =
    epochs > 0
      ? (await fit(mlp, data, { ...base, epochs, learningRate: 1e-3, standardize: false, onProgress: undefined })).params
      : mlp.init(base.seed ?? 0, 0);
  let noiseVar = 1;
  if (spec.likelihood === 'gaussian') {
    noiseVar = opts.noise !== undefined ? noiseVariance(opts.noise, standardizer) : epochs > 0 ? residualVariance(mlp, theta0, data) : 1;
  }
  return { spec, mlp, standardizer, data, noiseVar, theta0, lambda: opts.priorPrecision ?? 1 };
}

/** Checks a positive integer option. */
export function positiveInt(name: string, v: unknown, fallback: number, hint: string): number {
  const x = v ?? fallback;
  if (!(Number.isInteger(x) && (x as number) >= 1)) throw argError('E_ARG', name, 'a positive integer', describe(v), hint);
  return x as number;
}

/** Checks a burn-in length in epochs (an integer ≥ 0). */
export function burnInOf(v: unknown, fallback: number): number {
  const b = v ?? fallback;
  if (!(Number.isInteger(b) && (b as number) >= 0)) throw argError('E_ARG', 'burnIn', 'an integer number of epochs ≥ 0', describe(v), `E.g. ${fallback}.`);
  return b as number;
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

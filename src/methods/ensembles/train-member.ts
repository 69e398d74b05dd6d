/**
 * 'train-member': one deep-ensemble member (or any independently seeded network), trained on the
 * run's (already standardized) data. A pure function of (spec, options, seed, stream, data): the
 * same member bit for bit in a worker or in-thread, whatever the pool size.
 */
import { argError, describe } from '../../errors.js';
import type { Dataset } from '../../data/dataset.js';
import { Mlp } from '../../model/mlp.js';
import type { MlpSpec } from '../../model/spec.js';
import { fit, type EarlyStopping } from '../../train/fit.js';
import { adam, compose, weightDecay } from '../../train/optimizers.js';
import type { Arena } from '../../wasm/index.js';
import { adversarialObjective } from './adversarial.js';
import { heldOutNoiseVar, NoiseEstimate, noiseObjective } from '../noise.js';
import type { TaskContext } from '../../pool/types.js';

/** Serializable training options of a member. */
export interface MemberOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  priorPrecision: number;
  /** Fixed noise variance (standardized units) for a gaussian likelihood; absent: fitted by EM. */
  noiseVar?: number;
  /** β-NLL exponent for a heteroscedastic head (methods/noise.ts BetaNllOption); 0 or absent: plain NLL. */
  betaNll?: number;
  /** Adversarial training (./adversarial.ts): ε per input, standardized units; absent: off. */
  adversarial?: Float32Array;
  /** Early stopping on held-out rows (train/fit.ts): the given rows (standardized), else each member's own seeded rows; absent: the fixed epochs. */
  earlyStopping?: EarlyStopping;
}

export interface MemberResult {
  theta: Float32Array;
  /** Fitted (or given) noise variance, standardized units; 1 for likelihoods without one. */
  noiseVar: number;
  losses: number[];
}

/** What the caller's environment offers: a wasm instance, progress, cancellation. */
export interface MemberEnv {
  arena?: Arena;
  onProgress?: (p: { epoch: number; epochs: number; loss: number }) => void;
  signal?: AbortSignal;
}

/** Trains member `stream` under key `seed` on data { x, y } (rows of spec.inputs / target columns). */
export async function trainMember(
  spec: MlpSpec,
  options: MemberOptions,
  seed: number,
  stream: number,
  data: { x: Float32Array; y: Float32Array },
  env: MemberEnv = {},
): Promise<MemberResult> {
  if (!(data?.x instanceof Float32Array) || !(data.y instanceof Float32Array)) {
    throw argError('E_ARG', 'data', 'Float32Arrays x and y', describe(data), 'Pass the standardized training rows.');
  }
  const n = data.x.length / spec.inputs;
  const targets = spec.likelihood === 'categorical' ? 1 : spec.outputs;
  const ds: Dataset = { x: data.x, y: data.y, n, inputs: spec.inputs, targets };
  const mlp = await Mlp.create(spec, { arena: env.arena, capacity: Math.max(options.batchSize, 1) });
  const noise = spec.likelihood === 'gaussian' ? new NoiseEstimate(options.noiseVar ?? 1, options.noiseVar !== undefined) : undefined;
  const r = await fit(mlp, ds, {
    epochs: options.epochs,
    earlyStopping: options.earlyStopping,
    batchSize: options.batchSize,
    learningRate: options.learningRate,
    seed,
    stream,
    standardize: false,
    objective: options.adversarial ? adversarialObjective(mlp, noise, options.adversarial, options.batchSize, options.betaNll) : noiseObjective(mlp, noise, false, { betaNll: options.betaNll }),
    optimizer: compose(weightDecay(options.priorPrecision / n), adam()),
    onProgress: env.onProgress,
    signal: env.signal,
  });
  noise?.update();
  // A fitted σ comes from the member's held-out rows when it stopped on them (noise.ts heldOutNoiseVar).
  const held = noise && !noise.fixed ? heldOutNoiseVar(r.validationLoss, spec.outputs, noise.variance) : undefined;
  return { theta: r.params, noiseVar: held ?? noise?.variance ?? 1, losses: r.losses };
}

/** The pool's runner: the task's (spec, options, seed, stream) and the run's data { x, y }. */
export async function runTrainMember(ctx: TaskContext<MlpSpec, MemberOptions>): Promise<MemberResult> {
  const { spec, options, seed, stream } = ctx.task;
  if (spec === undefined || options === undefined) {
    throw argError('E_ARG', 'task', 'a train-member task with spec and options', describe(ctx.task), 'Build tasks with trainEnsemble.');
  }
  return trainMember(spec, options, seed, stream, ctx.data as { x: Float32Array; y: Float32Array }, {
    arena: await ctx.arena(),
    signal: ctx.signal,
    onProgress: (p) => ctx.progress(p.epoch, p.epochs, { loss: p.loss }),
  });
}

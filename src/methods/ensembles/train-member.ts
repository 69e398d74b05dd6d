/**
 * 'train-member': one deep-ensemble member (or any independently seeded network), trained on the
 * run's (already standardized) data. A pure function of (spec, options, seed, stream, data): the
 * same member bit for bit in a worker or in-thread, whatever the pool size.
 */
import { argError, describe } from '../../errors.js';
import type { Dataset } from '../../data/dataset.js';
import { Mlp } from '../../model/mlp.js';
import type { MlpSpec } from '../../model/spec.js';
import { EARLY_STOPPING_OPTIONS, fit, type EarlyStopping } from '../../train/fit.js';
import { custom, int, nested, num, required, schema, type Infer } from '../../options/schema.js';
import { adam, compose, weightDecay } from '../../train/optimizers.js';
import type { Arena } from '../../wasm/index.js';
import { adversarialObjective } from './adversarial.js';
import { BETA_NLL, heldOutNoiseVar, NoiseEstimate, noiseObjective } from '../noise.js';
import type { TaskContext } from '../../pool/types.js';


/** A member's serializable training options (what a 'train-member' task carries), checked before any work. */
export const MEMBER_OPTIONS = schema("'train-member' task", {
  epochs: required(int({ min: 1, help: 'training epochs (the most, with early stopping)' })),
  batchSize: required(int({ min: 1, help: 'minibatch size' })),
  learningRate: required(num({ gt: 0, help: 'Adam learning rate' })),
  priorPrecision: required(num({ min: 0, help: 'precision λ of the N(0, 1/λ) prior on every weight' })),
  noiseVar: num({ gt: 0, defaultText: 'fitted by EM', help: "fixed noise variance (standardized units) of a 'gaussian' likelihood" }),
  ...BETA_NLL,
  adversarial: custom<Float32Array>({ expected: 'a Float32Array of ε per input', valid: (v) => v instanceof Float32Array, defaultText: 'off', help: 'adversarial training (./adversarial.ts): ε per input, standardized units' }),
  earlyStopping: nested<EarlyStopping>(EARLY_STOPPING_OPTIONS, { defaultText: 'the fixed epochs', help: 'early stopping on held-out rows: the given rows (standardized), else each member\'s own seeded rows' }),
});
/** Serializable training options of a member (MEMBER_OPTIONS's type). */
export type MemberOptions = Infer<typeof MEMBER_OPTIONS>;

export interface MemberResult {
  theta: Float32Array;
  /** Fitted (or given) noise variance, standardized units; 1 for likelihoods without one. */
  noiseVar: number;
  losses: number[];
  /** With early stopping: the 1-based epoch whose weights were kept. */
  bestEpoch?: number;
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
  return { theta: r.params, noiseVar: held ?? noise?.variance ?? 1, losses: r.losses, ...(r.bestEpoch !== undefined && { bestEpoch: r.bestEpoch }) };
}

/** The pool's runner: the task's (spec, options, seed, stream) and the run's data { x, y }. */
export async function runTrainMember(ctx: TaskContext<MlpSpec, MemberOptions>): Promise<MemberResult> {
  const { spec, seed, stream } = ctx.task;
  if (spec === undefined) throw argError('E_ARG', 'task.spec', 'the MlpSpec of the member', describe(spec), 'Build tasks with trainEnsemble.');
  const options = MEMBER_OPTIONS.parse(ctx.task.options, undefined, 'options.');
  return trainMember(spec, options, seed, stream, ctx.data as { x: Float32Array; y: Float32Array }, {
    arena: await ctx.arena(),
    signal: ctx.signal,
    onProgress: (p) => ctx.progress(p.epoch, p.epochs, { loss: p.loss }),
  });
}

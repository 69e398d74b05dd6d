/**
 * One fit of a network trained with dropout, as MC dropout trains it: the NLL with a noise estimate
 * (EM, or a fixed σ²), dropout masks keyed by the loop's step, Adam after weight decay λ/n. `fitDropout`
 * is that fit in this thread; 'dropout-fit' is the same fit as a pool task, so that MC dropout's
 * candidate rates and cross-fitted blocks (a few dozen independent fits) run side by side in workers.
 * A pure function of (spec, options, seed, stream, data): the same bits in a worker or in-thread.
 */
import { argError, describe } from '../../errors.js';
import type { Dataset } from '../../data/dataset.js';
import { Mlp } from '../../model/mlp.js';
import type { MlpSpec } from '../../model/spec.js';
import type { TaskContext } from '../../pool/types.js';
import { bool, custom, int, nested, num, required, schema, type Infer } from '../../options/schema.js';
import { EARLY_STOPPING_OPTIONS, fit, type EarlyStopping, type FitOptions, type FitResult } from '../../train/fit.js';
import type { Schedule } from '../../train/schedules.js';
import { adam, compose, weightDecay } from '../../train/optimizers.js';
import { BETA_NLL, NoiseEstimate, noiseObjective } from '../noise.js';
import { ENGINE_CAPACITY } from '../common.js';

/** The pool task kind of one dropout fit. */
export const DROPOUT_FIT = 'dropout-fit';

/** What a dropout fit is given besides its data: serializable unless the learning rate is a schedule (which then runs in-thread). */
export const DROPOUT_FIT_OPTIONS = schema("'dropout-fit' task", {
  epochs: required(int({ min: 1, help: 'training epochs (the most, with early stopping)' })),
  batchSize: required(int({ min: 1, help: 'minibatch size' })),
  learningRate: required(custom<number | Schedule>({ expected: 'a number > 0 or a schedule', valid: (v) => typeof v === 'function' || (typeof v === 'number' && v > 0), help: 'Adam learning rate' })),
  priorPrecision: required(num({ min: 0, help: 'precision λ of the N(0, 1/λ) prior on every weight (weight decay λ/n)' })),
  noiseVar: num({ gt: 0, defaultText: 'fitted by EM', help: "fixed noise variance (standardized units) of a 'gaussian' likelihood" }),
  ...BETA_NLL,
  earlyStopping: nested<EarlyStopping>(EARLY_STOPPING_OPTIONS, { defaultText: 'the fixed epochs', help: 'early stopping on held-out rows' }),
  progress: bool({ default: false, help: 'report every epoch (a scoring fit reports none)' }),
});
export type DropoutFitOptions = Infer<typeof DROPOUT_FIT_OPTIONS>;

/** A finished dropout fit, and its noise: the EM σ² (standardized units) after its last epoch, or the fixed one. */
export interface DropoutFit extends FitResult {
  noiseVar?: number;
}

/** Progress and cancellation of a fit. */
export interface DropoutFitEnv {
  onProgress?: FitOptions['onProgress'];
  signal?: AbortSignal;
}

/** Fits `mlp` (its spec carries the rates) on the standardized `data` with these options, under key (seed, stream). */
export async function fitDropout(mlp: Mlp, data: Dataset, o: DropoutFitOptions, seed: number, stream: number, env: DropoutFitEnv = {}): Promise<DropoutFit> {
  const noise = mlp.spec.likelihood === 'gaussian' ? new NoiseEstimate(o.noiseVar ?? 1, o.noiseVar !== undefined) : undefined;
  const r = await fit(mlp, data, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    learningRate: o.learningRate,
    earlyStopping: o.earlyStopping,
    seed,
    stream,
    standardize: false,
    objective: noiseObjective(mlp, noise, true, { betaNll: o.betaNll ?? 0 }),
    optimizer: compose(weightDecay(o.priorPrecision / data.n), adam()),
    onProgress: env.onProgress,
    signal: env.signal,
  });
  noise?.update();
  return { ...r, ...(noise && { noiseVar: noise.variance }) };
}

/** The pool's runner: the task's (spec, options, seed, stream) and the run's standardized data { x, y }. */
export async function runDropoutFit(ctx: TaskContext<MlpSpec, DropoutFitOptions>): Promise<DropoutFit> {
  const { spec, seed, stream } = ctx.task;
  if (spec === undefined) throw argError('E_ARG', 'task.spec', 'the MlpSpec of the network, with its dropout rates', describe(spec), 'Build tasks with trainMcDropout.');
  const options = DROPOUT_FIT_OPTIONS.parse(ctx.task.options, undefined, 'options.');
  const { x, y } = ctx.data;
  if (!(x instanceof Float32Array && y instanceof Float32Array)) throw argError('E_SHAPE', 'data', 'Float32Arrays x and y', `${describe(x)}, ${describe(y)}`, 'Pass the standardized training rows as run data { x, y }.');
  const targets = spec.likelihood === 'categorical' ? 1 : spec.outputs;
  const data: Dataset = { x, y, n: x.length / spec.inputs, inputs: spec.inputs, targets };
  const mlp = await Mlp.create(spec, { arena: await ctx.arena(), capacity: ENGINE_CAPACITY });
  return fitDropout(mlp, data, options, seed, stream, {
    signal: ctx.signal,
    onProgress: options.progress ? (p) => ctx.progress(p.epoch, p.epochs, { loss: p.loss }) : undefined,
  });
}

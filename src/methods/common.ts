/**
 * What every method shares: the options a user gives (network shape, training budget, seed,
 * progress, cancellation), the spec they imply for a data set, and the training of one network.
 */
import { argError, describe } from '../errors.js';
import { signalOption } from '../signal.js';
import type { ProgressEvent } from '../pool/types.js';
import type { Dataset } from '../data/dataset.js';
import { Mlp } from '../model/mlp.js';
import { checkSpec, type Activation, type Likelihood, type MlpSpec } from '../model/spec.js';
import { priorPrecisionOf, type FitOptions } from '../train/fit.js';

export interface MethodOptions {
  /** 'regression' (default) or 'classification' (targets are class indices 0…K−1). */
  task?: 'regression' | 'classification';
  /** Number of classes (default: the largest label + 1). */
  classes?: number;
  /** Hidden widths (default [50], the UCI protocol). */
  hidden?: number[];
  activation?: Exclude<Activation, 'identity'>;
  /** Regression likelihood: 'gaussian' (homoscedastic, default) or 'heteroscedastic'. */
  likelihood?: Extract<Likelihood, 'gaussian' | 'heteroscedastic'>;
  epochs?: number;
  batchSize?: number;
  learningRate?: FitOptions['learningRate'];
  /** Gaussian prior precision on the weights (default 1). */
  priorPrecision?: number;
  seed?: number;
  onProgress?: (p: { task?: number; epoch: number; epochs: number; loss: number }) => void;
  /** Cancels training (BdlError E_ABORTED). A real AbortSignal; anything else is E_ARG before any work. */
  signal?: AbortSignal;
}

/** A fan-out's progress (one event per task) as a method reports it: task, epoch, epochs, loss (NaN when the task reports none). */
export function memberProgress(onProgress: MethodOptions['onProgress']): ((e: ProgressEvent) => void) | undefined {
  return onProgress && ((e) => onProgress({ task: e.taskId, epoch: e.step, epochs: e.total, loss: (e.payload as { loss?: number } | undefined)?.loss ?? NaN }));
}

/** The network spec a method trains for this data set and these options. */
export function specFor(data: Dataset, o: MethodOptions, extra: Partial<MlpSpec> = {}): MlpSpec {
  signalOption(o.signal);
  const task = o.task ?? 'regression';
  if (task !== 'regression' && task !== 'classification') throw argError('E_ARG', 'task', "'regression' or 'classification'", describe(task), 'Pick one.');
  let outputs = data.targets;
  let likelihood: Likelihood = o.likelihood ?? 'gaussian';
  if (task === 'classification') {
    let max = 0;
    for (let i = 0; i < data.n; i++) max = Math.max(max, data.y[i]);
    outputs = o.classes ?? max + 1;
    likelihood = 'categorical';
  }
  return checkSpec({ inputs: data.inputs, hidden: o.hidden ?? [50], outputs, activation: o.activation ?? 'relu', likelihood, ...extra });
}

/** Optimizer steps the default epoch count aims at (Gal & Ghahramani's 400 epochs × batch 32 on boston are ~6000). */
export const DEFAULT_STEPS = 4000;

/**
 * The default number of epochs for n training rows: enough passes for DEFAULT_STEPS optimizer
 * steps, clamped to [40, 400]. 40 epochs (the UCI protocol's budget) is ~360 Adam steps on yacht,
 * far from converged; large sets keep 40 passes, tiny ones stop at Gal's 400.
 */
export function defaultEpochs(n: number, batchSize = 32): number {
  const perEpoch = Math.ceil(n / Math.max(1, Math.min(batchSize, n)));
  return Math.min(400, Math.max(40, Math.ceil(DEFAULT_STEPS / perEpoch)));
}

/** The fit options these method options imply for n training rows (epochs: `defaultEpochs(n)`; batch 32, Adam 1e-3). */
export function fitOptionsOf(o: MethodOptions, stream = 0, n?: number): FitOptions {
  return {
    epochs: o.epochs ?? (n === undefined ? 40 : defaultEpochs(n, o.batchSize ?? 32)),
    batchSize: o.batchSize ?? 32,
    learningRate: o.learningRate ?? 1e-3,
    priorPrecision: priorPrecisionOf(o.priorPrecision),
    seed: o.seed ?? 0,
    stream,
    signal: o.signal,
    onProgress: o.onProgress && ((p) => o.onProgress!({ task: stream, ...p })),
  };
}

/** A network engine for a spec, with room for the batch sizes a method uses. */
export function engineFor(spec: MlpSpec, capacity = 256): Promise<Mlp> {
  return Mlp.create(spec, { capacity });
}

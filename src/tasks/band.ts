/**
 * 'band': trains one method of the table on a small 1-D data set (the run's data { x, y }) and
 * returns its predictive on a grid — what the browser demo runs, one task per method, so the page
 * never freezes. options: { method, grid, epochs? }.
 */
import { argError, describe } from '../errors.js';
import { makeDataset } from '../data/dataset.js';
import { registerTask } from '../pool/registry.js';
import type { TaskContext } from '../pool/types.js';

export interface BandOptions {
  method: string;
  /** Inputs where the predictive is evaluated. */
  grid: number[];
  epochs?: number;
}

export interface BandResult {
  method: string;
  mean: Float64Array;
  aleatoric: Float64Array;
  epistemic: Float64Array;
  seconds: number;
}

/** The pool's runner for 'band' tasks. */
export async function runBand(ctx: TaskContext<unknown, BandOptions>): Promise<BandResult> {
  const o = ctx.task.options;
  const { x, y } = ctx.data as { x?: Float32Array; y?: Float32Array };
  if (!o || typeof o.method !== 'string' || !Array.isArray(o.grid) || !(x instanceof Float32Array) || !(y instanceof Float32Array)) {
    throw argError('E_ARG', 'task', "a 'band' task with options { method, grid } and data { x, y }", describe(o), 'Build it as the demo does.');
  }
  // Imported when run: the method table imports the pool, which imports this task list.
  const { METHODS } = await import('../methods/registry.js');
  const entry = METHODS[o.method];
  if (!entry) throw argError('E_ARG', 'options.method', `one of ${Object.keys(METHODS).join(', ')}`, describe(o.method), 'Pick a method of the table.');
  const t0 = performance.now();
  const posterior = await entry.train(makeDataset({ data: x, cols: 1 }, y, 'points'), {
    seed: ctx.task.seed,
    epochs: o.epochs,
    // Few points: small batches so every epoch takes several steps.
    batchSize: Math.max(4, Math.min(32, Math.ceil(x.length / 4))),
    signal: ctx.signal,
    onProgress: (p) => ctx.progress(p.epoch, p.epochs, { loss: p.loss }),
  });
  const p = await posterior.predict(Float32Array.from(o.grid), { seed: ctx.task.seed });
  if (p.kind !== 'regression') throw argError('E_ARG', 'options.method', 'a method with a regression predictive', p.kind, 'Pick a regression method.');
  return { method: o.method, mean: p.mean, aleatoric: p.aleatoric, epistemic: p.epistemic, seconds: (performance.now() - t0) / 1000 };
}

registerTask('band', runBand);

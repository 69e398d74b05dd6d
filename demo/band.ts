/**
 * 'band': trains one method of the table on a small 1-D data set (the run's data { x, y }) and
 * returns its predictive on a grid — what the browser demo runs, one task per method, so the page
 * never freezes. options: { method, grid, epochs?, learningRate?, priorPrecision? }. Registered by the demo's worker entry
 * (demo/worker.ts) and passed to the demo's pool; it uses only the package's public surface, so the
 * page's bundle maps it onto the built library.
 */
import { BdlError, makeDataset, METHODS } from '../src/index.js';
import type { TaskContext } from '../src/subpaths/advanced.js';

export interface BandOptions {
  method: string;
  /** Inputs where the predictive is evaluated. */
  grid: number[];
  epochs?: number;
  /** Adam's rate (default: the method's, 1e-3). */
  learningRate?: number;
  /** Precision of the weights' N(0, 1/λ) prior (default: the method's, 1). */
  priorPrecision?: number;
}

export interface BandResult {
  method: string;
  mean: Float64Array;
  aleatoric: Float64Array;
  epistemic: Float64Array;
  /** The last training loss the method reported (its objective per example; absent if it reports none). */
  loss?: number;
  /** Markov chains: the last reported acceptance statistic and divergent transitions (their progress is not a loss). */
  acceptance?: number;
  divergences?: number;
  seconds: number;
}

/** The pool's runner for 'band' tasks. */
export async function runBand(ctx: TaskContext<unknown, BandOptions>): Promise<BandResult> {
  const o = ctx.task.options;
  const { x, y } = ctx.data as { x?: Float32Array; y?: Float32Array };
  if (!o || typeof o.method !== 'string' || !Array.isArray(o.grid) || !(x instanceof Float32Array) || !(y instanceof Float32Array)) {
    throw bad('task', "a 'band' task with options { method, grid } and data { x, y }", typeof o, 'Build it as the demo does.');
  }
  const entry = METHODS[o.method];
  if (!entry) throw bad('options.method', `one of ${Object.keys(METHODS).join(', ')}`, JSON.stringify(o.method), 'Pick a method of the table.');
  const t0 = performance.now();
  let loss: number | undefined;
  let chain: { acceptance?: number; divergences?: number } = {};
  const posterior = await entry.train(makeDataset({ data: x, cols: 1 }, y, 'points'), {
    seed: ctx.task.seed,
    epochs: o.epochs,
    learningRate: o.learningRate,
    priorPrecision: o.priorPrecision,
    // Few points: small batches so every epoch takes several steps.
    batchSize: Math.max(4, Math.min(32, Math.ceil(x.length / 4))),
    signal: ctx.signal,
    onProgress: (p) => {
      loss = p.loss;
      if (p.acceptance !== undefined) chain = { acceptance: p.acceptance, divergences: p.divergences };
      ctx.progress(p.epoch, p.epochs, { loss: p.loss });
    },
  });
  const p = await posterior.predict(Float32Array.from(o.grid), { seed: ctx.task.seed });
  if (p.kind !== 'regression') throw bad('options.method', 'a method with a regression predictive', p.kind, 'Pick a regression method.');
  return { method: o.method, mean: p.mean, aleatoric: p.aleatoric, epistemic: p.epistemic, loss, ...chain, seconds: (performance.now() - t0) / 1000 };
}

/** The library's message shape: "<arg>: expected <expected>, found <found>. <hint>" */
function bad(argument: string, expected: string, found: string, hint: string): BdlError {
  return new BdlError('E_ARG', `${argument}: expected ${expected}, found ${found}. ${hint}`, argument);
}

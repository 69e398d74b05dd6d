/**
 * The one way to run many independent tasks — ensemble members, SWAG members, Markov chains — and
 * to cancel them: `fanOut(tasks, { pool, signal, onProgress })`. It only needs the `Pool` interface
 * (`run`), so any backend implementing it (the worker pool, a queue) runs the same fan-outs; given
 * pool options instead of a pool, it makes a worker pool for this fan-out and closes it afterwards.
 */
import { BdlError } from '../errors.js';
import { signalOption } from '../signal.js';
import { createPool } from './pool.js';
import type { Pool, PoolOptions, ProgressEvent, RestartEvent, TaskData, TaskDescription } from './types.js';

export interface FanOutOptions {
  /** A pool to run on (left open), or the options of a pool made for this fan-out and closed after it. Default `{}`: one worker per core. */
  readonly pool?: Pool | PoolOptions;
  /** Arrays every task reads (sent to each worker once). */
  readonly data?: TaskData;
  /** Cancels every task: the fan-out rejects with BdlError E_ABORTED. A real AbortSignal; anything else is E_ARG. */
  readonly signal?: AbortSignal;
  /** Progress of each task, in the one shape every fan-out reports: `{ taskId, step, total, payload }`. */
  readonly onProgress?: (event: ProgressEvent) => void;
  /** A task restarted from its last checkpoint after its worker died. */
  readonly onRestart?: (event: RestartEvent) => void;
}

/** Runs the tasks and resolves their results in task order; rejects with the first failure (E_WORKER), E_ABORTED or E_CLOSED. */
export async function fanOut<Result>(tasks: readonly TaskDescription[], options: FanOutOptions = {}): Promise<Result[]> {
  const signal = signalOption(options.signal);
  if (signal?.aborted) throw new BdlError('E_ABORTED', 'fanOut: cancelled before it started.');
  const given = isPool(options.pool) ? options.pool : undefined;
  const pool = given ?? (await createPool((options.pool as PoolOptions | undefined) ?? {}));
  try {
    return await pool.run<Result>(tasks, { data: options.data, signal, onProgress: options.onProgress, onRestart: options.onRestart });
  } finally {
    if (given === undefined) await pool.close();
  }
}

/** Whether `p` is a Pool (rather than the options of one). */
export function isPool(p: unknown): p is Pool {
  return typeof (p as Pool | undefined)?.run === 'function';
}

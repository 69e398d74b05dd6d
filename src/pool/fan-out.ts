/**
 * The one way to run many independent tasks — ensemble members, SWAG members, Markov chains — and
 * to cancel them: `fanOut(tasks, { pool, signal, onProgress })`. It only needs the `Pool` interface
 * (`run`), so any backend implementing it (the worker pool, a queue) runs the same fan-outs; given
 * pool options instead of a pool, it makes a worker pool for this fan-out and closes it afterwards.
 */
import { BdlError, type BdlErrorCode } from '../errors.js';
import { signalOption } from '../signal.js';
import { defaultWorkerCount } from './executors.js';
import { createPool } from './pool.js';
import type { Pool, PoolOptions, ProgressEvent, RestartEvent, TaskData, TaskDescription } from './types.js';

export interface FanOutOptions {
  /** A pool to run on (left open), or the options of a pool made for this fan-out and closed after it. Default `{}`: one worker per core (in-thread where the runtime has no workers). */
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

/**
 * Runs the tasks and resolves their results in task order; rejects with the first failure, E_ABORTED
 * or E_CLOSED. A task that failed with a typed error of its own (a diverging member's E_NONFINITE, an
 * E_NOT_PD) rejects with that code, as the same work in-thread would; a crashed worker is E_WORKER.
 */
export async function fanOut<Result>(tasks: readonly TaskDescription[], options: FanOutOptions = {}): Promise<Result[]> {
  const signal = signalOption(options.signal);
  if (signal?.aborted) throw new BdlError('E_ABORTED', 'fanOut: cancelled before it started.');
  const given = isPool(options.pool) ? options.pool : undefined;
  const pool = given ?? (await createPool(await forTasks((options.pool as PoolOptions | undefined) ?? {}, tasks.length)));
  try {
    return await pool.run<Result>(tasks, { data: options.data, signal, onProgress: options.onProgress, onRestart: options.onRestart });
  } catch (e) {
    throw taskOwnError(e);
  } finally {
    if (given === undefined) await pool.close();
  }
}

/**
 * The options of a pool made for `n` tasks: never more workers than tasks (two chains on a
 * 16-core machine start two workers, not sixteen). Options that are not a plain size (a bad value)
 * go to createPool as given, to be refused there.
 */
export async function forTasks(o: PoolOptions, n: number): Promise<PoolOptions> {
  if (o === null || typeof o !== 'object') return o;
  const size = o.size ?? (await defaultWorkerCount());
  return typeof size === 'number' && Number.isInteger(size) && size > n ? { ...o, size: n } : o;
}

/** Codes a task's own code throws on purpose (data, numerics, memory), as opposed to the pool's. */
const TASK_CODES: readonly BdlErrorCode[] = ['E_SHAPE', 'E_NONFINITE', 'E_EMPTY', 'E_ARG', 'E_PARSE', 'E_NOT_PD', 'E_MEMORY', 'E_WASM', 'E_FORMAT'];

/**
 * The pool reports a failed task as E_WORKER with the task's error as `cause` (its contract: one
 * code for "a task failed"). A fan-out is a method's own work: it rethrows the task's code, so a
 * caller branching on `code` sees the same error whether the work ran in-thread or in a worker. The
 * message keeps which task failed.
 */
function taskOwnError(e: unknown): unknown {
  const cause = e instanceof BdlError && e.code === 'E_WORKER' ? (e.cause as { code?: string; message?: string } | undefined) : undefined;
  if (!cause || !(TASK_CODES as readonly string[]).includes(cause.code ?? '')) return e;
  const err = new BdlError(cause.code as BdlErrorCode, `${cause.message} (${e instanceof BdlError ? e.message.split(' failed: ')[0] : 'a task'})`, e instanceof BdlError ? e.argument : undefined);
  err.cause = e;
  return err;
}

/** Whether `p` is a Pool (rather than the options of one). */
export function isPool(p: unknown): p is Pool {
  return typeof (p as Pool | undefined)?.run === 'function';
}

/**
 * Runs one task: the code shared by the worker entry and the in-thread pool (size 0), so a task
 * computes exactly the same thing wherever it runs.
 */
import { BdlError } from '../errors.js';
import { macrotask, pollingSignal, turnStarted } from '../signal.js';
import type { Arena } from '../wasm/arena.js';
import { detachResult } from './data.js';
import { taskRunner } from './registry.js';
import type { ProgressEvent, TaskContext, TaskData, TaskDescription } from './types.js';

/** Progress reports of one task are at least this far apart. */
export const PROGRESS_INTERVAL_MS = 100;

/** One attempt at one task, as sent to a worker. */
export interface Job {
  readonly taskId: number;
  readonly task: TaskDescription;
  readonly resume: unknown;
  /** Items appended by the checkpoints of earlier attempts. */
  readonly resumeLog?: readonly unknown[];
  readonly attempt: number;
}

/** A job's outcome. Errors travel as plain fields so their code survives the thread boundary. */
export type JobOutcome =
  | { readonly ok: true; readonly value: unknown; readonly transfers: ArrayBuffer[] }
  | { readonly ok: false; readonly code: string; readonly message: string };

/** Where a job runs: its thread's arena and data, and how it hears about cancellation. */
export interface JobEnv {
  /** The thread's arena, emptied for this job. */
  readonly arena: () => Promise<Arena>;
  readonly data: TaskData;
  readonly inWorker: boolean;
  /** Synchronous cancellation test (a shared flag, a message-set flag, or an AbortSignal). */
  readonly stopped: () => boolean;
  /**
   * Milliseconds of work between yields to the event loop inside `check()`: needed where
   * cancellation arrives as a message, or on the main thread; undefined never yields.
   */
  readonly yieldEveryMs: number | undefined;
  readonly progress?: (event: ProgressEvent) => void;
  readonly checkpoint?: (state: unknown, append: readonly unknown[] | undefined) => void;
}

/** Runs a job to an outcome; never throws. */
export async function executeJob(job: Job, env: JobEnv): Promise<JobOutcome> {
  let arena: Promise<Arena> | undefined;
  let lastProgress = -Infinity;
  let lastYield = performance.now();
  const aborted = () =>
    new BdlError('E_ABORTED', `task ${job.taskId} (${JSON.stringify(job.task.kind)}): cancelled by the run's AbortSignal.`);
  const check = async (): Promise<void> => {
    if (env.yieldEveryMs !== undefined && performance.now() - Math.min(lastYield, turnStarted()) >= env.yieldEveryMs) {
      await macrotask();
      lastYield = performance.now();
    }
    if (env.stopped()) throw aborted();
  };
  const ctx: TaskContext = {
    task: job.task,
    taskId: job.taskId,
    data: env.data,
    resume: job.resume,
    resumeLog: job.resumeLog ?? [],
    attempt: job.attempt,
    inWorker: env.inWorker,
    arena: () => (arena ??= env.arena()),
    shouldStop: env.stopped,
    signal: pollingSignal(env.stopped, aborted).signal,
    check,
    async checkpoint(state, append) {
      env.checkpoint?.(state, append);
      await check();
    },
    progress(step, total, payload) {
      const now = performance.now();
      // Throttled, except a task's last step: the caller's bar should end at 100 %.
      if (env.progress === undefined || (now - lastProgress < PROGRESS_INTERVAL_MS && step < total)) return;
      lastProgress = now;
      env.progress({ taskId: job.taskId, step, total, payload });
    },
  };
  try {
    if (env.stopped()) throw aborted();
    const value = await taskRunner(job.task.kind)(ctx);
    const keep = new Set<ArrayBufferLike>(Object.values(env.data).map((a) => a.buffer));
    if (arena !== undefined) keep.add((await arena).memory.buffer);
    return { ok: true, ...detachResult(value, keep) };
  } catch (e) {
    const err = e as Partial<BdlError>;
    return { ok: false, code: typeof err.code === 'string' ? err.code : 'E_TASK', message: String(err.message ?? e) };
  }
}

/**
 * What a worker exposes over Comlink. workers/worker.ts only picks the endpoint (Node's
 * parentPort or the Web Worker scope) and exposes this object.
 */
import * as Comlink from 'comlink';
import { Arena } from '../wasm/arena.js';
import type { CompiledCore } from '../wasm/load.js';
import { executeJob, type Job, type JobOutcome } from './execute.js';
import type { ProgressEvent, TaskData } from './types.js';

/** Without shared memory, a worker yields this often so a cancel message can get in. */
export const MESSAGE_CANCEL_YIELD_MS = 20;

/** The main thread's end of a run: one Comlink.proxy per run, released by the worker after each job. */
export interface RunSink {
  progress(event: ProgressEvent): void;
  checkpoint(taskId: number, state: unknown): void;
}

export interface WorkerApi {
  /**
   * Receives the compiled core (instantiated once: one arena serves every job) and, where shared memory
   * exists, the control word the main thread writes a job's key into to cancel it.
   */
  init(core: CompiledCore, control: Int32Array | undefined): Promise<void>;
  /** Keeps a run's data until `dropData` (shared arrays, or this worker's one copy). */
  putData(runId: number, data: TaskData): void;
  dropData(runId: number): void;
  run(job: Job, runId: number, sink: RunSink, key: number): Promise<JobOutcome>;
  /** Cancels the job with this key (used where there is no shared control word). */
  cancel(key: number): void;
}

/** The worker-side implementation. */
export function workerApi(): WorkerApi {
  let arena: Arena | undefined;
  let control: Int32Array | undefined;
  let cancelled = -1;
  const data = new Map<number, TaskData>();
  const ignore = () => {};
  return {
    async init(c, ctrl) {
      arena = await Arena.create(c);
      control = ctrl;
    },
    putData(runId, d) {
      data.set(runId, d);
    },
    dropData(runId) {
      data.delete(runId);
    },
    async run(job, runId, sink, key) {
      const remote = sink as unknown as Comlink.Remote<RunSink>;
      // Progress and the result travel on different ports: the result waits for the last progress
      // call's round trip, so a task's final step reaches the caller before its run can settle.
      let delivered: Promise<unknown> = Promise.resolve();
      try {
        const ctrl = control;
        const out = await executeJob(job, {
          arena: () => Promise.resolve(emptied(arena!)),
          data: data.get(runId) ?? {},
          inWorker: true,
          stopped: ctrl !== undefined ? () => Atomics.load(ctrl, 0) === key : () => cancelled === key,
          yieldEveryMs: ctrl !== undefined ? undefined : MESSAGE_CANCEL_YIELD_MS,
          progress: (e) => void (delivered = remote.progress(e).catch(ignore)),
          checkpoint: (s) => void remote.checkpoint(job.taskId, s).catch(ignore),
        });
        await delivered;
        return out.ok ? Comlink.transfer(out, out.transfers) : out;
      } finally {
        remote[Comlink.releaseProxy]();
      }
    },
    cancel(key) {
      cancelled = key;
    },
  };
}

/**
 * One arena per thread, emptied for each job: its layout then depends only on the job, and
 * memory grown by earlier jobs is reused instead of mapped afresh for every task.
 */
export function emptied(arena: Arena): Arena {
  arena.reset();
  return arena;
}

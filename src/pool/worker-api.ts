/**
 * What a worker exposes over Comlink. workers/worker.ts only picks the endpoint (Node's
 * parentPort or the Web Worker scope) and exposes this object.
 */
import * as Comlink from 'comlink';
import { Arena } from '../wasm/arena.js';
import { setDefaultCore, type CompiledCore } from '../wasm/core.js';
import { executeJob, type Job, type JobOutcome } from './execute.js';
import type { ProgressEvent, TaskData } from './types.js';

/** Without shared memory, a worker yields this often so a cancel message can get in. */
export const MESSAGE_CANCEL_YIELD_MS = 20;

/**
 * What a job sends back, all on its own MessagePort and so in order: progress and checkpoints, then
 * exactly one outcome, after which the pool closes the port (which closes both ends: closing it here
 * could drop messages still queued). One port per job, owned by the pool,
 * closed when the job ends: no proxy whose collection could close it mid-job, and the
 * outcome can never overtake the job's last progress or checkpoint.
 */
export type JobMessage =
  | { readonly type: 'progress'; readonly event: ProgressEvent }
  | { readonly type: 'checkpoint'; readonly state: unknown; readonly append: readonly unknown[] | undefined }
  | { readonly type: 'outcome'; readonly outcome: JobOutcome }
  /**
   * An uncaught error in the worker while the job ran (a browser worker reports it; see `workerApi`).
   * It comes after every checkpoint the job posted before the error, which the Worker's own error
   * event, on another channel, does not.
   */
  | { readonly type: 'fault'; readonly message: string };

/** Where a worker hears of its own uncaught errors: a browser worker's global scope. */
export interface ErrorScope {
  addEventListener(type: 'error', listener: (event: { readonly message?: string }) => void): void;
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
  /** Starts a job; it reports on `port` (see JobMessage). */
  run(job: Job, runId: number, port: MessagePort, key: number): void;
  /** Cancels the job with this key (used where there is no shared control word). */
  cancel(key: number): void;
}

/**
 * The worker-side implementation. Given the worker's `scope`, each uncaught error there is posted as
 * a `fault` on the port of every job in flight, behind the checkpoints already posted. A browser
 * worker lives on after an uncaught error, so it can; a Node worker thread ends on one (its exit
 * is its report).
 */
export function workerApi(scope?: ErrorScope): WorkerApi {
  let arena: Arena | undefined;
  let control: Int32Array | undefined;
  let cancelled = -1;
  const data = new Map<number, TaskData>();
  const inFlight = new Set<MessagePort>();
  scope?.addEventListener('error', (event) => {
    const m: JobMessage = { type: 'fault', message: event.message ?? '' };
    for (const port of inFlight) port.postMessage(m);
  });
  return {
    async init(c, ctrl) {
      // The worker carries no binaries: whatever its tasks compile against is the pool's core.
      setDefaultCore(() => Promise.resolve(c));
      arena = await Arena.create(c);
      control = ctrl;
    },
    putData(runId, d) {
      data.set(runId, d);
    },
    dropData(runId) {
      data.delete(runId);
    },
    run(job, runId, port, key) {
      const post = (m: JobMessage, transfer: Transferable[] = []) => port.postMessage(m, transfer);
      const ctrl = control;
      inFlight.add(port);
      void executeJob(job, {
        arena: () => Promise.resolve(emptied(arena!)),
        data: data.get(runId) ?? {},
        inWorker: true,
        stopped: ctrl !== undefined ? () => Atomics.load(ctrl, 0) === key : () => cancelled === key,
        yieldEveryMs: ctrl !== undefined ? undefined : MESSAGE_CANCEL_YIELD_MS,
        progress: (event) => post({ type: 'progress', event }),
        checkpoint: (state, append) => post({ type: 'checkpoint', state, append }),
      })
        .then((outcome) => {
          inFlight.delete(port);
          try {
            post({ type: 'outcome', outcome }, outcome.ok ? outcome.transfers : []);
          } catch (e) {
            // A result that cannot be cloned (a function, a class instance with private state) still ends the job.
            post({ type: 'outcome', outcome: { ok: false, code: 'E_WORKER', message: `the task's result could not be sent back (${(e as Error).message})` } });
          }
        });
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

/** Marks the port of a job for transfer in a Comlink call. */
export function transferPort(port: MessagePort): MessagePort {
  return Comlink.transfer(port, [port]);
}

/**
 * The vocabulary of the pool: what a task is, what a task runner sees, and what a run reports.
 * Everything that crosses a thread boundary here is structured-cloneable.
 */
import type { BdlError } from '../errors.js';
import type { Arena } from '../wasm/arena.js';
import type { CompiledCore } from '../wasm/core.js';

/** Typed arrays a run can share with its tasks. */
export type SharedArray = Float32Array | Float64Array | Int32Array | Uint32Array | Uint8Array;

/** Named arrays shared by every task of a run (sent to each worker once, read-only in tasks). */
export type TaskData = Readonly<Record<string, SharedArray>>;

/**
 * A task: a plain, serializable description. Its result must depend only on this description and
 * the run's data (never on the worker, the pool size or timing).
 */
export interface TaskDescription<Spec = unknown, Options = unknown> {
  /** A registered kind, e.g. 'selftest', 'train-member', 'chain'. */
  readonly kind: string;
  readonly spec?: Spec;
  readonly options?: Options;
  /** Key of the counter-based generator. */
  readonly seed: number;
  /** The task's stream (member or chain index): independent bits for each task. */
  readonly stream: number;
}

/** What a task runner is given. The same object shape in a worker and in-thread. */
export interface TaskContext<Spec = unknown, Options = unknown, State = unknown> {
  readonly task: TaskDescription<Spec, Options>;
  /** Index of the task in its run. */
  readonly taskId: number;
  readonly data: TaskData;
  /** The last checkpoint when this is a restart after a crashed worker, else undefined. */
  readonly resume: State | undefined;
  /** On a restart, every item earlier attempts appended with `checkpoint(state, append)`, in order; else empty. */
  readonly resumeLog: readonly unknown[];
  /** 0 on the first try, then 1, 2, ... after each crashed worker. */
  readonly attempt: number;
  /** True inside a Worker, false when the pool runs the task in-thread (size 0). */
  readonly inWorker: boolean;
  /** The thread's wasm arena, emptied for this task (reset on first call, then the same one). */
  arena(): Promise<Arena>;
  /** Cheap, synchronous: has the run been cancelled? Poll it in long synchronous loops. */
  shouldStop(): boolean;
  /**
   * The task's cancellation as a real AbortSignal, for code that takes one (fit, predict): reading
   * its `aborted` polls the run's cancellation, so synchronous loops see it too.
   */
  readonly signal: AbortSignal;
  /**
   * Lets the thread take messages when needed (cancellation without shared memory) and throws
   * BdlError E_ABORTED when the run was cancelled. Await it between chunks of work.
   */
  check(): Promise<void>;
  /**
   * Records a serializable state to restart from if the worker dies, then `check()`s. Resuming from
   * it must give a result identical to an uninterrupted run. `append`: items to add to the task's
   * log (a restart gets them all back as `resumeLog`), so output produced so far travels once,
   * not again with every checkpoint.
   */
  checkpoint(state: State, append?: readonly unknown[]): Promise<void>;
  /** Reports progress; sent at most every 100 ms per task (extra calls are dropped), but step = total always. */
  progress(step: number, total: number, payload?: unknown): void;
}

/** Runs one kind of task. Registered once per kind with `registerTask`. */
export type TaskRunner<Spec = unknown, Options = unknown, State = unknown, Result = unknown> = (
  ctx: TaskContext<Spec, Options, State>,
) => Promise<Result>;

/** Runners by kind: registration as data, e.g. `{ selftest: runSelftest, chain: runChainTask }`. */
export type TaskTable = Readonly<Record<string, TaskRunner<any, any, any, any>>>;

/** One task's progress report, as a pool run's or fanOut's `onProgress` gets it (a method's `onProgress` gets a `MethodProgress`). */
export interface ProgressEvent {
  readonly taskId: number;
  readonly step: number;
  readonly total: number;
  readonly payload?: unknown;
}

/** Reported when a task restarts on a fresh worker after its worker died. */
export interface RestartEvent {
  readonly taskId: number;
  /** The attempt now starting (1 for the first restart). */
  readonly attempt: number;
  /** The checkpoint it resumes from (undefined: from the start). */
  readonly checkpoint: unknown;
  /** Why the previous worker ended. */
  readonly reason: string;
}

export interface RunOptions {
  /** Arrays shared by all tasks of the run (read-only for tasks; never mutated). */
  readonly data?: TaskData;
  /** Progress of each task, throttled to at most one call per task per 100 ms, plus its last step (step = total). */
  readonly onProgress?: (event: ProgressEvent) => void;
  /** A task restarted from its last checkpoint after its worker died. */
  readonly onRestart?: (event: RestartEvent) => void;
  /** Cancels the run: it rejects with BdlError E_ABORTED. */
  readonly signal?: AbortSignal;
  /** `run` only: reject at the first failed task and cancel the others (default false). */
  readonly failFast?: boolean;
}

/** The outcome of one task in `runSettled`. */
export type TaskOutcome<Result> =
  | { readonly ok: true; readonly value: Result }
  | { readonly ok: false; readonly error: BdlError };

export interface PoolOptions {
  /** Number of workers; 0 runs tasks in-thread. Default: the number of cores. */
  readonly size?: number;
  /** Share data through SharedArrayBuffer where the runtime allows it (default true). */
  readonly shared?: boolean;
  /** Restarts of one task after crashed workers before it fails with E_WORKER (default 3). */
  readonly maxRestarts?: number;
  /**
   * Task kinds this pool runs, registered in this thread (in-thread runs and the check of each task's
   * kind). Workers know the kinds of their own bundle: pass a `workerUrl` whose entry registers the same.
   */
  readonly tasks?: TaskTable;
  /** Worker script to spawn instead of the bundled one (e.g. a CDN copy of dist/worker.js). */
  readonly workerUrl?: string | URL;
  /**
   * The compiled core the workers instantiate, e.g. `await compileCore('simd')` to get the same bits in
   * Node and in Chromium (which would otherwise pick relaxed SIMD). Default: the best this runtime accepts.
   */
  readonly core?: CompiledCore;
}

export interface Pool {
  /** Workers in the pool (0: in-thread). */
  readonly size: number;
  /** True when runs share data through SharedArrayBuffer. */
  readonly shared: boolean;
  /** Runs the tasks; resolves their results in task order, or rejects with the first failure. */
  run<Result = unknown>(tasks: readonly TaskDescription[], options?: RunOptions): Promise<Result[]>;
  /** Runs the tasks; every task's outcome, failures included. Rejects only on abort or close. */
  runSettled<Result = unknown>(tasks: readonly TaskDescription[], options?: RunOptions): Promise<TaskOutcome<Result>[]>;
  /** Ends every worker; runs still in flight reject with BdlError E_CLOSED. */
  close(): Promise<void>;
}

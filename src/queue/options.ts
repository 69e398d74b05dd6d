/**
 * The options of the queue pool (the caller) and of the queue worker, as typed interfaces and as
 * the schemas that check them before Redis is contacted (a bad value is refused with E_ARG, named).
 */
import { custom, int, list, num, schema, text, type Field } from '../options/schema.js';
import { checkCore, type CompiledCore, type WasmFlavor } from '../wasm/core.js';
import { CONNECTION, type QueueConnection } from './connection.js';

export interface QueuePoolOptions {
  /** Redis: a redis:// or rediss:// URL (password and TLS in it), or ioredis options. */
  readonly connection: QueueConnection;
  /** Queue name, shared with the workers (default 'bdl'). */
  readonly queue?: string;
  /** Retries of a task whose worker thread died (default 3); stalled jobs are retried by the workers' maxStalledCount. */
  readonly maxRestarts?: number;
  /** A run fails with E_WORKER when Redis has not answered for this long (default 60 000 ms). */
  readonly unreachableMs?: number;
  /** How often unfinished jobs' states are polled, backing up the event stream, and the run's lease renewed (default 2000 ms). */
  readonly pollMs?: number;
  /**
   * How long a cancel waits for a lost connection to Redis to come back, to withdraw the run's jobs
   * (default 3000 ms; 0: not at all). Past it the caller goes on; workers then drop the jobs once
   * the run's lease lapses, `unreachableMs` plus three `pollMs` after its last renewal.
   */
  readonly withdrawMs?: number;
  /** One line per notice: no worker connected to the queue for a while, and one back (default: none). */
  readonly log?: (line: string) => void;
  /**
   * The compute core whose bits the results have, as createPool's `core` (default: the best this
   * runtime accepts, as createPool's). Workers run every job on it, or refuse the job when their
   * runtime cannot (relaxed SIMD on Node 20 without its flag); `await compileCore('simd')` runs everywhere.
   * Only its flavor travels with the jobs: `{ flavor: 'relaxed' }` asks for relaxed jobs from a caller
   * that cannot compile that binary itself.
   */
  readonly core?: CompiledCore | { readonly flavor: WasmFlavor };
}

const QUEUE_NAME = /^[\w.-]+$/;

/** createQueuePool's options, checked before Redis is contacted. */
export const QUEUE_POOL_OPTIONS = schema('createQueuePool', {
  connection: CONNECTION,
  queue: custom<string>({ expected: 'a name of letters, digits, _ . -', valid: (v) => typeof v === 'string' && QUEUE_NAME.test(v), default: 'bdl', help: 'queue name, shared with the workers' }),
  maxRestarts: int({ min: 0, default: 3, help: 'retries of a task whose worker thread died' }),
  unreachableMs: num({ gt: 0, default: 60_000, help: 'a run fails with E_WORKER when Redis has not answered for this long (ms)' }),
  pollMs: num({ gt: 0, default: 2000, help: "how often unfinished jobs' states are polled and the runs' leases renewed (ms)" }),
  withdrawMs: num({ min: 0, default: 3000, help: "how long a cancel waits for a lost connection to Redis to come back to withdraw the run's jobs (ms); past it, workers drop them when the run's lease lapses" }),
  log: custom<(line: string) => void>({ expected: 'a function', valid: (v) => typeof v === 'function', defaultText: 'none', help: 'one line per notice: no worker connected to the queue for a while, and one back' }),
  core: custom<CompiledCore | { readonly flavor: WasmFlavor }>({
    // Only the flavor travels (each job names it): a caller that cannot compile the relaxed binary may
    // still ask for relaxed jobs with { flavor: 'relaxed' }; a module, when given, must be the core.
    expected: "a compiled core (compileCore()), or { flavor: 'simd' | 'relaxed' }",
    valid: (v) => v !== null && typeof v === 'object' && ((v as CompiledCore).flavor === 'simd' || (v as CompiledCore).flavor === 'relaxed'),
    inner: (v, where, path) => ((v as Partial<CompiledCore>).module === undefined ? undefined : checkCore(v, path, where)),
    defaultText: 'the best this runtime accepts', help: 'the compute core whose bits the results have (workers run every job on it)',
  }),
} satisfies { [K in keyof Required<QueuePoolOptions>]: Field<Required<QueuePoolOptions>[K]> });

export interface QueueWorkerOptions {
  readonly connection: QueueConnection;
  /** Queue name (default 'bdl'). */
  readonly queue?: string;
  /** Jobs run at once, one wasm thread each (default 1). */
  readonly concurrency?: number;
  /** Module paths (or file: URLs) of user log-densities this worker may import; none by default. */
  readonly allowTargets?: readonly string[];
  /** BullMQ's job lock: a worker silent this long is presumed dead and its job retried (default 30 000 ms). */
  readonly lockDuration?: number;
  /** How often this worker looks for stalled jobs of dead workers (default 30 000 ms). */
  readonly stalledInterval?: number;
  /** Times a job may be recovered from a dead worker before it fails (default 3). */
  readonly maxStalledCount?: number;
  /**
   * Least time between two progress reports of one job (default 100 ms, as the local pool); each
   * report costs Redis a few commands, so fleets of hundreds of workers should raise it (DISTRIBUTED.md).
   */
  readonly progressInterval?: number;
  /**
   * Least time between two checkpoint writes of one job to Redis (default 1000 ms; 0: every
   * checkpoint the task makes). Checkpoints in between are coalesced into the next write; a job
   * whose worker dies resumes from the last one written, so at most about this much work is redone.
   */
  readonly checkpointInterval?: number;
  /** Run data kept in memory, most recent first (default 4 data sets). */
  readonly cacheSize?: number;
  /** One line per event (default: none). */
  readonly log?: (line: string) => void;
  /** Startup fails with E_WORKER when Redis has not accepted the worker within this long (default 10 000 ms). */
  readonly startTimeout?: number;
  /** Aborting it during startup fails the startup with E_ABORTED (threads and clients closed). */
  readonly signal?: AbortSignal;
  /**
   * How long `close()` may take to hand its running jobs back to the queue (default 5000 ms). Past
   * it (Redis does not answer) it stops its threads and drops its connections all the same; the jobs
   * it held come back through BullMQ's stalled check once Redis is back.
   */
  readonly stopTimeout?: number;
}

const positive = (d: number, help: string) => int({ min: 1, default: d, help });

/** createQueueWorker's options, checked before Redis is contacted. */
export const QUEUE_WORKER_OPTIONS = schema('createQueueWorker', {
  connection: CONNECTION,
  queue: QUEUE_POOL_OPTIONS.fields.queue,
  concurrency: positive(1, 'jobs run at once, one wasm thread each'),
  allowTargets: list(text({ help: '' }), { defaultText: 'none', help: 'module paths (or file: URLs) of user log-densities this worker may import' }),
  lockDuration: positive(30_000, "BullMQ's job lock (ms): a worker silent this long is presumed dead and its job retried"),
  stalledInterval: positive(30_000, 'how often (ms) this worker looks for stalled jobs of dead workers'),
  maxStalledCount: int({ min: 0, default: 3, help: 'times a job may be recovered from a dead worker before it fails' }),
  progressInterval: positive(100, 'least time (ms) between two progress reports of one job'),
  checkpointInterval: int({ min: 0, default: 1000, help: 'least time (ms) between two checkpoint writes of one job to Redis (0: every checkpoint); those in between are coalesced into the next write' }),
  cacheSize: positive(4, 'run data sets kept in memory, most recent first'),
  log: custom<(line: string) => void>({ expected: 'a function', valid: (v) => typeof v === 'function', defaultText: 'none', help: 'one line per event' }),
  startTimeout: positive(10_000, 'startup fails with E_WORKER when Redis has not accepted the worker within this long (ms)'),
  signal: custom<AbortSignal>({ expected: 'an AbortSignal', valid: (v) => v instanceof AbortSignal, defaultText: 'none', help: 'aborting it during startup stops the startup' }),
  stopTimeout: positive(5000, "how long (ms) close() may take to hand running jobs back before it stops anyway (they are then recovered by BullMQ's stalled check)"),
} satisfies { [K in keyof Required<QueueWorkerOptions>]: Field<Required<QueueWorkerOptions>[K]> });

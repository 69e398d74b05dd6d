/**
 * What every pool backend shares: the `Pool` surface (run, runSettled), a run's bookkeeping (one
 * outcome per task, failFast, AbortSignal, E_CLOSED), and the relay of progress and restarts to
 * the caller. A backend (the worker pool, the queue) only moves tasks: it opens a run with its own
 * fields, sends its tasks, records their outcomes, and stops what is left when a run ends.
 */
import { BdlError, argError, describe } from '../errors.js';
import { signalOption } from '../signal.js';
import { PROGRESS_INTERVAL_MS } from './execute.js';
import { taskRunner } from './registry.js';
import type { Pool, ProgressEvent, RestartEvent, RunOptions, TaskData, TaskDescription, TaskOutcome } from './types.js';

/** A run as every backend keeps it. */
export interface RunState {
  readonly tasks: readonly TaskDescription[];
  readonly options: RunOptions;
  readonly failFast: boolean;
  readonly outcomes: (TaskOutcome<unknown> | undefined)[];
  /** When each task's progress was last relayed (performance.now()). */
  readonly lastProgress: Map<number, number>;
  remaining: number;
  settled: boolean;
  finish(error: BdlError | undefined): void;
}

export abstract class RunPool<R extends RunState> implements Pool {
  abstract readonly size: number;
  abstract readonly shared: boolean;
  protected closed = false;
  protected readonly runs = new Set<R>();

  /** `name` prefixes its errors ('pool'); `factory` is what makes a new one ('createPool'). */
  protected constructor(
    private readonly name: string,
    private readonly factory: string,
  ) {}

  abstract close(): Promise<void>;

  /** Adds the backend's own fields to a new run. */
  protected abstract open(run: RunState): R;
  /** Sends a new run's tasks on their way (outcomes come back through `record`). */
  protected abstract submit(run: R): void;
  /** Stops what is left of a run that has ended (queued or running tasks, kept state). */
  protected abstract ended(run: R): void;

  async run<Result = unknown>(tasks: readonly TaskDescription[], options: RunOptions = {}): Promise<Result[]> {
    const outcomes = await this.begin<Result>(tasks, options, options.failFast ?? false);
    const failed = outcomes.find((o) => !o.ok);
    if (failed !== undefined && !failed.ok) throw failed.error;
    return outcomes.map((o) => (o as { value: Result }).value);
  }

  runSettled<Result = unknown>(tasks: readonly TaskDescription[], options: RunOptions = {}): Promise<TaskOutcome<Result>[]> {
    return this.begin<Result>(tasks, options, false);
  }

  private begin<Result>(tasks: readonly TaskDescription[], options: RunOptions, failFast: boolean): Promise<TaskOutcome<Result>[]> {
    if (this.closed) return Promise.reject(new BdlError('E_CLOSED', `${this.name}: already closed. Create a new one with ${this.factory}().`));
    let signal: AbortSignal | undefined;
    try {
      validate(tasks, options);
      signal = signalOption(options.signal, 'options.signal');
    } catch (e) {
      return Promise.reject(e);
    }
    if (signal?.aborted) return Promise.reject(abortError());
    if (tasks.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const onAbort = () => this.settle(run, abortError());
      const run = this.open({
        tasks,
        options,
        failFast,
        outcomes: tasks.map(() => undefined),
        lastProgress: new Map(),
        remaining: tasks.length,
        settled: false,
        finish: (error) => {
          signal?.removeEventListener('abort', onAbort);
          if (error !== undefined) reject(error);
          else resolve(run.outcomes as TaskOutcome<Result>[]);
        },
      });
      signal?.addEventListener('abort', onAbort);
      this.runs.add(run);
      this.submit(run);
    });
  }

  /** A task's outcome; the run ends at its first failure under failFast, else when none is left. */
  protected record(run: R, taskId: number, outcome: TaskOutcome<unknown>): void {
    if (run.settled) return;
    run.outcomes[taskId] = outcome;
    if (!outcome.ok && run.failFast) return this.settle(run, outcome.error);
    if (--run.remaining === 0) this.settle(run, undefined);
  }

  /** Ends a run (once): the backend stops what is left, then the caller hears. */
  protected settle(run: R, error: BdlError | undefined): void {
    if (run.settled) return;
    run.settled = true;
    this.runs.delete(run);
    this.ended(run);
    run.finish(error);
  }

  /** Ends every run in flight: the pool is closing. */
  protected settleAll(error: BdlError): void {
    for (const run of [...this.runs]) this.settle(run, error);
  }

  /** The E_CLOSED error of runs still in flight at close(). */
  protected closedError(): BdlError {
    return new BdlError('E_CLOSED', `${this.name}: closed while this run was in flight. Close the pool only after its runs settle.`);
  }

  /** Relays a task's progress to the caller, at most every PROGRESS_INTERVAL_MS per task (and always its last step). */
  protected relayProgress(run: R, e: ProgressEvent): void {
    if (run.options.onProgress === undefined || run.settled) return;
    const now = performance.now();
    if (now - (run.lastProgress.get(e.taskId) ?? -Infinity) < PROGRESS_INTERVAL_MS && e.step < e.total) return;
    run.lastProgress.set(e.taskId, now);
    callUser(() => run.options.onProgress!(e));
  }

  /** Tells the caller a task restarts from its last checkpoint. */
  protected relayRestart(run: R, e: RestartEvent): void {
    if (run.options.onRestart !== undefined) callUser(() => run.options.onRestart!(e));
  }
}

export function validate(tasks: readonly TaskDescription[], options: RunOptions): void {
  if (!Array.isArray(tasks)) throw argError('E_ARG', 'tasks', 'an array of task descriptions', describe(tasks), 'Pass [{ kind, seed, stream, ... }].');
  tasks.forEach((t, i) => {
    if (t === null || typeof t !== 'object' || typeof t.kind !== 'string') {
      throw argError('E_ARG', `tasks[${i}]`, 'an object with a string kind', describe(t), 'Pass { kind, seed, stream, spec?, options? }.');
    }
    for (const k of ['seed', 'stream'] as const) {
      if (!Number.isInteger(t[k]) || t[k] < 0 || t[k] > 0xffffffff) {
        throw argError('E_ARG', `tasks[${i}].${k}`, 'an integer in [0, 2^32)', describe(t[k]), 'Seeds and streams key the counter-based generator.');
      }
    }
    taskRunner(t.kind);
  });
  for (const [name, a] of Object.entries(options.data ?? ({} as TaskData))) {
    if (!ArrayBuffer.isView(a) || a instanceof DataView) {
      throw argError('E_ARG', `data.${name}`, 'a typed array', describe(a), 'Run data is a record of typed arrays.');
    }
  }
}

export function taskError(tasks: readonly TaskDescription[], taskId: number, message: string, cause: { code: string; message: string }): BdlError {
  const t = tasks[taskId];
  const err = new BdlError('E_WORKER', `task ${taskId} (${JSON.stringify(t.kind)}, stream ${t.stream}) failed: ${message}`, `tasks[${taskId}]`);
  err.cause = { code: cause.code, message: cause.message };
  return err;
}

export function abortError(): BdlError {
  return new BdlError('E_ABORTED', 'run: cancelled by its AbortSignal. Start a new run to continue; the pool is still usable.');
}

/** User callbacks must not break the pool: their errors surface as uncaught errors instead. */
export function callUser(f: () => void): void {
  try {
    f();
  } catch (e) {
    queueMicrotask(() => {
      throw e;
    });
  }
}

/**
 * What every pool backend shares: the `Pool` surface (run, runSettled), a run's bookkeeping (one
 * outcome per task, failFast, AbortSignal, E_CLOSED), and the relay of progress and restarts to
 * the caller. A backend (the worker pool, the queue) only moves tasks: it opens a run with its own
 * fields, sends its tasks, records their outcomes, and stops what is left when a run ends.
 */
import { BdlError } from '../errors.js';
import { bool, checkArgument, custom, int, required, schema, text, type Field } from '../options/schema.js';
import { PROGRESS_INTERVAL_MS } from './execute.js';
import { taskRunner } from './registry.js';
import type { Pool, ProgressEvent, RestartEvent, RunOptions, TaskData, TaskDescription, TaskOutcome } from './types.js';

const key = (help: string) => required(int({ min: 0, max: 0xffffffff, hint: 'Seeds and streams key the counter-based generator: integers in [0, 2^32).', help }));
const anything = (help: string) => custom<unknown>({ expected: 'any value', valid: () => true, help });
const callback = (help: string) => custom<never>({ expected: 'a function', valid: (v) => typeof v === 'function', help });

/** A task as a pool runs it: its kind, its key (seed, stream), and what its runner reads (checked by the kind's own schema). */
export const TASK_DESCRIPTION = schema('task', {
  kind: required(text({ hint: 'Pass the kind of a registered runner (registerTask, or createPool({ tasks })).', help: 'a registered task kind' })),
  spec: anything('what the runner builds (a network spec)'),
  options: anything("the runner's options"),
  seed: key('key of the counter-based generator'),
  stream: key("the task's stream (member or chain index): independent bits for each task"),
});

/** The tasks of a run (an argument of run and runSettled, checked as its field would be; each task by TASK_DESCRIPTION, named tasks[i]). */
const TASKS = required(custom<readonly TaskDescription[]>({
  expected: 'an array of task descriptions', valid: Array.isArray, hint: 'Pass [{ kind, seed, stream, spec?, options? }].', help: 'the tasks of the run',
  inner: (v, where, path) => Object.freeze(Array.from({ length: (v as unknown[]).length }, (_, i) => TASK_DESCRIPTION.check((v as unknown[])[i], where, `${path}[${i}].`))),
}));

const TYPED_ARRAY = required(custom<ArrayBufferView>({ expected: 'a typed array', valid: (a) => ArrayBuffer.isView(a) && !(a instanceof DataView), hint: 'Run data is a record of typed arrays.', help: 'an array of the run data' }));

/** The options of run and runSettled, checked before any task is sent. */
export const RUN_OPTIONS = schema('run', {
  data: custom<TaskData>({
    expected: 'a record of typed arrays', valid: (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && !ArrayBuffer.isView(v), defaultText: 'none', help: 'arrays shared by all tasks of the run (read-only for tasks)',
    inner: (v, where, path) => Object.entries(v as TaskData).forEach(([name, a]) => void checkArgument(TYPED_ARRAY, a, where, `${path}.${name}`)),
  }),
  onProgress: callback('progress of each task, at most one call per task per 100 ms, plus its last step'),
  onRestart: callback('a task restarted from its last checkpoint after its worker died'),
  signal: custom<AbortSignal>({
    expected: 'an AbortSignal', valid: (v) => typeof AbortSignal !== 'undefined' && v instanceof AbortSignal, help: 'cancels the run: it rejects with BdlError E_ABORTED',
    hint: 'Pass the signal of an AbortController (new AbortController().signal); objects that only look like one are refused.',
  }),
  failFast: bool({ default: false, help: '`run` only: reject at the first failed task and cancel the others' }),
} satisfies { [K in keyof Required<RunOptions>]: Field<unknown> });

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
    try {
      ({ tasks, options } = validate(tasks, options, `${this.name}.run`));
    } catch (e) {
      return Promise.reject(e);
    }
    const signal = options.signal;
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

/**
 * Checks a run's tasks and options before any work: each by its schema, and each task's kind
 * registered. Returns them as checked (snapshots), which is what the run reads.
 */
export function validate(tasks: readonly TaskDescription[], options: RunOptions, where: string): { tasks: readonly TaskDescription[]; options: RunOptions } {
  tasks = checkArgument(TASKS, tasks, where, 'tasks');
  options = RUN_OPTIONS.check(options, where, 'options.');
  for (const t of tasks) taskRunner(t.kind);
  return { tasks, options };
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

/**
 * The pool: schedules tasks on workers (or in-thread), shares run data once, relays progress and
 * checkpoints, cancels, restarts tasks whose worker died, and closes cleanly.
 */
import { BdlError } from '../errors.js';
import { bool, custom, int, schema, type Field } from '../options/schema.js';
import { checkCore, defaultCore, type CompiledCore } from '../wasm/core.js';
import { sharedMemoryAvailable, toShared } from './data.js';
import type { JobOutcome } from './execute.js';
import { defaultWorkerCount, inThreadExecutor, isNode, workerExecutor, workersAvailable, type Executor, type RunLink, type RunSink } from './executors.js';
import { registerTasks } from './registry.js';
import { RunPool, taskError, type RunState } from './runs.js';
import type { Pool, PoolOptions, TaskTable } from './types.js';

/** After a cancel, a worker that has not stopped within this time is replaced. */
const CANCEL_GRACE_MS = 3000;

interface Run extends RunState {
  readonly link: RunLink;
  /** Per task: its last checkpoint's state and every item its checkpoints appended. */
  readonly checkpoints: Map<number, { state: unknown; log: unknown[] }>;
  readonly active: Set<Active>;
}

interface Slot {
  exec: Executor | undefined;
  active: Active | undefined;
}

interface Active {
  readonly run: Run;
  readonly taskId: number;
  readonly attempt: number;
  readonly key: number;
  readonly slot: Slot;
  timer?: ReturnType<typeof setTimeout>;
}

interface Queued {
  readonly run: Run;
  readonly taskId: number;
  readonly attempt: number;
}

const isObject = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);

/** createPool's options, checked before any worker starts. */
/** The most workers one pool starts: each is a thread with its own wasm instance (tens of MiB), and a size like 1e6 would block the thread that spawns them. */
export const MAX_WORKERS = 256;

export const POOL_OPTIONS = schema('createPool', {
  size: int({ min: 0, max: MAX_WORKERS, defaultText: 'one worker per core; 0 where the runtime has no Worker', hint: `Pass 0 to run in-thread, or omit it for one worker per core (at most ${MAX_WORKERS}: each worker is a thread with its own copy of the core).`, help: 'workers; 0 runs tasks in-thread' }),
  shared: bool({ default: true, help: 'share run data through SharedArrayBuffer where the runtime allows it' }),
  maxRestarts: int({ min: 0, default: 3, help: 'restarts of one task after crashed workers before it fails with E_WORKER' }),
  tasks: custom<TaskTable>({ expected: 'a table of task runners { kind: runner }', valid: (v) => isObject(v) && Object.values(v as object).every((r) => typeof r === 'function'), defaultText: 'the kinds registered so far', help: 'task kinds this pool runs, registered in this thread' }),
  workerUrl: custom<string | URL>({
    expected: 'a URL or a string', valid: (v) => typeof v === 'string' || (typeof URL !== 'undefined' && v instanceof URL), defaultText: "the package's dist/worker.js",
    hint: "Pass the URL of the package's dist/worker.js, or omit it.", help: 'worker script to spawn instead of the bundled one',
  }),
  core: custom<CompiledCore>({ expected: 'a compiled core (compileCore())', valid: isObject, inner: (v, where, path) => checkCore(v, path, where), defaultText: 'the best this runtime accepts', help: 'the compiled core the workers instantiate' }),
} satisfies { [K in keyof Required<PoolOptions>]: Field<Required<PoolOptions>[K]> });

/**
 * Creates a pool of `size` workers (default: the number of cores; 0 runs tasks in-thread). The
 * wasm core is compiled once here and each worker instantiates that same compiled module.
 */
export async function createPool(options: PoolOptions = {}): Promise<Pool> {
  options = POOL_OPTIONS.check(options);
  const { size } = options;
  const maxRestarts = POOL_OPTIONS.value(options, 'maxRestarts');
  if (options.tasks !== undefined) registerTasks(options.tasks);
  const n = size ?? Math.min(MAX_WORKERS, await defaultWorkerCount());
  if (n > 0 && !workersAvailable()) {
    throw new BdlError(
      'E_WORKER',
      `createPool: size ${n} needs a runtime that starts workers, found one with no Worker (an edge runtime such as Cloudflare Workers or Vercel Edge). Pass size 0 to run in-thread (createPool({ size: 0 }), a method's pool: { size: 0 }), or leave size out: it defaults to 0 there.`,
      'size',
    );
  }
  const core = options.core ?? (await defaultCore());
  const shared = (options.shared ?? true) && n > 0 && sharedMemoryAvailable(isNode());
  const pool = new WorkerPool(n, shared, maxRestarts, (onDeath) =>
    n === 0 ? Promise.resolve(inThreadExecutor(core)) : workerExecutor(core, shared, options.workerUrl, onDeath),
  );
  await pool.start();
  return pool;
}

class WorkerPool extends RunPool<Run> {
  private readonly slots: Slot[];
  private queue: Queued[] = [];
  private readonly filling = new Set<Promise<void>>();
  private keys = 0;
  private runIds = 0;

  constructor(
    readonly size: number,
    readonly shared: boolean,
    private readonly maxRestarts: number,
    private readonly spawn: (onDeath: (reason: string) => void) => Promise<Executor>,
  ) {
    super('pool', 'createPool');
    this.slots = Array.from({ length: Math.max(1, size) }, () => ({ exec: undefined, active: undefined }));
  }

  async start(): Promise<void> {
    const made = await Promise.allSettled(this.slots.map((s) => this.fill(s)));
    const failed = made.find((r) => r.status === 'rejected');
    if (failed !== undefined) {
      await this.close();
      throw (failed as PromiseRejectedResult).reason;
    }
  }

  /** Puts a fresh executor in a slot (close() waits for fills under way, then ends them). */
  private fill(slot: Slot): Promise<void> {
    const filling = (async () => {
      const exec = await this.spawn((reason) => this.died(slot, exec, reason));
      if (this.closed) await exec.terminate();
      else slot.exec = exec;
    })();
    this.filling.add(filling);
    const done = () => this.filling.delete(filling);
    filling.then(done, done);
    return filling;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.settleAll(this.closedError());
    const execs = this.slots.map((s) => s.exec);
    for (const s of this.slots) {
      clearTimeout(s.active?.timer);
      s.exec = undefined;
      s.active = undefined;
    }
    await Promise.all([...execs.map((e) => e?.terminate()), ...[...this.filling].map((f) => f.catch(() => {}))]);
  }

  protected open(base: RunState): Run {
    const data = base.options.data ?? {};
    const sink: RunSink = {
      progress: (e) => this.relayProgress(run, e),
      checkpoint(taskId, state, append) {
        if (run.settled) return;
        const c = run.checkpoints.get(taskId) ?? { state: undefined, log: [] };
        c.state = state;
        if (append !== undefined) for (const item of append) c.log.push(item);
        run.checkpoints.set(taskId, c);
      },
    };
    const run: Run = { ...base, link: { id: ++this.runIds, data: this.shared ? toShared(data) : data, sink }, checkpoints: new Map(), active: new Set() };
    return run;
  }

  protected submit(run: Run): void {
    for (let i = 0; i < run.tasks.length; i++) this.queue.push({ run, taskId: i, attempt: 0 });
    this.pump();
  }

  /** Gives queued jobs to idle executors. */
  private pump(): void {
    for (const slot of this.slots) {
      if (slot.exec === undefined || slot.active !== undefined) continue;
      const next = this.queue.shift();
      if (next === undefined) return;
      this.dispatch(slot, slot.exec, next);
    }
  }

  private dispatch(slot: Slot, exec: Executor, q: Queued): void {
    const { run, taskId, attempt } = q;
    const active: Active = { run, taskId, attempt, key: ++this.keys, slot };
    slot.active = active;
    run.active.add(active);
    const c = run.checkpoints.get(taskId);
    const job = { taskId, task: run.tasks[taskId], resume: c?.state, resumeLog: c?.log, attempt };
    exec.run(job, active.key, run.link).then(
      (out) => this.done(active, out),
      (e: Error) => this.done(active, { ok: false, code: 'E_WORKER', message: `worker call failed: ${e?.message ?? e}` }),
    );
  }

  private done(active: Active, out: JobOutcome): void {
    const { slot, run, taskId } = active;
    if (slot.active !== active) return; // its worker died meanwhile; the job was requeued
    clearTimeout(active.timer);
    slot.active = undefined;
    run.active.delete(active);
    if (!run.settled) {
      // A finished task is never restarted: its checkpoint and log (every piece it sent) can go.
      if (out.ok) run.checkpoints.delete(taskId);
      if (out.ok) this.record(run, taskId, { ok: true, value: out.value });
      else this.record(run, taskId, { ok: false, error: taskError(run.tasks, taskId, `${out.code}: ${out.message}`, out) });
    }
    this.pump();
  }

  /** Drops an ended run's queued jobs, cancels its running ones, frees its data in workers. */
  protected ended(run: Run): void {
    run.checkpoints.clear();
    this.queue = this.queue.filter((q) => q.run !== run);
    for (const active of run.active) this.cancel(active);
    for (const slot of this.slots) slot.exec?.release(run.link.id);
  }

  private cancel(active: Active): void {
    const { slot } = active;
    slot.exec?.cancel(active.key);
    if (this.size === 0) return;
    // A task that never checks would hold its worker forever: replace the worker instead.
    active.timer = setTimeout(() => {
      if (slot.active === active && slot.exec !== undefined) this.replace(slot, slot.exec);
    }, CANCEL_GRACE_MS);
    unrefTimer(active.timer);
  }

  /** A worker died on its own: replace it, and restart its task from the last checkpoint. */
  private died(slot: Slot, exec: Executor, reason: string): void {
    if (this.closed || slot.exec !== exec) return;
    const active = slot.active;
    this.replace(slot, exec);
    if (active === undefined || active.run.settled) return;
    const { run, taskId } = active;
    const attempt = active.attempt + 1;
    if (attempt > this.maxRestarts) {
      const msg = `its worker died ${attempt} times (last: ${reason}). Lower the task's memory needs, or look for a crash in its kind.`;
      this.record(run, taskId, { ok: false, error: taskError(run.tasks, taskId, msg, { code: 'E_WORKER', message: reason }) });
      return;
    }
    this.relayRestart(run, { taskId, attempt, checkpoint: run.checkpoints.get(taskId)?.state, reason });
    this.queue.unshift({ run, taskId, attempt });
    this.pump();
  }

  /** Terminates a slot's executor and spawns its successor. */
  private replace(slot: Slot, exec: Executor): void {
    if (slot.active !== undefined) {
      clearTimeout(slot.active.timer);
      slot.active.run.active.delete(slot.active);
      slot.active = undefined;
    }
    slot.exec = undefined;
    void exec.terminate();
    this.fill(slot).then(
      () => this.pump(),
      (e: Error) => {
        // No successor: fail what is left if no executor remains at all.
        if (this.slots.every((s) => s.exec === undefined)) {
          for (const run of [...this.runs]) this.settle(run, new BdlError('E_WORKER', `pool: could not replace a dead worker (${e.message}).`));
        }
      },
    );
  }
}

function unrefTimer(t: ReturnType<typeof setTimeout>): void {
  (t as { unref?: () => void }).unref?.();
}

/**
 * The queue backend of the pool: the same `Pool` interface as `createPool`, with tasks run by
 * `bdl worker` processes pulling from a BullMQ queue on Redis (any number, on any machines).
 * A run stores its data once (content-addressed), adds one job per task, and hears progress and
 * completions through BullMQ's QueueEvents; a slow poll of the jobs' states backs the events up,
 * so a lost event or a Redis restart never leaves a run waiting forever. While a run is alive its
 * caller holds its lease (lease.ts: workers drop the jobs of a run whose lease lapsed, so a caller
 * that dies or cannot withdraw its jobs leaves none to be computed for nobody) and pushes its keys'
 * expiry back; a queue left without any live worker (liveness.ts) is reported through `log`.
 */
import { randomUUID } from 'node:crypto';
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { BdlError } from '../errors.js';
import { TASKS } from '../orchestration/tasks.js';
import { registerTasks } from '../pool/registry.js';
import { RunPool, taskError as poolTaskError, type RunState } from '../pool/runs.js';
import type { Pool, TaskDescription, TaskOutcome } from '../pool/types.js';
import { checkRunSize, checkpointKeys, deleteCheckpoints } from './checkpoints.js';
import { decodeValue, encodeData, encodeTask, sha256 } from './codec.js';
import { KEY_TTL_S, checkDatabase, describeConnection, openRedis, queueKeys } from './connection.js';
import { DeadlineError, untilReady, withTimeout } from './deadline.js';
import { RunLeases, type LeaseLoss } from './lease.js';
import { liveWorkerNames } from './liveness.js';
import { QUEUE_POOL_OPTIONS, type QueuePoolOptions } from './options.js';
import { PACKAGE_VERSION, type JobData, type JobProgressData } from './protocol.js';
import type { WasmFlavor } from '../wasm/core.js';
import { relaxedSimdSupported } from '../wasm/load.js';
import { withdrawJobs } from './withdraw.js';

interface QRun extends RunState {
  readonly id: string;
  readonly pending: Set<number>;
  readonly attempts: Map<number, number>;
  /** When an event of this run last arrived (Date.now()). */
  lastEvent: number;
  /** Its jobs are all in the queue (before that, a missing job is not yet a lost one). */
  added: boolean;
  /** The key of its stored data (set once stored). */
  dataKey?: string;
}

/** What the tests shorten; nothing a user needs to set. */
export interface QueuePoolInternals {
  /** Expiry of the run's keys (data, checkpoints, refusals, cancel marks), pushed back every quarter of it while the run is alive. */
  readonly keyTtlS?: number;
  /** How often the live workers are counted while runs are in flight (Redis's client list: O(clients)). */
  readonly workerCheckMs?: number;
  /** How long the queue may have no live worker before `log` hears of it. */
  readonly noWorkerNoticeMs?: number;
}

const INTERNALS: Required<QueuePoolInternals> = { keyTtlS: KEY_TTL_S, workerCheckMs: 5000, noWorkerNoticeMs: 30_000 };

/** The local pool's error for a failed task, so callers branch on the same fields. */
const taskError = (tasks: readonly TaskDescription[], taskId: number, code: string, message: string) => poolTaskError(tasks, taskId, `${code}: ${message}`, { code, message });

const jobIdOf = (runId: string, taskId: number) => `${runId}-${taskId}`;

/** Connects to Redis and returns a pool whose tasks run on `bdl worker` processes. */
export function createQueuePool(options: QueuePoolOptions): Promise<Pool & { readonly queueName: string }> {
  return startQueuePool(options);
}

/**
 * {@link createQueuePool} with shorter expiries and notice delays: the injection point of the
 * tests (the package does not export it).
 */
export async function startQueuePool(options: QueuePoolOptions, internals: QueuePoolInternals = {}): Promise<Pool & { readonly queueName: string }> {
  const q = QUEUE_POOL_OPTIONS;
  const o = q.parse(options);
  const [maxRestarts, unreachableMs, pollMs, withdrawMs, queue] = [q.value(o, 'maxRestarts'), q.value(o, 'unreachableMs'), q.value(o, 'pollMs'), q.value(o, 'withdrawMs'), q.value(o, 'queue')];
  // Every built-in kind is known to the caller too, as with the local createPool (tasks are checked before they are queued).
  registerTasks(TASKS);
  const redis = openRedis(o.connection, 'bdl-pool');
  const events = openRedis(o.connection, 'bdl-pool-events');
  try {
    await withTimeout(redis.ping(), Math.min(unreachableMs, 10_000), `Redis at ${describeConnection(o.connection)} did not answer`);
    await checkDatabase(redis, o.connection);
    const timing = { unreachableMs, pollMs, withdrawMs };
    // The core a local pool here would compute with (createPool's default, or the one given): the bits the run's results must have.
    const core: WasmFlavor = o.core?.flavor ?? (relaxedSimdSupported() ? 'relaxed' : 'simd');
    const pool = new QueuePool(queue, describeConnection(o.connection), redis, events, maxRestarts, core, timing, o.log ?? (() => {}), { ...INTERNALS, ...internals });
    await pool.start();
    return pool;
  } catch (e) {
    redis.disconnect();
    events.disconnect();
    throw e instanceof BdlError ? e : new BdlError('E_WORKER', `queue pool: cannot reach Redis at ${describeConnection(o.connection)} (${(e as Error).message}).`, 'connection');
  }
}

class QueuePool extends RunPool<QRun> {
  readonly shared = false;
  size = 0;
  private readonly q: Queue;
  private readonly qe: QueueEvents;
  private readonly keys;
  /** The runs in flight by id (job ids name their run). */
  private readonly byId = new Map<string, QRun>();
  private readonly cleanups = new Set<Promise<void>>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private refreshTimer: ReturnType<typeof setInterval> | undefined;
  /** The runs' leases; renewing them is also how the pool finds Redis gone (a run is abandoned after unreachableMs). */
  private readonly leases: RunLeases;
  /** When the live workers were last counted, and since when none was seen (undefined: one was, or no run is in flight). */
  private workersChecked = 0;
  private noWorkerSince: number | undefined;
  private noticed = false;
  private polling = false;
  /** The clients were disconnected: Redis did not answer a clean-up command in time, or the pool closed. */
  private dropped = false;

  constructor(
    readonly queueName: string,
    /** The server, for notices (never with its password). */
    private readonly where: string,
    private readonly redis: Redis,
    private readonly events: Redis,
    private readonly maxRestarts: number,
    /** The compute core every job of this pool names (workers run it on that core or hand it back). */
    private readonly core: WasmFlavor,
    private readonly timing: { readonly unreachableMs: number; readonly pollMs: number; readonly withdrawMs: number },
    private readonly log: (line: string) => void,
    private readonly internals: Required<QueuePoolInternals>,
  ) {
    super('queue pool', 'createQueuePool');
    this.keys = queueKeys(queueName);
    this.leases = new RunLeases(redis, this.keys.lease, { renewMs: timing.pollMs, lapseMs: timing.unreachableMs }, (id, why) => this.lost(id, why));
    this.q = new Queue(queueName, { connection: redis });
    this.qe = new QueueEvents(queueName, { connection: events, autorun: false });
    // Errors surface through the runs (the leases' deadline); the clients reconnect on their own.
    this.q.on('error', () => {});
    this.qe.on('error', () => {});
    this.qe.on('progress', ({ jobId, data }) => this.progress(jobId, data as unknown as JobProgressData));
    this.qe.on('completed', ({ jobId }) => void this.collect(jobId, 'completed'));
    // A failure is checked against the job's state: only a final one (no retry left) ends the task.
    this.qe.on('failed', ({ jobId }) => void this.collect(jobId));
  }

  async start(): Promise<void> {
    void this.qe.run().catch(() => {});
    await this.qe.waitUntilReady();
    this.size = await this.liveWorkers().catch(() => 0);
    this.timer = setInterval(() => void this.poll(), this.timing.pollMs);
    this.timer.unref?.();
    this.refreshTimer = setInterval(() => void this.refresh().catch(() => {}), (this.internals.keyTtlS * 1000) / 4);
    this.refreshTimer.unref?.();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    clearInterval(this.refreshTimer);
    this.settleAll(this.closedError());
    this.leases.close();
    // Every step is bounded (see bounded): a dead Redis never holds the caller past about unreachableMs.
    await Promise.all([...this.cleanups]);
    // A connection already lost would be waited for by each step below: nothing is left to say to Redis.
    if (this.down) this.drop();
    await Promise.allSettled([this.bounded(this.qe.close()), this.bounded(this.q.close())]);
    await Promise.allSettled([this.bounded(this.redis.quit()), this.bounded(this.events.quit())]);
    // Nothing may stay open (a client still reconnecting would keep the process alive).
    this.drop();
  }

  /** How long one command of the clean-up (cancel, close) may take before Redis is given up on. */
  private get cleanupMs(): number {
    return Math.min(this.timing.unreachableMs, 5000);
  }

  /**
   * A command of the clean-up, bounded by {@link cleanupMs}: the connections wait for Redis for
   * ever (BullMQ needs `maxRetriesPerRequest: null`), so past the deadline they are dropped, which
   * fails every command still waiting on them and every later one at once.
   */
  private async bounded<T>(p: Promise<T>): Promise<T> {
    if (this.dropped) {
      p.catch(() => {});
      throw new Error('queue pool: the connections to Redis were dropped');
    }
    try {
      return await withTimeout(p, this.cleanupMs, 'Redis did not answer');
    } catch (e) {
      if (e instanceof DeadlineError) this.drop();
      throw e;
    }
  }

  /** How many workers are live: their heartbeat holds (and their connection is open: liveness.ts). */
  private async liveWorkers(): Promise<number> {
    return (await liveWorkerNames(this.redis, this.keys.workers, this.q)).size;
  }

  /**
   * A run's lease was given up (no renewal landed for unreachableMs, or Redis lost the key): its
   * jobs are, or will be, dropped by the workers, so the run fails rather than wait for them.
   */
  private lost(runId: string, why: LeaseLoss): void {
    const run = this.byId.get(runId);
    if (run === undefined || run.settled) return;
    const message = why.kind === 'unreachable'
      ? why.refused !== undefined
        ? `queue pool: Redis has refused to renew the run's lease for ${Math.round(why.silentMs / 1000)} s (${why.refused.trim()}); the run is abandoned. ` +
          "Check the server (its maxmemory, whether it is a read-only replica, the user's permissions), then run again (finished tasks are not kept)."
        : `queue pool: Redis has not answered for ${Math.round(why.silentMs / 1000)} s; the run is abandoned. Check the server, then run again (finished tasks are not kept).`
      : "queue pool: the run's lease is gone from Redis (the server lost its data), so workers drop its jobs; the run is abandoned. Run again (finished tasks are not kept).";
    this.settle(run, new BdlError('E_WORKER', message, 'connection'));
  }

  /**
   * The connection is known lost (ioredis is reconnecting): a command now would wait for Redis to
   * return, however long that takes. A server that stopped answering without closing the
   * connection is not seen here; `bounded`'s deadline catches that one.
   */
  private get down(): boolean {
    return this.redis.status !== 'ready';
  }

  /** Disconnects every client of the pool at once (no reconnection, no waiting on Redis). */
  private drop(): void {
    if (this.dropped) return;
    this.dropped = true;
    // The leases' clock goes on: other runs of this pool fail on their deadline (E_WORKER) rather than wait.
    this.redis.disconnect();
    this.events.disconnect();
    // close, not disconnect: the event reader's loop, seeing its connection fail while not closing,
    // would sleep 5 s on a timer before looking again, and that timer keeps the process alive.
    void this.qe.close().catch(() => {});
    void this.q.disconnect().catch(() => {});
  }

  protected open(base: RunState): QRun {
    const run: QRun = { ...base, id: randomUUID(), pending: new Set(base.tasks.map((_, i) => i)), attempts: new Map(), lastEvent: Date.now(), added: false };
    this.byId.set(run.id, run);
    return run;
  }

  /** Stores the run's data once (content-addressed), then adds one job per task. */
  protected submit(run: QRun): void {
    void (async () => {
      // Before anything else: a worker drops a job whose run has no lease, and the lease's deadline
      // is what fails a run whose Redis never answers (the size checks below may ask the server).
      await this.leases.take(run.id);
      const bytes = encodeData(run.options.data ?? {});
      const hash = sha256(bytes);
      const jobs = run.tasks.map((t, taskId) => {
        const data: JobData = { v: 1, version: PACKAGE_VERSION, core: this.core, run: run.id, taskId, task: encodeTask(t), data: hash };
        return {
          name: t.kind,
          data,
          // Kept a day at most if this caller dies before collecting them.
          opts: { jobId: jobIdOf(run.id, taskId), attempts: this.maxRestarts + 1, removeOnComplete: { age: KEY_TTL_S }, removeOnFail: { age: KEY_TTL_S } },
        };
      });
      // E_MEMORY before anything is stored when Redis could not take it (its proto-max-bulk-len).
      await checkRunSize(this.redis, bytes.length, jobs.reduce((m, j) => Math.max(m, Buffer.byteLength(JSON.stringify(j.data))), 0));
      // Stored once per content: a second run on the same data only refreshes the expiry.
      const key = this.keys.data(hash);
      const ttl = this.internals.keyTtlS;
      if ((await this.redis.set(key, bytes, 'EX', ttl, 'NX')) === null) await this.redis.expire(key, ttl);
      run.dataKey = key;
      // Cancelled meanwhile: its jobs would only be dropped (its lease is gone).
      if (run.settled) return;
      await this.q.addBulk(jobs);
      run.added = true;
      this.size = await this.liveWorkers().catch(() => this.size);
    })().catch((e: Error) => this.settle(run, e instanceof BdlError ? e : new BdlError('E_WORKER', `queue pool: could not add the run's jobs (${e.message}).`, 'connection')));
  }

  private lookup(jobId: string): { run: QRun; taskId: number } | undefined {
    const cut = jobId.lastIndexOf('-');
    const run = this.byId.get(jobId.slice(0, cut));
    const taskId = Number(jobId.slice(cut + 1));
    return run && !run.settled && run.pending.has(taskId) ? { run, taskId } : undefined;
  }

  private progress(jobId: string, data: JobProgressData): void {
    const hit = this.lookup(jobId);
    if (!hit || data == null || typeof data !== 'object') return;
    const { run, taskId } = hit;
    run.lastEvent = Date.now();
    const seen = run.attempts.get(taskId) ?? 0;
    if (data.attempt > seen) {
      run.attempts.set(taskId, data.attempt);
      // The state travels with the report: read from Redis later, it may be gone (the job finished).
      let checkpoint: unknown;
      try {
        checkpoint = typeof data.checkpoint === 'string' ? decodeValue(Buffer.from(data.checkpoint, 'base64')) : undefined;
      } catch {
        checkpoint = undefined;
      }
      this.relayRestart(run, { taskId, attempt: data.attempt, checkpoint, reason: data.reason ?? 'retried by the queue' });
    }
    if (data.step !== undefined) this.relayProgress(run, { taskId, step: data.step, total: data.total!, payload: data.payload });
  }

  /** Reads a finished job's outcome into its run, then removes the job. `known`: the state its event announced. */
  private async collect(jobId: string, known?: 'completed'): Promise<void> {
    if (!this.lookup(jobId)) return;
    // A completed job's result is in its own key: no need to read BullMQ's job hash for it.
    const job = known ? undefined : await Job.fromId(this.q, jobId).catch(() => undefined);
    const state = known ?? (job ? await job.getState().catch(() => undefined) : 'unknown');
    const bytes = state === 'completed' ? await this.redis.getBuffer(this.keys.result(jobId)).catch(() => null) : null;
    const hit = this.lookup(jobId);
    if (!hit || (state !== 'completed' && state !== 'failed' && state !== 'unknown')) return;
    const { run, taskId } = hit;
    run.lastEvent = Date.now();
    run.pending.delete(taskId);
    let outcome: TaskOutcome<unknown>;
    if (state === 'completed') {
      try {
        if (bytes === null) throw new Error('no stored result (it expired, or Redis lost it)');
        outcome = { ok: true, value: decodeValue(bytes) };
      } catch (e) {
        outcome = { ok: false, error: taskError(run.tasks, taskId, 'E_FORMAT', `its result could not be decoded (${(e as Error).message})`) };
      }
    } else if (state === 'failed') {
      const m = /^(E_[A-Z_]+): ([\s\S]*)$/.exec(job!.failedReason ?? '');
      outcome = { ok: false, error: taskError(run.tasks, taskId, m ? m[1] : 'E_WORKER', m ? m[2] : `the queue failed it: ${job!.failedReason}`) };
    } else {
      outcome = { ok: false, error: taskError(run.tasks, taskId, 'E_WORKER', 'its job vanished from the queue (Redis lost data, or someone removed it)') };
    }
    void this.q.remove(jobId).catch(() => {});
    void deleteCheckpoints(this.redis, this.keys, [jobId]).catch(() => {});
    this.record(run, taskId, outcome);
  }

  /** An unfinished run that ended is cancelled: its jobs are removed, running ones stopped. */
  protected ended(run: QRun): void {
    this.byId.delete(run.id);
    if (run.pending.size > 0) {
      const c = this.cancel(run).catch(() => {});
      this.cleanups.add(c);
      void c.then(() => this.cleanups.delete(c));
    } else if (this.down) {
      // Finished, Redis away: the lease, no longer renewed, expires on its own.
      this.leases.drop(run.id);
    } else {
      void this.leases.release(run.id).catch(() => {});
    }
  }

  /**
   * Withdraws a run that ended unfinished (withdraw.ts: its lease deleted and its cancel mark set,
   * the cancel published, its jobs removed once no live worker holds them).
   *
   * With the connection lost, it waits up to `withdrawMs` for Redis to come back (a restart, a
   * network blip), then withdraws as above. Past that it gives up and says so: the lease, no longer
   * renewed, lapses on its own and workers drop the jobs then, so none is computed for nobody past it.
   */
  private async cancel(run: QRun): Promise<void> {
    const ids = [...run.pending].map((t) => jobIdOf(run.id, t));
    // Not renewed from now on, whatever happens below.
    this.leases.drop(run.id);
    const { withdrawMs } = this.timing;
    if (this.down && !this.dropped && withdrawMs > 0) {
      this.log(`Redis at ${this.where} is unreachable: waiting up to ${seconds(withdrawMs)} s for it to withdraw the cancelled run's ${ids.length} task(s).`);
      await untilReady(this.redis, withdrawMs);
    }
    if (this.down) {
      this.log(
        `could not withdraw the cancelled run's ${ids.length} task(s): Redis at ${this.where} is unreachable. ` +
        `Workers drop them without running them once the run's lease lapses (${seconds(this.leases.ttlMs)} s after its last renewal).`,
      );
      return;
    }
    await withdrawJobs({ redis: this.redis, queue: this.q, keys: this.keys, keyTtlS: this.internals.keyTtlS, bounded: (c) => this.bounded(c), dropped: () => this.dropped }, run.id, ids);
  }

  /**
   * Pushes back the expiry of the keys of every run in flight — its data, and its unfinished jobs'
   * checkpoints and refusal records — so a run waiting in a busy queue for longer than the expiry
   * keeps them; once the caller is gone they expire. One pipeline per quarter of the expiry.
   */
  private async refresh(): Promise<void> {
    const ttl = this.internals.keyTtlS;
    const p = this.redis.pipeline();
    for (const run of this.runs) {
      if (run.dataKey === undefined) continue;
      p.expire(run.dataKey, ttl);
      for (const taskId of run.pending) {
        const id = jobIdOf(run.id, taskId);
        for (const k of [...checkpointKeys(this.keys, id), this.keys.refusals(id)]) p.expire(k, ttl);
      }
    }
    if (p.length > 0) await withTimeout(p.exec(), this.timing.pollMs, 'no answer');
  }

  /**
   * Counts the queue's live workers (every `workerCheckMs` while runs are in flight; a worker is live
   * while its heartbeat holds, so a frozen one or a dead machine counts out within seconds) and says so
   * through `log` when none has been connected for `noWorkerNoticeMs`, and again when one is back.
   * The runs go on: a worker started later takes their jobs (a dead worker's, from its checkpoint).
   */
  private async checkWorkers(): Promise<void> {
    const { workerCheckMs, noWorkerNoticeMs } = this.internals;
    const now = Date.now();
    if (now - this.workersChecked < workerCheckMs) return;
    this.workersChecked = now;
    const count = await withTimeout(this.liveWorkers(), this.timing.pollMs, 'no answer');
    this.size = count;
    if (count > 0) {
      if (this.noticed) this.log(`a bdl worker is connected to queue ${this.queueName} again: the waiting tasks resume.`);
      this.noWorkerSince = undefined;
      this.noticed = false;
      return;
    }
    this.noWorkerSince ??= now;
    if (this.noticed || now - this.noWorkerSince < noWorkerNoticeMs) return;
    this.noticed = true;
    const waiting = [...this.runs].reduce((n, r) => n + r.pending.size, 0);
    this.log(
      `no bdl worker has been connected to queue ${this.queueName} for ${Math.round((now - this.noWorkerSince) / 1000)} s; ${waiting} task(s) wait. ` +
      'Start one (bdl worker --redis URL): it takes them, and a task whose worker died resumes from its last checkpoint.',
    );
  }

  /**
   * Backs the events up: finished jobs whose event was missed. (Redis's silence is timed by the
   * leases' renewals, which fail a run after unreachableMs: see RunLeases.)
   */
  private async poll(): Promise<void> {
    if (this.polling || this.runs.size === 0) {
      // An idle pool counts no workers: an absence is timed from when a run is in flight again.
      if (this.runs.size === 0) [this.noWorkerSince, this.noticed] = [undefined, false];
      return;
    }
    this.polling = true;
    const { pollMs } = this.timing;
    try {
      await this.checkWorkers();
      // Only runs that have gone quiet: while events flow, a missed one is caught once they stop.
      for (const run of [...this.runs].filter((r) => r.added && Date.now() - r.lastEvent > 2 * pollMs)) {
        for (const taskId of [...run.pending]) {
          const id = jobIdOf(run.id, taskId);
          const state = await withTimeout(this.q.getJobState(id), pollMs, 'no answer');
          if (state === 'completed' || state === 'failed' || state === 'unknown') await withTimeout(this.collect(id), pollMs, 'no answer');
        }
      }
    } catch {
      // Tried again at the next poll.
    } finally {
      this.polling = false;
    }
  }
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

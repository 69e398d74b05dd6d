/**
 * The queue backend of the pool: the same `Pool` interface as `createPool`, with tasks run by
 * `bdl worker` processes pulling from a BullMQ queue on Redis (any number, on any machines).
 * A run stores its data once (content-addressed), adds one job per task, and hears progress and
 * completions through BullMQ's QueueEvents; a slow poll of the jobs' states backs the events up,
 * so a lost event or a Redis restart never leaves a run waiting forever. While a run is alive its
 * keys' expiry is pushed back, and a queue left without any worker is reported through `log`.
 */
import { randomUUID } from 'node:crypto';
import { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { BdlError } from '../errors.js';
import { custom, int, num, schema, type Field } from '../options/schema.js';
import { TASKS } from '../orchestration/tasks.js';
import { registerTasks } from '../pool/registry.js';
import { RunPool, taskError as poolTaskError, type RunState } from '../pool/runs.js';
import type { Pool, TaskDescription, TaskOutcome } from '../pool/types.js';
import { checkpointKeys, deleteCheckpoints } from './checkpoints.js';
import { decodeValue, encodeData, encodeTask, sha256 } from './codec.js';
import { CONNECTION, KEY_TTL_S, checkDatabase, describeConnection, liveWorkerNames, openRedis, queueKeys, type QueueConnection } from './connection.js';
import { PACKAGE_VERSION, type JobData, type JobProgressData } from './protocol.js';

export interface QueuePoolOptions {
  /** Redis: a redis:// or rediss:// URL (password and TLS in it), or ioredis options. */
  readonly connection: QueueConnection;
  /** Queue name, shared with the workers (default 'bdl'). */
  readonly queue?: string;
  /** Retries of a task whose worker thread died (default 3); stalled jobs are retried by the workers' maxStalledCount. */
  readonly maxRestarts?: number;
  /** A run fails with E_WORKER when Redis has not answered for this long (default 60 000 ms). */
  readonly unreachableMs?: number;
  /** How often unfinished jobs' states are polled, backing up the event stream (default 2000 ms). */
  readonly pollMs?: number;
  /** One line per notice: no worker connected to the queue for a while, and one back (default: none). */
  readonly log?: (line: string) => void;
}

const QUEUE_NAME = /^[\w.-]+$/;

/** createQueuePool's options, checked before Redis is contacted. */
export const QUEUE_POOL_OPTIONS = schema('createQueuePool', {
  connection: CONNECTION,
  queue: custom<string>({ expected: 'a name of letters, digits, _ . -', valid: (v) => typeof v === 'string' && QUEUE_NAME.test(v), default: 'bdl', help: 'queue name, shared with the workers' }),
  maxRestarts: int({ min: 0, default: 3, help: 'retries of a task whose worker thread died' }),
  unreachableMs: num({ gt: 0, default: 60_000, help: 'a run fails with E_WORKER when Redis has not answered for this long (ms)' }),
  pollMs: num({ gt: 0, default: 2000, help: "how often unfinished jobs' states are polled (ms), backing up the event stream" }),
  log: custom<(line: string) => void>({ expected: 'a function', valid: (v) => typeof v === 'function', defaultText: 'none', help: 'one line per notice: no worker connected to the queue for a while, and one back' }),
} satisfies { [K in keyof Required<QueuePoolOptions>]: Field<Required<QueuePoolOptions>[K]> });

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
  const [maxRestarts, unreachableMs, pollMs, queue] = [q.value(o, 'maxRestarts'), q.value(o, 'unreachableMs'), q.value(o, 'pollMs'), q.value(o, 'queue')];
  // Every built-in kind is known to the caller too, as with the local createPool (tasks are checked before they are queued).
  registerTasks(TASKS);
  const redis = openRedis(options.connection, 'bdl-pool');
  const events = openRedis(options.connection, 'bdl-pool-events');
  try {
    await withTimeout(redis.ping(), Math.min(unreachableMs, 10_000), `Redis at ${describeConnection(options.connection)} did not answer`);
    await checkDatabase(redis, options.connection);
    const pool = new QueuePool(queue, describeConnection(options.connection), redis, events, maxRestarts, unreachableMs, pollMs, options.log ?? (() => {}), { ...INTERNALS, ...internals });
    await pool.start();
    return pool;
  } catch (e) {
    redis.disconnect();
    events.disconnect();
    throw e instanceof BdlError ? e : new BdlError('E_WORKER', `queue pool: cannot reach Redis at ${describeConnection(options.connection)} (${(e as Error).message}).`, 'connection');
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
  private lastContact = Date.now();
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
    private readonly unreachableMs: number,
    private readonly pollMs: number,
    private readonly log: (line: string) => void,
    private readonly internals: Required<QueuePoolInternals>,
  ) {
    super('queue pool', 'createQueuePool');
    this.keys = queueKeys(queueName);
    this.q = new Queue(queueName, { connection: redis });
    this.qe = new QueueEvents(queueName, { connection: events, autorun: false });
    // Errors surface through the runs (the poll's deadline); the clients reconnect on their own.
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
    this.size = await this.q.getWorkersCount().catch(() => 0);
    this.timer = setInterval(() => void this.poll(), this.pollMs);
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
    return Math.min(this.unreachableMs, 5000);
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
    // The poll goes on: other runs of this pool fail on its deadline (E_WORKER) rather than wait.
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
      const bytes = encodeData(run.options.data ?? {});
      const hash = sha256(bytes);
      // Stored once per content: a second run on the same data only refreshes the expiry.
      const key = this.keys.data(hash);
      const ttl = this.internals.keyTtlS;
      if ((await this.redis.set(key, bytes, 'EX', ttl, 'NX')) === null) await this.redis.expire(key, ttl);
      run.dataKey = key;
      const jobs = run.tasks.map((t, taskId) => {
        const data: JobData = { v: 1, version: PACKAGE_VERSION, run: run.id, taskId, task: encodeTask(t), data: hash };
        return {
          name: t.kind,
          data,
          // Kept a day at most if this caller dies before collecting them.
          opts: { jobId: jobIdOf(run.id, taskId), attempts: this.maxRestarts + 1, removeOnComplete: { age: KEY_TTL_S }, removeOnFail: { age: KEY_TTL_S } },
        };
      });
      await this.q.addBulk(jobs);
      run.added = true;
      this.size = await this.q.getWorkersCount().catch(() => this.size);
    })().catch((e: Error) => this.settle(run, e instanceof BdlError ? e : new BdlError('E_WORKER', `queue pool: could not add the run's jobs (${e.message}).`, 'connection')));
  }

  private lookup(jobId: string): { run: QRun; taskId: number } | undefined {
    const cut = jobId.lastIndexOf('-');
    const run = this.byId.get(jobId.slice(0, cut));
    const taskId = Number(jobId.slice(cut + 1));
    return run && !run.settled && run.pending.has(taskId) ? { run, taskId } : undefined;
  }

  private progress(jobId: string, data: JobProgressData): void {
    this.lastContact = Date.now();
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
    }
  }

  /**
   * Marks the run cancelled (workers check the mark before starting a job and hear it by pub/sub
   * while running one), then removes its jobs: waiting ones at once, running ones once their
   * worker has stopped them. A running job whose worker is not alive (killed: BullMQ's lock on it
   * lasts until --lock-duration passes) is not waited for: the mark stops it when the stalled
   * check hands it to another worker, which fails it at once and removes it. So the clean-up never
   * depends on a dead worker; it gives up after 15 s all the same (a live worker slow to stop),
   * and each of its commands after min(unreachableMs, 5 s) without an answer (the connections are
   * then dropped: see bounded). With the connection already lost it sends nothing and says so.
   */
  private async cancel(run: QRun): Promise<void> {
    const ids = [...run.pending].map((t) => jobIdOf(run.id, t));
    if (this.down) {
      this.log(
        `could not withdraw the cancelled run's ${ids.length} task(s): Redis at ${this.where} is unreachable. ` +
        'If it comes back with them, workers may run them for nobody; their results expire after a day.',
      );
      return;
    }
    const b = <T>(p: Promise<T>) => this.bounded(p);
    await b(this.redis.set(this.keys.cancelled(run.id), '1', 'EX', this.internals.keyTtlS));
    await b(this.redis.publish(this.keys.cancelChannel, run.id));
    const left = new Set(ids);
    const deadline = Date.now() + 15_000;
    let live: { at: number; names?: Set<string> } = { at: -Infinity };
    while (left.size > 0 && Date.now() < deadline && !this.dropped) {
      const held: Job[] = [];
      for (const id of [...left]) {
        const job = await b(Job.fromId(this.q, id)).catch(() => null);
        if (job == null || (await b(job.remove()).then(() => true, () => false))) left.delete(id);
        else held.push(job);
      }
      if (left.size === 0) break;
      // Only a live worker will stop and release a job it holds (the names are re-read each second:
      // a worker may die while this waits); an unreadable client list keeps waiting, to the deadline.
      if (Date.now() - live.at >= 1000) live = { at: Date.now(), names: await b(liveWorkerNames(this.q)).catch(() => undefined) };
      for (const job of held) if (live.names !== undefined && !live.names.has(job.processedBy ?? '')) left.delete(job.id!);
      if (left.size > 0) await new Promise((r) => setTimeout(r, 100));
    }
    await b(deleteCheckpoints(this.redis, this.keys, ids)).catch(() => {});
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
    if (p.length > 0) await withTimeout(p.exec(), this.pollMs, 'no answer');
  }

  /**
   * Counts the queue's live workers (every `workerCheckMs` while runs are in flight) and says so
   * through `log` when none has been connected for `noWorkerNoticeMs`, and again when one is back.
   * The runs go on: a worker started later takes their jobs (a dead worker's, from its checkpoint).
   */
  private async checkWorkers(): Promise<void> {
    const { workerCheckMs, noWorkerNoticeMs } = this.internals;
    const now = Date.now();
    if (now - this.workersChecked < workerCheckMs) return;
    this.workersChecked = now;
    const count = await withTimeout(this.q.getWorkersCount(), this.pollMs, 'no answer');
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

  /** Backs the events up: finished jobs whose event was missed, and a deadline on Redis's silence. */
  private async poll(): Promise<void> {
    if (this.polling || this.runs.size === 0) {
      this.lastContact = Date.now();
      // An idle pool counts no workers: an absence is timed from when a run is in flight again.
      if (this.runs.size === 0) [this.noWorkerSince, this.noticed] = [undefined, false];
      return;
    }
    this.polling = true;
    try {
      await withTimeout(this.redis.ping(), this.pollMs, 'no answer');
      this.lastContact = Date.now();
      await this.checkWorkers();
      // Only runs that have gone quiet: while events flow, a missed one is caught once they stop.
      for (const run of [...this.runs].filter((r) => r.added && Date.now() - r.lastEvent > 2 * this.pollMs)) {
        for (const taskId of [...run.pending]) {
          const id = jobIdOf(run.id, taskId);
          const state = await withTimeout(this.q.getJobState(id), this.pollMs, 'no answer');
          if (state === 'completed' || state === 'failed' || state === 'unknown') await this.collect(id);
        }
      }
    } catch {
      if (Date.now() - this.lastContact > this.unreachableMs) {
        for (const run of [...this.runs]) {
          this.settle(run, new BdlError('E_WORKER', `queue pool: Redis has not answered for ${Math.round((Date.now() - this.lastContact) / 1000)} s; the run is abandoned. Check the server, then run again (finished tasks are not kept).`, 'connection'));
        }
      }
    } finally {
      this.polling = false;
    }
  }
}

/** A promise's deadline passed (withTimeout). */
class DeadlineError extends Error {}

/** `p`, or a DeadlineError once `ms` have passed (`p` is left to settle on its own, its rejection handled). */
function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout>;
  p.catch(() => {});
  return Promise.race([p, new Promise<never>((_, reject) => (t = setTimeout(() => reject(new DeadlineError(`${what} within ${ms} ms`)), ms)))]).finally(() => clearTimeout(t));
}

/**
 * A queue worker: pulls jobs from the BullMQ queue and runs them on its wasm threads. Each job is
 * checked before any work (a registered kind with well-formed options, data whose SHA-256 matches,
 * a user target module only when allow-listed). A job refused for what it is fails at once with a
 * typed reason and is never retried; a job refused for what this worker is (its allow-list, its copy
 * of a module, its version) is handed back for another worker, and fails only once every live
 * worker has refused it. Either way the worker keeps serving. Checkpoints go to Redis, so a job
 * whose worker died resumes from its last one on another worker. A job runs only while its run's
 * caller holds the run's lease (lease.ts): one whose lease lapsed is dropped unrun, or stopped. The
 * worker beats every second (liveness.ts), which is how callers and other workers know it alive.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { Queue, UnrecoverableError, WaitingError, Worker, type Job as BullJob } from 'bullmq';
import { BdlError } from '../errors.js';
import { TASKS } from '../orchestration/tasks.js';
import { registerTasks } from '../pool/registry.js';
import type { TaskData } from '../pool/types.js';
import { claimCheckpoints, deleteCheckpoints, storeResult } from './checkpoints.js';
import { decodeTask, encodeValue } from './codec.js';
import { dataCache } from './data-cache.js';
import { checkDatabase, describeConnection, openRedis, queueKeys } from './connection.js';
import { withdrawnRuns, type Withdrawn } from './lease.js';
import { HEARTBEAT_MS, beat, liveWorkerNames, unbeat } from './liveness.js';
import { JOB, PACKAGE_VERSION, checkJobCore, checkJobVersion, RESULT_STORED, failedReason, type JobData, type JobProgressData } from './protocol.js';
import { Slots, ThreadDied } from './slots.js';
import { HANDED_BACK, Holds, handBack } from './refusals.js';
import { aboutThisWorker, isAboutThisWorker, pinTarget, validateTask } from './validate.js';
import { QUEUE_WORKER_OPTIONS, type QueueWorkerOptions } from './options.js';
import { checkArgument } from '../options/schema.js';

export interface QueueWorker {
  readonly concurrency: number;
  /**
   * Stops taking jobs; running jobs are stopped and re-queued (they resume from their checkpoint
   * elsewhere). Returns within about `stopTimeout` even when Redis does not answer.
   */
  close(): Promise<void>;
}

interface Active {
  readonly run: string;
  cancel?: () => void;
  requeue: boolean;
  /** Its run's cancel was heard, or its lease lapsed, maybe before its task could be stopped. */
  cancelled: boolean;
}

/** Starts a worker; resolves once it is connected and its threads are ready. */
export function createQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  return startQueueWorker(options);
}

/**
 * {@link createQueueWorker} with its threads started on another entry script than the package's
 * worker.js. The injection point of the fault tests (test/queue/fault-queue-worker.ts runs threads that
 * die on purpose); the package does not export it, so no job and no flag can reach it.
 */
export async function startQueueWorker(options: QueueWorkerOptions, threadUrl?: string): Promise<QueueWorker> {
  const w = QUEUE_WORKER_OPTIONS;
  options = w.check(options);
  const [queue, concurrency, lockDuration, stalledInterval, maxStalledCount, cacheSize, progressInterval, checkpointInterval] = [
    w.value(options, 'queue'), w.value(options, 'concurrency'), w.value(options, 'lockDuration'), w.value(options, 'stalledInterval'),
    w.value(options, 'maxStalledCount'), w.value(options, 'cacheSize'), w.value(options, 'progressInterval'), w.value(options, 'checkpointInterval'),
  ];
  registerTasks(TASKS);
  const log = options.log ?? (() => {});
  const allow = new Set((options.allowTargets ?? []).map((p) => (/^[a-z][a-z0-9+.-]+:/i.test(p) ? p : pathToFileURL(resolve(p)).href)));
  const keys = queueKeys(queue);
  const where = describeConnection(options.connection);
  const startTimeout = w.value(options, 'startTimeout');
  const redis = openRedis(options.connection, 'bdl-worker');
  const sub = openRedis(options.connection, 'bdl-worker-cancel');
  const bull = openRedis(options.connection, 'bdl-worker-jobs');
  // What startup made so far: all of it is closed when startup fails (the process can then exit).
  let slots: Slots | undefined;
  let worker: Worker<JobData, string> | undefined;
  let ticker: ReturnType<typeof setInterval> | undefined;
  let failed = false;
  const abandon = async () => {
    failed = true;
    clearInterval(ticker);
    for (const c of [redis, sub, bull]) c.disconnect();
    let t: ReturnType<typeof setTimeout> | undefined;
    // BullMQ's close is bounded too: its connection is gone, nothing is worth waiting long for.
    await Promise.race([Promise.allSettled([worker?.close(true), slots?.close(), fleet.close()]), new Promise((r) => (t = setTimeout(r, 5000)))]);
    clearTimeout(t);
  };

  const active = new Map<string, Active>();
  /** Jobs failed because their run was cancelled: removed once failed (a caller gone, or gone on, never collects them). */
  const withdrawn = new Set<string>();
  let stopping = false;
  // The threads start while Redis is contacted; only the latter has the startup deadline (a machine
  // slow to compile the core is no reason to give up).
  const threadsReady = Slots.create(concurrency, threadUrl).then(async (made) => {
    if (failed) {
      await made.close();
      throw new Error('abandoned');
    }
    return (slots = made);
  });
  threadsReady.catch(() => {});
  const connect = async () => {
    // Answers, or fails at once on a refused password (a wrong one is never retried into success).
    await redis.ping();
    await checkDatabase(redis, options.connection);
    await sub.subscribe(keys.cancelChannel);
    sub.on('message', (_ch: string, runId: string) => {
      for (const a of active.values()) {
        if (a.run !== runId) continue;
        a.cancelled = true;
        a.cancel?.();
      }
    });
  };

  const cache = dataCache(redis, keys.data, cacheSize, (id) => slots!.forget(id));

  // This worker's name in its heartbeats and in Redis's client list (BullMQ records it as the jobs'
  // processedBy): what its refusal records name. Unique per start, so a worker restarted with
  // another allow-list is asked afresh.
  const name = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  let ticking = false;
  /**
   * Every HEARTBEAT_MS: this worker's heartbeat, then the cancel marks and leases of the runs it is
   * running jobs of. A job whose run was cancelled (a published cancel is lost when it lands while
   * this worker's subscription reconnects) or whose lease lapsed (its caller died, or was cancelled
   * while Redis was unreachable to it) is stopped as a cancel stops it. Nothing is queued on a lost
   * connection (it would be sent late, all at once), and an unanswered read stops nothing.
   */
  const tick = async () => {
    if (ticking || redis.status !== 'ready') return;
    ticking = true;
    try {
      const running = [...active.entries()].filter(([, a]) => !a.cancelled);
      // Sent together: one round trip. Each stands alone: a beat Redis refuses (out of memory: a
      // write) must not discard the read that says which running jobs to stop.
      const [, read] = await Promise.allSettled([beat(redis, keys.workers, name), withdrawnRuns(redis, keys, [...new Set(running.map(([, a]) => a.run))])]);
      if (read.status === 'rejected') return;
      const stop = read.value;
      for (const [id, a] of running) {
        const why = stop.get(a.run);
        if (why === undefined || a.cancelled) continue;
        a.cancelled = true;
        log(`job ${id}: stopping: ${WITHDRAWN[why]}`);
        a.cancel?.();
      }
    } catch {
      // The next tick tries again.
    } finally {
      ticking = false;
    }
  };
  const fleet = new Queue(queue, { connection: redis });
  fleet.on('error', () => {});
  let live: { at: number; names: Promise<Set<string>> } | undefined;
  const holds = new Holds();
  /** The names of the queue's live workers, this one included (heartbeats and the client list, read at most every LIVE_CACHE_MS). */
  const liveWorkers = (): Promise<Set<string>> => {
    if (live === undefined || performance.now() - live.at > LIVE_CACHE_MS) {
      const names = liveWorkerNames(redis, keys.workers, fleet).then((ns) => ns.add(name));
      live = { at: performance.now(), names };
      names.catch(() => (live = undefined));
    }
    return live.names;
  };

  const processor = async (job: BullJob<JobData>, token?: string): Promise<string> => {
    const d = job.data;
    let task;
    try {
      try {
        checkJobVersion(d);
        // A core this worker cannot compute with: another worker's runtime may (a job is never run on another core).
        checkJobCore(d, slots!.flavors);
      } catch (e) {
        throw aboutThisWorker(e as Error);
      }
      checkArgument(JOB, d, 'job', 'data');
      task = await pinTarget(validateTask(decodeTask(d.task), allow));
    } catch (e) {
      throw isAboutThisWorker(e) ? await handBack({ redis, key: keys.refusals, name, log, liveWorkers, holds }, job, token, e) : refuse(job, e, log);
    }
    // Registered before the mark is read: a cancel published after the read finds this job here
    // (the pool sets the mark before publishing), and is kept until the task can be stopped.
    const me: Active = { run: d.run, requeue: false, cancelled: false };
    active.set(job.id!, me);
    try {
      return await runJob(job, token, d, task, me);
    } finally {
      active.delete(job.id!);
    }
  };

  const runJob = async (job: BullJob<JobData>, token: string | undefined, d: JobData, task: Awaited<ReturnType<typeof pinTarget>>, me: Active): Promise<string> => {
    // Dropped unrun when cancelled, or when its caller no longer holds the run's lease (dead, or
    // cancelled while Redis was unreachable to it): no one is waiting for the result.
    const why = (await withdrawnRuns(redis, keys, [d.run])).get(d.run);
    if (why !== undefined) {
      withdrawn.add(job.id!);
      log(`job ${job.id}: not run: ${WITHDRAWN[why]}`);
      throw new UnrecoverableError(failedReason('E_ABORTED', `${WITHDRAWN[why]} before it started.`));
    }
    let data: { id: number; data: TaskData };
    try {
      data = await cache.get(d.data);
    } catch (e) {
      throw refuse(job, e, log);
    }
    const ckpt = await claimCheckpoints(redis, keys, job.id!, { minIntervalMs: checkpointInterval });
    const saved = ckpt.resume !== undefined;
    // A hand-back (a refusal) started an attempt too, but none of the task's work: not a restart.
    const started = job.attemptsStarted ?? 1;
    const handedBack = started > 1 ? Number((await redis.hget(keys.refusals(job.id!), HANDED_BACK)) ?? 0) : 0;
    const attempt = Math.max(0, started - 1 - handedBack);
    let reported = -Infinity;
    const report = (p: JobProgressData) => void job.updateProgress(p as never).catch(() => {});
    if (attempt > 0) {
      report(saved
        ? { attempt, reason: 'resumed from its last checkpoint', checkpoint: encodeValue(ckpt.resume).toString('base64') }
        : { attempt, reason: 'restarted from the start (no checkpoint)' });
    }
    log(`job ${job.id}: ${task.kind} stream ${task.stream}, attempt ${attempt}${saved ? `, from a checkpoint (${ckpt.resumeLog.length} logged items)` : ''}`);
    try {
      const out = await slots!.run(
        { taskId: d.taskId, task, resume: ckpt.resume, resumeLog: ckpt.resumeLog, attempt },
        d.core,
        data.id,
        data.data,
        {
          progress: (e) => {
            const now = performance.now();
            if (now - reported < progressInterval && e.step < e.total) return;
            reported = now;
            report({ step: e.step, total: e.total, payload: e.payload, attempt });
          },
          checkpoint: (s, append) => ckpt.write(s, append),
        },
        (cancel) => {
          me.cancel = cancel;
          if (stopping) me.requeue = true, cancel();
          else if (me.cancelled) cancel();
        },
      );
      // A finished job's checkpoints are deleted with its result: a held one need not be written.
      await ckpt.settled({ flush: !out.ok });
      if (out.ok) {
        try {
          await storeResult(redis, keys, job.id!, encodeValue(out.value));
        } catch (e) {
          // A result Redis cannot hold fails the same way on every retry.
          if (!(e instanceof BdlError)) throw e;
          log(`job ${job.id}: failed: ${e.code}: ${e.message}`);
          throw new UnrecoverableError(failedReason(e.code, e.message));
        }
        return RESULT_STORED;
      }
      if (out.code === 'E_ABORTED' && me.requeue) {
        // Stopped by SIGTERM: back to the head of the wait list at once, to resume from its
        // checkpoint elsewhere. Not through BullMQ's delayed set: a delayed job is scored with this
        // worker's clock and promoted by the others' clocks, so a clock running ahead of theirs
        // held the job back for the whole difference.
        await job.moveToWait(token);
        log(`job ${job.id}: re-queued (worker stopping)`);
        throw new WaitingError();
      }
      log(`job ${job.id}: failed: ${out.code}: ${out.message}`);
      if (out.code === 'E_ABORTED' && me.cancelled) withdrawn.add(job.id!);
      throw new UnrecoverableError(failedReason(out.code, out.message));
    } catch (e) {
      if (e instanceof ThreadDied) {
        // The checkpoints the thread sent before it died land first, so the retry resumes from the last.
        await ckpt.settled();
        log(`job ${job.id}: ${e.message}; retried`);
      }
      throw e;
    }
  };

  const serve = async () => {
    const wk = (worker = new Worker<JobData, string>(queue, processor, {
      connection: bull, concurrency, lockDuration, stalledInterval, maxStalledCount, autorun: false, name,
    }));
    wk.on('error', (e) => holds.has(/^could not renew lock for job (.+)$/.exec(e.message)?.[1] ?? '') || log(`redis: ${e.message}`));
    // Its lock is released once it failed: the job can go, with what its attempts left in Redis.
    wk.on('failed', (job) => {
      if (job?.id === undefined || !withdrawn.delete(job.id)) return;
      void job.remove().then(() => deleteCheckpoints(redis, keys, [job.id!])).catch(() => {});
    });
    // Alive before it takes a job: a caller cancelling that job must see its holder live.
    await beat(redis, keys.workers, name);
    ticker = setInterval(() => void tick(), HEARTBEAT_MS);
    void wk.run().catch((e: Error) => log(`worker stopped: ${e.message}`));
    await wk.waitUntilReady();
  };
  // Redis has a deadline at startup (an unreachable one would otherwise be waited for in silence for
  // ever), and startup stops on the signal; either way, nothing it started is left running.
  const cleanups: Array<() => void> = [];
  const bounded = <T>(p: Promise<T>, timed: boolean): Promise<T> => Promise.race([p, new Promise<never>((_, reject) => {
    if (timed) {
      const t = setTimeout(() => reject(new BdlError('E_WORKER', `bdl worker: cannot reach Redis at ${where}: no answer within ${Math.round(startTimeout / 1000)} s. Check the URL, that the server runs and that this machine may connect to it.`, 'connection')), startTimeout);
      cleanups.push(() => clearTimeout(t));
    }
    const onAbort = () => reject(new BdlError('E_ABORTED', 'bdl worker: cancelled while starting.'));
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort);
    cleanups.push(() => options.signal?.removeEventListener('abort', onAbort));
  })]);
  try {
    await bounded(connect(), true);
    await bounded(threadsReady.catch((e: Error) => {
      throw new BdlError('E_WORKER', `bdl worker: could not start its worker threads (${e.message}).`);
    }), false);
    // Jobs are taken only once the threads are there to run them.
    await bounded(serve(), true);
  } catch (e) {
    await abandon();
    if (e instanceof BdlError) throw e;
    throw new BdlError('E_WORKER', `bdl worker: cannot use Redis at ${where}: ${(e as Error).message}`, 'connection');
  } finally {
    for (const c of cleanups) c();
  }
  const [threads, fetcher] = [slots!, worker!];
  log(`worker: bdl-wasm ${PACKAGE_VERSION}, ${concurrency} thread(s) on queue ${queue} at ${where} as ${name}; user targets allowed: ${allow.size ? [...allow].join(', ') : 'none'}; cores: ${threads.flavors.join(', ')}`);

  const stopTimeout = w.value(options, 'stopTimeout');
  let closing: Promise<void> | undefined;
  return {
    concurrency,
    close() {
      closing ??= (async () => {
        stopping = true;
        holds.endAll();
        // Stop fetching first, so a job re-queued below goes to another worker, not back to this one.
        const fetching = fetcher.close();
        for (const a of active.values()) {
          a.requeue = true;
          a.cancel?.();
        }
        const handedBack = (async () => {
          await fetching;
          await threads.close();
          // Gone at once from the live workers, rather than a heartbeat's ttl later.
          clearInterval(ticker);
          await unbeat(redis, keys.workers, name).catch(() => {});
          await fleet.close().catch(() => {});
          await Promise.allSettled([redis.quit(), sub.quit(), bull.quit()]);
        })();
        if (await settlesWithin(handedBack, stopTimeout)) return;
        // Redis does not answer (the connections wait for it for ever: BullMQ needs that): a job
        // not handed back keeps BullMQ's lock until --lock-duration passes, then the stalled check
        // of a worker connected to the restored server puts it back, to resume from its checkpoint.
        const held = [...active.keys()];
        log(held.length > 0
          ? `could not hand back ${held.length} running job(s) (${held.join(', ')}) within ${stopTimeout / 1000} s: Redis at ${where} does not answer. ` +
            "BullMQ's stalled check gives them to another worker once Redis is back; they resume from their last checkpoint."
          : `could not close its connections within ${stopTimeout / 1000} s: Redis at ${where} does not answer.`);
        // Dropped connections fail every command still waiting, so the processors and BullMQ's close end.
        clearInterval(ticker);
        for (const c of [redis, sub, bull]) c.disconnect();
        void fetcher.disconnect().catch(() => {});
        void fleet.disconnect().catch(() => {});
        await threads.close();
        await settlesWithin(handedBack, 1000);
      })();
      return closing;
    },
  };
}

/** Whether `p` settled within `ms` (its rejection handled either way). */
async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let t: ReturnType<typeof setTimeout> | undefined;
  const settled = p.then(() => true, () => true);
  const r = await Promise.race([settled, new Promise<false>((resolve) => (t = setTimeout(() => resolve(false), ms)))]);
  clearTimeout(t);
  return r;
}

/** Why a job of a withdrawn run is not run, or stopped (log lines and failed reasons). */
const WITHDRAWN: Record<Withdrawn, string> = {
  cancelled: 'its run was cancelled',
  lapsed: "its run's caller is gone (its lease lapsed)",
};

/** How long a read of the live workers (Redis's client list, O(clients)) serves the next refusals. */
const LIVE_CACHE_MS = 2000;

/** A refused job: logged, failed with a typed reason, never retried. */
function refuse(job: BullJob, e: unknown, log: (line: string) => void): UnrecoverableError {
  const code = e instanceof BdlError ? e.code : 'E_ARG';
  const message = e instanceof Error ? e.message : String(e);
  log(`job ${job.id}: refused: ${code}: ${message}`);
  return new UnrecoverableError(failedReason(code, `refused: ${message}`));
}

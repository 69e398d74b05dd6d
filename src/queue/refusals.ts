/**
 * Handing back a job this worker refused for what it is (its allow-list, its copy of a module, its
 * version, its core) so that another worker may run it; failing it once every live worker refused.
 *
 * A repeated hand-back is delayed, timed by Redis's clock (TIME), not this worker's: BullMQ scores a
 * delayed job with the clock of the worker that delays it, and each worker promotes delayed jobs by
 * its own, so a refuser whose clock ran 10 min ahead hid the job for 10 min from workers that could
 * run it. Scored with Redis's time, the job is due for every worker whose clock agrees with Redis's;
 * the skewed refuser itself promotes it too early, and such an early retake is handed back until
 * the job is due without counting as a refusal, its slot held until a moment past that so that it
 * neither spins nor beats the others to it.
 */
import { DelayedError, UnrecoverableError, WaitingError, type Job as BullJob } from 'bullmq';
import type { Redis } from 'ioredis';
import { BdlError } from '../errors.js';
import { KEY_TTL_S } from './connection.js';
import { failedReason } from './protocol.js';

/** The refusal record's field counting a job's hand-backs (worker names never start with '#'). */
export const HANDED_BACK = '#handed-back';
/** When (Redis's clock, ms) the job's last delayed hand-back makes it due. */
const DUE = '#due';
/** Hand-backs of a job taken before it was due (by a worker whose clock runs ahead): not refusals. */
const EARLY = '#early';
/** A job handed back this many times fails even if some live worker never refused it (one that never takes jobs). */
const MAX_REFUSALS = 100;
/** A hand-back's delay; past FREE_REPEATS retakes by workers that already refused the job, it doubles with each. */
const REFUSAL_DELAY_MS = 250;
const FREE_REPEATS = 3;
const MAX_REFUSAL_DELAY_MS = 60_000;

export interface Refuser {
  readonly redis: Redis;
  /** The refusal record's key of a job. */
  readonly key: (jobId: string) => string;
  /** This worker's name. */
  readonly name: string;
  readonly log: (line: string) => void;
  /** The names of the queue's live workers, this one included. */
  readonly liveWorkers: () => Promise<Set<string>>;
  readonly holds: Holds;
}

/**
 * Slots kept from fetching a while after handing their job back, by job id. BullMQ keeps renewing
 * the lock of a job whose processor has not returned, and says so when it fails (the job is no
 * longer this worker's): `has` tells the worker which of those failures to leave unsaid. A closing
 * worker ends them all at once.
 */
export class Holds {
  private readonly ends = new Map<symbol, { jobId: string; end: () => void }>();

  has(jobId: string): boolean {
    for (const h of this.ends.values()) if (h.jobId === jobId) return true;
    return false;
  }

  hold(jobId: string, ms: number): Promise<void> {
    const key = Symbol(jobId);
    return new Promise<void>((done) => {
      const end = () => {
        clearTimeout(t);
        this.ends.delete(key);
        done();
      };
      const t = setTimeout(end, ms);
      this.ends.set(key, { jobId, end });
    });
  }

  endAll(): void {
    for (const h of [...this.ends.values()]) h.end();
  }
}

/** Redis's clock, in ms. */
async function redisNow(redis: Redis): Promise<number> {
  const [s, us] = await redis.time();
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}

/**
 * Moves an active job to BullMQ's delayed set, due `delay` ms after `now` (Redis's clock). Job's
 * public moveToDelayed takes "now" from Date.now(), and a due time behind this worker's clock
 * becomes that clock's now; its backend call (the same script) takes it as an argument.
 */
async function delayUntil(job: BullJob, now: number, delay: number, token: string | undefined): Promise<void> {
  const backend = (job as unknown as { backend: { moveToDelayed(id: string, now: number, delay: number, token?: string, opts?: { skipAttempt?: boolean }): Promise<unknown> } }).backend;
  await backend.moveToDelayed(job.id!, now, delay, token, { skipAttempt: true });
  job.delay = delay;
}

/**
 * Records who refused the job and why, then puts it back in the queue: at once the first time this
 * worker refuses it, after a growing delay when workers that already refused it take it again. Once
 * every live worker has refused it, or after MAX_REFUSALS hand-backs, returns the error that fails
 * it with every refusal's reason; else BullMQ's error for a job moved on.
 */
export async function handBack(w: Refuser, job: BullJob, token: string | undefined, e: unknown): Promise<Error> {
  const code = e instanceof BdlError ? e.code : 'E_ARG';
  const reason = failedReason(code, e instanceof Error ? e.message : String(e));
  const key = w.key(job.id!);
  const now = await redisNow(w.redis);
  const replies = await w.redis.multi().hset(key, w.name, reason).hincrby(key, HANDED_BACK, 1).expire(key, KEY_TTL_S).hgetall(key).exec();
  const failed = replies === null ? new Error('the transaction was aborted') : replies.find(([err]) => err)?.[0];
  if (failed) throw failed;
  const all = { ...(replies![3][1] as Record<string, string>) };
  const due = Number(all[DUE] ?? 0);
  if (now < due) {
    await w.redis.hincrby(key, EARLY, 1);
    await delayUntil(job, now, due - now, token);
    w.log(`job ${job.id}: refused again before it was due (this worker's clock runs ahead of Redis's): handed back for ${due - now} ms more`);
    await w.holds.hold(job.id!, due - now + REFUSAL_DELAY_MS);
    return new DelayedError();
  }
  const count = Number(all[HANDED_BACK]) - Number(all[EARLY] ?? 0);
  for (const f of [HANDED_BACK, DUE, EARLY]) delete all[f];
  const refusers = Object.entries(all);
  const names = await w.liveWorkers();
  const waiting = [...names].filter((n) => all[n] === undefined);
  if (waiting.length === 0 || count >= MAX_REFUSALS) {
    const codes = new Set(refusers.map(([, r]) => /^E_[A-Z_]+/.exec(r)?.[0]));
    const by = waiting.length === 0 ? `every live worker (${names.size})` : `${refusers.length} worker(s), ${count} times (the other live workers never took it)`;
    const message = `refused by ${by}: ${refusers.map(([n, r]) => `worker ${n}: ${r}`).join('; ')}`;
    w.log(`job ${job.id}: refused: ${reason}; failed: ${message}`);
    return new UnrecoverableError(failedReason(codes.size === 1 ? [...codes][0]! : 'E_WORKER', message));
  }
  if (replies![0][1] === 1) {
    // This worker's first refusal of the job: back to the head of the wait list at once, which wakes
    // the longest-idle worker, while this one keeps its slot a moment so that it is not the one to
    // take the job again (a delayed job goes to whichever worker holds the delay's wake-up, often
    // the refuser: a fleet's fourth worker went 20 s without being offered one).
    await job.moveToWait(token);
    w.log(`job ${job.id}: refused: ${reason}; handed back to the queue for another worker (${waiting.length} live worker(s) have not refused it)`);
    await w.holds.hold(job.id!, REFUSAL_DELAY_MS);
    return new WaitingError();
  }
  // Taken again by a worker that already refused it (a race the refuser may win several times
  // running): the delay grows only after a few repeats, then doubles, so a refusing fleet costs Redis little.
  const repeats = count - refusers.length;
  const delay = Math.min(MAX_REFUSAL_DELAY_MS, REFUSAL_DELAY_MS * 2 ** Math.max(0, repeats - FREE_REPEATS));
  await w.redis.hset(key, DUE, now + delay);
  await delayUntil(job, now, delay, token);
  w.log(`job ${job.id}: refused: ${reason}; handed back in ${delay} ms for another worker (${waiting.length} live worker(s) have not refused it)`);
  return new DelayedError();
}

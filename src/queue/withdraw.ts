/**
 * Withdrawing a cancelled run's jobs from the queue, as its caller does once the run ended
 * unfinished and Redis answers: the run's lease deleted and its cancel mark set (workers check both
 * before starting a job), the cancel published (running jobs stop at their next check), then each
 * job removed — waiting ones at once, running ones once their worker has stopped them.
 *
 * A running job whose worker is not alive (killed, frozen, its machine gone: liveness.ts) is not
 * waited for: BullMQ's lock keeps it until --lock-duration passes, then the worker whose stalled
 * check takes it fails it at once on the mark and removes it. So the withdrawal never depends on a
 * dead worker; it gives up after 15 s all the same (a live worker slow to stop; the mark still holds).
 */
import { Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { deleteCheckpoints } from './checkpoints.js';
import type { queueKeys } from './connection.js';
import { liveWorkerNames } from './liveness.js';

export interface Withdrawal {
  readonly redis: Redis;
  readonly queue: Queue;
  readonly keys: ReturnType<typeof queueKeys>;
  /** Expiry of the cancel mark (s). */
  readonly keyTtlS: number;
  /** Each command, bounded by the caller's clean-up deadline (past it the connections are dropped). */
  readonly bounded: <T>(p: Promise<T>) => Promise<T>;
  /** The caller dropped its connections: nothing more can be said to Redis. */
  readonly dropped: () => boolean;
}

/** How long the withdrawal waits for live workers to stop the run's running jobs. */
const STOP_WAIT_MS = 15_000;

export async function withdrawJobs(w: Withdrawal, runId: string, ids: readonly string[]): Promise<void> {
  const { redis, queue, keys, bounded: b } = w;
  const marked = await b(redis.multi().set(keys.cancelled(runId), '1', 'EX', w.keyTtlS).del(keys.lease(runId)).exec()).catch((e: Error) => e);
  const failed = marked === null ? new Error('the transaction was aborted') : marked instanceof Error ? marked : marked.find(([e]) => e)?.[0];
  if (failed) {
    // Redis refused the mark (out of memory refuses a SET, and with it the whole transaction) but
    // may still take a DEL and a PUBLISH: the lease goes, so the workers stop the run's jobs at
    // their next look (within a second) rather than once it lapses (a minute), and the running
    // ones hear the cancel at once.
    await b(redis.del(keys.lease(runId))).catch(() => {});
    await b(redis.publish(keys.cancelChannel, runId)).catch(() => {});
    throw failed;
  }
  await b(redis.publish(keys.cancelChannel, runId));
  const left = new Set(ids);
  const deadline = Date.now() + STOP_WAIT_MS;
  let live: { at: number; names?: Set<string> } = { at: -Infinity };
  while (left.size > 0 && Date.now() < deadline && !w.dropped()) {
    const held: Job[] = [];
    for (const id of [...left]) {
      const job = await b(Job.fromId(queue, id)).catch(() => null);
      if (job == null || (await b(job.remove()).then(() => true, () => false))) left.delete(id);
      else held.push(job);
    }
    if (left.size === 0) break;
    // Only a live worker will stop and release a job it holds (the names are re-read each second:
    // a worker may die while this waits); an unreadable answer keeps waiting, to the deadline.
    if (Date.now() - live.at >= 1000) live = { at: Date.now(), names: await b(liveWorkerNames(redis, keys.workers, queue)).catch(() => undefined) };
    for (const job of held) if (live.names !== undefined && !live.names.has(job.processedBy ?? '')) left.delete(job.id!);
    if (left.size > 0) await new Promise((r) => setTimeout(r, 100));
  }
  await b(deleteCheckpoints(redis, keys, ids)).catch(() => {});
}

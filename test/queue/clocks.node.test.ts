// Workers' clocks disagree (no NTP on one machine, a VM resumed from a snapshot). What a worker
// writes into the queue must not be timed by its own clock: a stopping worker whose clock ran ahead
// re-queued its running job into BullMQ's delayed set scored with that clock, so the other workers,
// which promote a delayed job once their own clock reaches its score, left it waiting for the whole
// skew (10 minutes here) while they sat idle.
import { describe, expect, it } from 'vitest';
import type { TaskDescription } from '../../src/index.js';
import { queue, queueEmpty, redisMissing, startRedis, startWorker, until, type WorkerProcess } from './servers.js';

/** A worker process whose clock runs 10 minutes ahead (Date.now, which BullMQ's timestamps read). */
const AHEAD = ['--import', 'data:text/javascript,const now = Date.now; Date.now = () => now() + 600000;'];
const alive = (w: WorkerProcess) => w.child.exitCode === null && w.child.signalCode === null;

describe.skipIf(redisMissing)('workers whose clocks disagree', () => {
  it('SIGTERM on a worker whose clock runs 10 min ahead: its running job goes to another worker at once, not 10 min later', async () => {
    const redis = await startRedis();
    const ahead = await startWorker(redis.url, [], AHEAD);
    const workers = [ahead];
    const pool = await queue.createQueuePool({ connection: redis.url });
    const tasks: TaskDescription[] = [{ kind: 'selftest', seed: 3, stream: 0, options: { steps: 10_000_000, checkpointEvery: 1000 } }];
    const ac = new AbortController();
    const run = pool.run(tasks, { signal: ac.signal });
    run.catch(() => {});
    try {
      await until('the skewed worker runs the task', () => /selftest stream 0, attempt 0/.test(ahead.log()));
      const other = await startWorker(redis.url);
      workers.push(other);
      const t0 = performance.now();
      expect(await ahead.stop()).toEqual({ code: 0, signal: null });
      expect(ahead.log()).toMatch(/re-queued \(worker stopping\)/);
      // Before: the job sat in the delayed set, scored 10 min ahead of this clock (the test's 15 s bound failed).
      await until('the other worker resumes the task', () => /selftest stream 0, attempt 1, from a checkpoint/.test(other.log()), 15_000);
      console.log(`re-queued by a worker 10 min ahead: resumed elsewhere ${Math.round(performance.now() - t0)} ms after the SIGTERM`);
      ac.abort();
      await expect(run).rejects.toMatchObject({ code: 'E_ABORTED' });
      await pool.close();
      await until('the queue is empty', () => queueEmpty(redis.url), 20_000);
    } finally {
      await pool.close();
      const exits = await Promise.all(workers.map((w) => (alive(w) ? w.stop() : w.exit)));
      await redis.dispose();
      expect(exits.map((e) => e.code)).toEqual(workers.map(() => 0));
    }
  }, 60_000);
});

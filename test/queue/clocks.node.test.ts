// Workers' clocks disagree (no NTP on one machine, a VM resumed from a snapshot). What a worker
// writes into the queue must not be timed by its own clock: a stopping worker whose clock ran ahead
// re-queued its running job into BullMQ's delayed set scored with that clock, so the other workers,
// which promote a delayed job once their own clock reaches its score, left it waiting for the whole
// skew (10 minutes here) while they sat idle.
import { describe, expect, it } from 'vitest';
import type { TaskDescription } from '../../src/index.js';
import { queue, queueEmpty, redisMissing, startRedis, startWorker, until, type RedisServer, type WorkerProcess } from './servers.js';

/** A worker process whose clock runs 10 minutes ahead (Date.now, which BullMQ's timestamps read). */
const AHEAD = ['--import', 'data:text/javascript,const now = Date.now; Date.now = () => now() + 600000;'];
const alive = (w: WorkerProcess) => w.child.exitCode === null && w.child.signalCode === null;

/** The caller's pool closed, then every worker stopped, then Redis: the workers' exit codes. */
async function closeAll(pool: { close(): Promise<void> }, workers: WorkerProcess[], redis: RedisServer): Promise<(number | null)[]> {
  await pool.close();
  const exits = await Promise.all(workers.map((w) => (alive(w) ? w.stop() : w.exit)));
  await redis.dispose();
  return exits.map((e) => e.code);
}

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
      expect(await closeAll(pool, workers, redis)).toEqual(workers.map(() => 0));
    }
  }, 60_000);

  it('a worker whose clock runs 10 min ahead hands back a job it refused again: the worker that can run it takes it once free, not 10 min later', async () => {
    const redis = await startRedis();
    const relaxed = await startWorker(redis.url, [], ['--experimental-wasm-relaxed-simd']);
    // Plain SIMD only: it refuses the caller's relaxed-core jobs, and hands them back.
    const ahead = await startWorker(redis.url, [], AHEAD);
    const workers = [relaxed, ahead];
    const pool = await queue.createQueuePool({ connection: redis.url, core: { flavor: 'relaxed' } });
    try {
      const busy = new AbortController();
      const long = pool.run([{ kind: 'selftest', seed: 1, stream: 0, options: { steps: 10_000_000, checkpointEvery: 1000 } }], { signal: busy.signal });
      long.catch(() => {});
      await until('the relaxed worker runs the long task', () => /selftest stream 0, attempt 0/.test(relaxed.log()));
      const short = pool.run([{ kind: 'selftest', seed: 2, stream: 5, options: { steps: 50 } }]);
      short.catch(() => {});
      // Refused at once, then taken again by the same worker (the other is busy): delayed.
      await until('the skewed worker delays its hand-back', () => /handed back in \d+ ms/.test(ahead.log()));
      busy.abort();
      await expect(long).rejects.toMatchObject({ code: 'E_ABORTED' });
      const t0 = performance.now();
      // Before: the delayed job was scored with the skewed clock, so the relaxed worker left it for 10 min (the 15 s bound failed).
      await until('the relaxed worker runs the refused task', () => /selftest stream 5, attempt 0/.test(relaxed.log()), 15_000);
      await expect(short).resolves.toHaveLength(1);
      console.log(`handed back by a worker 10 min ahead: run elsewhere ${Math.round(performance.now() - t0)} ms after the other worker was free`);
    } finally {
      expect(await closeAll(pool, workers, redis)).toEqual(workers.map(() => 0));
    }
  }, 60_000);
});

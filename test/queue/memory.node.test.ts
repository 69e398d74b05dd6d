// Redis out of memory mid-run (maxmemory reached under the noeviction policy: every write is
// refused with "OOM command not allowed", reads and deletes still answered). Before: the caller
// said "Redis has not answered" when it gave the run up; a cancel could not set its mark, and so
// neither deleted the run's lease nor published the cancel (one refused transaction); and a
// worker, whose heartbeat write was refused, discarded with it the read of its running jobs'
// leases, so it stopped none of them, cancelled or lapsed: they computed on for nobody.
import { describe, expect, it } from 'vitest';
import type { TaskDescription } from '../../src/index.js';
import { queue, queueEmpty, redisCli, redisMissing, shutDown, startRedis, startWorker, until } from './servers.js';

const long = (stream: number): TaskDescription[] => [{ kind: 'selftest', seed: 8, stream, options: { steps: 10_000_000, checkpointEvery: 1000 } }];

describe.skipIf(redisMissing)('Redis out of memory', () => {
  it('a run whose lease renewals are refused fails naming the refusal; the jobs of a cancelled run and of a given-up run are stopped within seconds', async () => {
    const redis = await startRedis();
    const worker = await startWorker(redis.url, ['--concurrency', '2']);
    // A: a lease of 20 s, cancelled while Redis is out of memory. B: given up after 1.5 s without a renewal.
    const a = await queue.createQueuePool({ connection: redis.url, unreachableMs: 20_000, pollMs: 250 });
    const b = await queue.createQueuePool({ connection: redis.url, unreachableMs: 1500, pollMs: 250 });
    const ac = new AbortController();
    const runA = outcome(a.run(long(0), { signal: ac.signal }));
    const runB = outcome(b.run(long(1)));
    try {
      await until('both tasks run', () => /stream 0, attempt 0/.test(worker.log()) && /stream 1, attempt 0/.test(worker.log()));
      expect(redisCli(redis.url, 'CONFIG', 'SET', 'maxmemory-policy', 'noeviction').trim()).toBe('OK');
      expect(redisCli(redis.url, 'CONFIG', 'SET', 'maxmemory', '1').trim()).toBe('OK');
      expect(redisCli(redis.url, 'SET', 'probe', '1')).toMatch(/OOM command not allowed/);
      const t0 = performance.now();

      const errB = await runB;
      expect(errB).toMatchObject({ code: 'E_WORKER' });
      // Before: "Redis has not answered for 2 s".
      expect((errB as Error).message).toMatch(/^queue pool: Redis has refused to renew the run's lease for \d+ s \(OOM command not allowed when used memory > 'maxmemory'\.?\); the run is abandoned\. Check the server \(its maxmemory/);

      ac.abort();
      expect(await runA).toMatchObject({ code: 'E_ABORTED' });
      // Before: neither was ever stopped (the worker's look at their leases was lost with its refused heartbeat).
      await until('the cancelled run\'s job is stopped', () => stopped(worker.log(), 0), 6000);
      await until('the given-up run\'s job is stopped', () => stopped(worker.log(), 1), 6000);
      console.log(`out of memory: both jobs stopped ${Math.round(performance.now() - t0)} ms after the limit was hit`);

      // Memory back: what the refused writes left behind is cleared up by the stalled check and the deleted leases.
      expect(redisCli(redis.url, 'CONFIG', 'SET', 'maxmemory', '0').trim()).toBe('OK');
      await until('every job is gone from the queue', () => queueEmpty(redis.url), 20_000);
      expect(worker.child.exitCode).toBe(null);
    } finally {
      await a.close();
      expect(await shutDown(b, worker, redis)).toEqual({ code: 0, signal: null });
    }
  }, 60_000);
});

/** The run's rejection, as a value (undefined if it resolved). */
function outcome(run: Promise<unknown>): Promise<unknown> {
  return run.then(() => undefined, (e: unknown) => e);
}

/** Whether the worker stopped the job of task stream `stream` (its job id is the one logged with that stream). */
function stopped(log: string, stream: number): boolean {
  const id = new RegExp(`job (\\S+): selftest stream ${stream}, attempt 0`).exec(log)?.[1];
  return id !== undefined && new RegExp(`job ${id.replace(/[-]/g, '\\-')}: (stopping: |failed: E_ABORTED)`).test(log);
}

// A run's lease (src/queue/lease.ts): a worker runs a job only while its run's caller holds the
// run's lease. A cancel that lands while Redis is unreachable waits briefly for Redis to withdraw
// the jobs; when Redis stays away longer, or the caller dies, the lease lapses and the workers drop
// the jobs then — the running one stopped, the waiting one never started. And a live run's jobs are
// not dropped across a Redis outage shorter than unreachableMs. Real redis-server (append-only file
// on, so the jobs survive its restart), real `bdl worker` processes.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { TaskDescription } from '../../src/index.js';
import type { SelftestResult } from '../../src/pool/selftest.js';
import { RunLeases, type LeaseLoss } from '../../src/queue/lease.js';
import { lib, queue, queueEmpty, redisCli, redisMissing, shutDown, startRedis, startWorker, until, watch } from './servers.js';

const queueJs = fileURLToPath(new URL('../../dist/queue.js', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Two tasks of minutes each: on one single-thread worker, the first runs and the second waits. */
const long: TaskDescription[] = [0, 1].map((stream) => ({ kind: 'selftest', seed: 3, stream, options: { steps: 10_000_000, checkpointEvery: 1000 } }));
const attempts = (log: string, stream: number) => log.match(new RegExp(`selftest stream ${stream}, attempt`, 'g'))?.length ?? 0;

/**
 * Starts `long` on `pool`, waits until the worker runs its first task, stops Redis, and cancels the
 * run once the connection is known lost: the run rejects with E_ABORTED.
 */
async function cancelWhileRedisDown(pool: { run: (t: TaskDescription[], o: { signal: AbortSignal }) => Promise<unknown> }, redis: { stop: () => Promise<unknown> }, worker: { log: () => string }): Promise<void> {
  const ac = new AbortController();
  const run = pool.run(long, { signal: ac.signal });
  run.catch(() => {});
  await until('the first task runs', () => attempts(worker.log(), 0) === 1);
  expect(await redis.stop()).toMatchObject({ code: 0 });
  // Past the clients' first reconnection attempt: the connection is known lost.
  await sleep(500);
  ac.abort();
  await expect(run).rejects.toMatchObject({ code: 'E_ABORTED' });
}

describe.skipIf(redisMissing)('a run whose caller cannot withdraw it', () => {
  it('cancelled while Redis is down, Redis back within the withdrawal wait: the cancel withdraws the jobs once it is back; the running job stops, the waiting one never runs', async () => {
    const redis = await startRedis({ appendonly: true });
    const worker = await startWorker(redis.url);
    const lines: string[] = [];
    const pool = await queue.createQueuePool({ connection: redis.url, log: (l) => lines.push(l) });
    try {
      await cancelWhileRedisDown(pool, redis, worker);
      const t0 = performance.now();
      const closed = pool.close();
      await sleep(1000);
      await redis.start();
      const back = performance.now();
      await closed;
      const closeMs = performance.now() - t0;
      await until('every job is gone from the queue', () => queueEmpty(redis.url), 20_000);
      const emptyMs = performance.now() - back;
      // The running task is stopped: by the published cancel, or (when that landed while the
      // worker's subscription was reconnecting) by the worker's next look at the run's mark.
      await until('the running task is stopped', () => /job \S+-0: failed: E_ABORTED/.test(worker.log()), 10_000);
      const stopMs = performance.now() - back;
      console.log(`cancel while Redis was down: close() took ${Math.round(closeMs)} ms (Redis back after 1000 ms); queue empty ${Math.round(emptyMs)} ms, running task stopped ${Math.round(stopMs)} ms after Redis was back`);
      // The waiting task never started, and neither ran again.
      expect(attempts(worker.log(), 0)).toBe(1);
      expect(attempts(worker.log(), 1)).toBe(0);
      expect(lines.join('\n')).toMatch(/^Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable: waiting up to 3 s for it to withdraw the cancelled run's 2 task\(s\)\.$/m);
      expect(lines.join('\n')).not.toMatch(/could not withdraw/);
      expect(closeMs).toBeLessThan(4000);
    } finally {
      expect(await shutDown(pool, worker, redis)).toEqual({ code: 0, signal: null });
    }
  }, 90_000);

  it('cancelled while Redis is down for longer than the wait: close() gives up after it; once Redis is back the worker drops the jobs on their lapsed lease, running none', async () => {
    const redis = await startRedis({ appendonly: true });
    const worker = await startWorker(redis.url);
    const lines: string[] = [];
    // A lease of 2 s + 3 × 250 ms after its last renewal: it lapses while Redis is away.
    const pool = await queue.createQueuePool({ connection: redis.url, unreachableMs: 2000, pollMs: 250, log: (l) => lines.push(l) });
    try {
      await cancelWhileRedisDown(pool, redis, worker);
      const t0 = performance.now();
      await pool.close();
      const closeMs = performance.now() - t0;
      // The worker computes on while Redis is away (it does not need Redis to); Redis comes back after the lease ran out.
      await sleep(1500);
      await redis.start();
      const back = performance.now();
      await until('the running job is stopped', () => /job \S+-0: stopping: its run's caller is gone \(its lease lapsed\)/.test(worker.log()), 20_000);
      const stopMs = performance.now() - back;
      await until('every job is gone from the queue', () => queueEmpty(redis.url), 20_000);
      const emptyMs = performance.now() - back;
      console.log(`cancel while Redis was down 4 s: close() took ${Math.round(closeMs)} ms; running job stopped ${Math.round(stopMs)} ms and queue empty ${Math.round(emptyMs)} ms after Redis was back`);
      expect(attempts(worker.log(), 0)).toBe(1);
      expect(attempts(worker.log(), 1)).toBe(0);
      expect(worker.log()).toMatch(/job \S+-1: not run: its run's caller is gone \(its lease lapsed\)/);
      expect(lines.join('\n')).toMatch(/could not withdraw the cancelled run's 2 task\(s\): Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable\. Workers drop them without running them once the run's lease lapses \(2\.8 s after its last renewal\)/);
      expect(closeMs).toBeLessThan(4500);
    } finally {
      expect(await shutDown(pool, worker, redis)).toEqual({ code: 0, signal: null });
    }
  }, 90_000);

  it('its caller killed (SIGKILL) mid-run: the worker stops the running job and drops the waiting one once the lease lapses', async () => {
    const redis = await startRedis();
    const worker = await startWorker(redis.url);
    // A caller as the command line is one, with a lease of 2 s + 3 × 250 ms.
    const script = `
      const { createQueuePool } = await import(${JSON.stringify(queueJs)});
      const pool = await createQueuePool({ connection: ${JSON.stringify(redis.url)}, unreachableMs: 2000, pollMs: 250 });
      await pool.run(${JSON.stringify(long)});
    `;
    const caller = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    const exit = watch(caller, 60_000);
    try {
      await until('the first task runs', () => attempts(worker.log(), 0) === 1);
      caller.kill('SIGKILL');
      expect(await exit).toEqual({ code: null, signal: 'SIGKILL' });
      const t0 = performance.now();
      await until('the running job is stopped', () => /job \S+-0: stopping: its run's caller is gone \(its lease lapsed\)/.test(worker.log()), 20_000);
      const stopMs = performance.now() - t0;
      await until('every job is gone from the queue', () => queueEmpty(redis.url), 20_000);
      const emptyMs = performance.now() - t0;
      console.log(`caller killed: running job stopped ${Math.round(stopMs)} ms and queue empty ${Math.round(emptyMs)} ms after the kill (lease 2750 ms)`);
      expect(worker.log()).toMatch(/job \S+-1: not run: its run's caller is gone \(its lease lapsed\)/);
      expect(attempts(worker.log(), 1)).toBe(0);
      // Not before the lease could have lapsed (its last renewal was at most 250 ms before the kill), and soon after.
      expect(stopMs).toBeGreaterThan(2000);
      expect(stopMs).toBeLessThan(8000);
    } finally {
      if (caller.exitCode === null && caller.signalCode === null) caller.kill('SIGKILL');
      const stopped = await worker.stop();
      await redis.dispose();
      expect(stopped).toEqual({ code: 0, signal: null });
    }
  }, 90_000);

  it('a live run across a Redis outage shorter than unreachableMs: its lease holds, no job is dropped, the results are the local pool\'s', async () => {
    const redis = await startRedis({ appendonly: true });
    const worker = await startWorker(redis.url);
    // A lease of 8 s + 3 × 250 ms (a lease as short as a few renewals would lapse in this outage);
    // Redis is away 2 s, plus its stop, its start and the clients' reconnection, which under load take seconds more.
    const pool = await queue.createQueuePool({ connection: redis.url, unreachableMs: 8000, pollMs: 250 });
    // The first task runs through the outage; the second waits behind it (one job at a time) and
    // needs no length of its own: short, so that the local reference below costs little.
    const tasks: TaskDescription[] = [300_000, 3_000].map((steps, stream) => ({ kind: 'selftest', seed: 5, stream, options: { steps, checkpointEvery: 1000 } }));
    try {
      let outage: Promise<void> | undefined;
      const r = await pool.run<SelftestResult>(tasks, {
        onProgress: () => {
          outage ??= (async () => {
            expect(await redis.stop()).toMatchObject({ code: 0 });
            await sleep(2000);
            await redis.start();
          })();
        },
      });
      await outage;
      expect(worker.log()).not.toMatch(/caller is gone|failed: E_ABORTED/);
      const local = await lib.createPool({ size: 0 });
      const expected = await local.run<SelftestResult>(tasks).finally(() => local.close());
      expect(r.map((x) => x.acc)).toEqual(expected.map((x) => x.acc));
      expect(r.map((x) => [...new Uint32Array(x.x.buffer)])).toEqual(expected.map((x) => [...new Uint32Array(x.x.buffer)]));
    } finally {
      expect(await shutDown(pool, worker, redis)).toEqual({ code: 0, signal: null });
    }
  }, 120_000);
});

describe.skipIf(redisMissing)('the caller side of a lease', () => {
  it('a lease Redis lost is given up at the next renewal, never re-created; one Redis stops answering for is given up after lapseMs, before it can lapse', async () => {
    const redis = await startRedis();
    const { Redis } = await import('ioredis');
    const conn = new Redis(redis.url, { maxRetriesPerRequest: null });
    conn.on('error', () => {});
    const lost: Array<{ id: string; why: LeaseLoss; at: number }> = [];
    const leases = new RunLeases(conn, (id) => `lease:${id}`, { renewMs: 250, lapseMs: 1000 }, (id, why) => lost.push({ id, why, at: performance.now() }));
    try {
      expect(leases.ttlMs).toBe(1750);
      await leases.take('a');
      await leases.take('b');
      expect(Number(redisCli(redis.url, 'pttl', 'lease:a'))).toBeGreaterThan(1000);
      redisCli(redis.url, 'del', 'lease:a');
      await until('lease a given up', () => lost.length === 1, 5000);
      expect(lost[0]).toMatchObject({ id: 'a', why: { kind: 'gone' } });
      // Renewed on: b stays, a is not brought back.
      await new Promise((r) => setTimeout(r, 600));
      expect(redisCli(redis.url, 'exists', 'lease:a').trim()).toBe('0');
      expect(Number(redisCli(redis.url, 'pttl', 'lease:b'))).toBeGreaterThan(1000);
      const stopped = performance.now();
      await redis.stop();
      await until('lease b given up', () => lost.length === 2, 5000);
      expect(lost[1]).toMatchObject({ id: 'b', why: { kind: 'unreachable' } });
      // Its last renewal was sent at most 250 ms before the stop, so the lease lives at least 1500 ms
      // past it: given up by then (lapseMs + one renewal period, plus a timer's slack), before it can lapse.
      expect(lost[1].at - stopped).toBeLessThan(1500);
      // And not before lapseMs had passed since that renewal.
      expect(lost[1].at - stopped).toBeGreaterThanOrEqual(750);
    } finally {
      leases.close();
      conn.disconnect();
      await redis.dispose();
    }
  }, 30_000);
});

// Redis's limits, met with typed errors: a run that waits longer than its keys' expiry keeps its data
// (the caller pushes the expiry back) while a job whose data is gone fails with a clear reason; a
// result larger than the server's proto-max-bulk-len fails once, naming both sizes; and a database
// index the server does not have is refused before any work, by the caller and by `bdl worker`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskDescription } from '../../src/index.js';
import type { SelftestResult } from '../../src/pool/selftest.js';
import { encodeData, sha256 } from '../../src/queue/codec.js';
import { startQueuePool } from '../../src/queue/pool.js';
import { lib, queue, redisCli, redisMissing, runBdl, startRedis, startWorker, type RedisServer, type WorkerProcess } from './servers.js';

const Q = 'limits';
const selftest = (options: Record<string, unknown>): TaskDescription[] => [{ kind: 'selftest', seed: 9, stream: 0, options }];
const dataOf = (v: number) => ({ w: new Float32Array(64).fill(v) });
const keyOf = (data: Record<string, Float32Array>) => `bdl:${Q}:data:${sha256(encodeData(data))}`;
const exists = (url: string, key: string) => redisCli(url, 'EXISTS', key).trim() === '1';

describe.skipIf(redisMissing)('queue limits', () => {
  let redis: RedisServer;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    redis = await startRedis();
    // Redis's smallest allowed bulk limit: a result of a few MB meets it.
    expect(redisCli(redis.url, 'CONFIG', 'SET', 'proto-max-bulk-len', '1mb').trim()).toBe('OK');
  }, 30_000);
  afterAll(async () => {
    const exit = await worker?.stop();
    await redis?.dispose();
    if (worker) expect(exit).toEqual({ code: 0, signal: null });
  }, 30_000);

  it('a run waiting past the key expiry keeps its data; a job whose data is gone fails with a typed reason, the worker serving on', async () => {
    const pool = await startQueuePool({ connection: redis.url, queue: Q }, { keyTtlS: 1 });
    try {
      const [kept, lost] = [dataOf(0.25), dataOf(-0.5)];
      const keptRun = pool.run<SelftestResult>(selftest({ steps: 50, size: 64 }), { data: kept });
      const lostRun = pool.run<SelftestResult>(selftest({ steps: 50, size: 64 }), { data: lost }).then(() => undefined, (e: unknown) => e);
      while (!exists(redis.url, keyOf(kept)) || !exists(redis.url, keyOf(lost))) await new Promise((r) => setTimeout(r, 20));
      // The other data gone, as if it had expired or been evicted.
      redisCli(redis.url, 'DEL', keyOf(lost));
      // No worker yet: the jobs wait for 2.5 expiries.
      await new Promise((r) => setTimeout(r, 2500));
      expect(exists(redis.url, keyOf(kept)), 'kept past its expiry while the run waits').toBe(true);
      worker = await startWorker(redis.url, ['--queue', Q]);
      const [r] = await keptRun;
      const local = await lib.createPool({ size: 0 });
      const [expected] = await local.run<SelftestResult>(selftest({ steps: 50, size: 64 }), { data: kept }).finally(() => local.close());
      expect(r.acc).toBe(expected.acc);
      const err = await lostRun;
      expect(err).toMatchObject({ code: 'E_WORKER', cause: { code: 'E_FORMAT' } });
      expect((err as Error).message).toMatch(/job\.data: expected the run's data stored under [0-9a-f]{12}…, found no such key: it expired or was never stored\. .*Run again from the caller\./);
      expect(worker.child.exitCode).toBe(null);
    } finally {
      await pool.close();
    }
    // Once the run is over the expiry is no longer pushed back.
    await new Promise((r) => setTimeout(r, 1500));
    expect(exists(redis.url, keyOf(dataOf(0.25)))).toBe(false);
  }, 30_000);

  it('a result over the server\'s proto-max-bulk-len fails once with E_MEMORY naming its size, the limit and what to do', async () => {
    worker ??= await startWorker(redis.url, ['--queue', Q]);
    const pool = await queue.createQueuePool({ connection: redis.url, queue: Q });
    try {
      // 300,000 float32: 1.2 MB of result, over the 1 MB limit.
      const t0 = performance.now();
      const err = await pool.run(selftest({ steps: 0, size: 300_000 })).then(() => undefined, (e: unknown) => e);
      console.log(`result too large: failed after ${Math.round(performance.now() - t0)} ms`);
      expect(err).toMatchObject({ code: 'E_WORKER', cause: { code: 'E_MEMORY' } });
      const message = (err as Error).message;
      expect(message).toContain('result: expected at most 1.00 MB (1048576 bytes: this Redis server\'s proto-max-bulk-len)');
      expect(message).toMatch(/found 1\.1\d MB \(12000\d\d bytes\)/);
      expect(message).toMatch(/fewer draws, or thin them.*run without --redis/);
      const log = worker.log();
      expect(log.match(/failed: E_MEMORY/g)).toHaveLength(1);
      expect(log).not.toMatch(/selftest stream 0, attempt [1-9]/);
    } finally {
      await pool.close();
    }
  }, 30_000);

  it('run data or a task description over the server\'s proto-max-bulk-len: the run fails at once with E_MEMORY naming its size and the limit, and the pool serves on', async () => {
    worker ??= await startWorker(redis.url, ['--queue', Q]);
    const pool = await queue.createQueuePool({ connection: redis.url, queue: Q });
    try {
      // Before: E_WORKER "could not add the run's jobs (ERR Protocol error: invalid bulk length)", the server having dropped the connection.
      const big = await pool.run(selftest({ steps: 1, size: 64 }), { data: { w: new Float32Array(300_000) } }).then(() => undefined, (e: unknown) => e);
      expect(big).toMatchObject({ code: 'E_MEMORY', argument: 'data' });
      expect((big as Error).message).toMatch(/^data: expected at most 1\.00 MB \(1048576 bytes: this Redis server's proto-max-bulk-len\), found 1\.1\d MB \(12000\d\d bytes\) of the run's data .*Raise proto-max-bulk-len on the Redis server/);
      const task: TaskDescription[] = [{ kind: 'selftest', seed: 9, stream: 0, options: { steps: 1, bulk: new Float32Array(300_000) } }];
      const wide = await pool.run(task).then(() => undefined, (e: unknown) => e);
      expect(wide).toMatchObject({ code: 'E_MEMORY', argument: 'tasks' });
      expect((wide as Error).message).toMatch(/found 1\.\d\d MB \(\d+ bytes\) for the largest task description/);
      const [r] = await pool.run<SelftestResult>(selftest({ steps: 5, size: 64 }));
      expect(r.acc).toBeTypeOf('number');
    } finally {
      await pool.close();
    }
  }, 30_000);

  it('a database index the server does not have: E_ARG naming it and the server\'s count, from the caller and from bdl worker', async () => {
    const url = `${redis.url}/99`;
    await expect(queue.createQueuePool({ connection: url })).rejects.toMatchObject({
      code: 'E_ARG', argument: 'connection', message: expect.stringMatching(/expected a database index the server has \(this server has 16 \(0 to 15\)\), found db 99 in redis:\/\/127\.0\.0\.1:\d+\/99/),
    });
    // One the server has is accepted.
    const ok = await queue.createQueuePool({ connection: `${redis.url}/3` });
    await ok.close();
    const r = await runBdl(process.cwd(), 20_000, 'worker', '--redis', url, '--concurrency', '1');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^bdl: connection: expected a database index the server has \(this server has 16 \(0 to 15\)\), found db 99 /m);
  }, 30_000);
});

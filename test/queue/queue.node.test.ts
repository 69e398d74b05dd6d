// The queue backend against the local pool, on a real Redis with real `bdl worker` processes:
// identical bits whatever the number of workers, poisoned jobs refused while the worker keeps
// serving, and cancellation that leaves no job behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool, TaskDescription } from '../../src/index.js';
import type { SelftestResult } from '../../src/pool/selftest.js';
import { jobCounts, lib, queue, redisMissing, startRedis, startWorker, VERSION, type RedisServer, type WorkerProcess } from './servers.js';

const x = Float32Array.from({ length: 24 }, (_, i) => i / 8 - 1.5);
const y = Float32Array.from(x, (v, i) => Math.sin(2 * v) + 0.1 * Math.cos(7 * i));
const data = lib.makeDataset({ data: x, cols: 1 }, y);
const forty = lib.makeDataset({ data: Float32Array.from({ length: 40 }, (_, i) => i / 13 - 1.5), cols: 1 }, Float32Array.from({ length: 40 }, (_, i) => Math.sin(i / 5) + 0.1 * Math.cos(7 * i)));
const spec = { inputs: 1, hidden: [6], outputs: 1, activation: 'tanh' as const, likelihood: 'gaussian' as const };

/** Members' weights and chains' draws as bytes: the bit-level fingerprint compared across backends. */
async function fingerprint(pool: Pool): Promise<{ members: number[][]; draws: number[][]; dropout: number[] }> {
  const ens = await lib.trainEnsemble(data, { members: 4, epochs: 4, batchSize: 8, seed: 5, pool });
  // MC dropout choosing its rate: 'dropout-fit' tasks (40 rows, half held out: 2 blocks per rate).
  const mcd = await lib.trainMcDropout(forty, { hidden: [6], validationFraction: 0.5, seed: 3, pool });
  const nuts = await lib.sampleChains(
    { type: 'bnn', spec, data, noiseVar: 0.05 },
    { chains: 4, warmup: 30, draws: 15, seed: 7, kernel: { type: 'nuts', maxTreeDepth: 4 }, checkpointEvery: 10, pool },
  );
  return {
    members: ens.source.members.map((m) => [...new Uint32Array(m.buffer, m.byteOffset, m.length)]),
    draws: nuts.draws!.map((d) => [...new Uint32Array(d.buffer, d.byteOffset, d.length * 2)]),
    dropout: [...mcd.toBytes()],
  };
}

const selftests = (n: number, options: Record<string, unknown> = {}): TaskDescription[] =>
  Array.from({ length: n }, (_, i) => ({ kind: 'selftest', seed: 11, stream: i, options: { steps: 40, ...options } }));

describe.skipIf(redisMissing)('queue backend (Redis, bdl worker processes)', () => {
  let redis: RedisServer;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    workers.push(await startWorker(redis.url));
  }, 90_000);
  afterAll(async () => {
    const exits = await Promise.all(workers.map((w) => w.stop()));
    await redis?.dispose();
    // SIGTERM is a clean stop: exit code 0.
    expect(exits).toEqual(workers.map(() => ({ code: 0, signal: null })));
  }, 60_000);

  it('gives the local pool\'s bits for a 4-member ensemble, 4-chain NUTS and MC dropout\'s rate choice with 1, 2 and 4 worker processes', async () => {
    const local = await lib.createPool({ size: 2 });
    const expected = await fingerprint(local).finally(() => local.close());
    for (const n of [1, 2, 4]) {
      while (workers.length < n) workers.push(...(await Promise.all(Array.from({ length: n - workers.length }, () => startWorker(redis.url)))));
      const pool = await queue.createQueuePool({ connection: redis.url });
      try {
        expect(pool.size).toBe(n);
        expect(await fingerprint(pool)).toEqual(expected);
      } finally {
        await pool.close();
      }
    }
    expect(await jobCounts(redis.url)).toMatchObject({ waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0 });
  }, 240_000);

  it('refuses poisoned jobs (unknown kind, malformed options, bad data hash, a user target not allowed) and keeps serving', async () => {
    const { Queue, QueueEvents } = await import('bullmq');
    const { Redis } = await import('ioredis');
    const conn = new Redis(redis.url, { maxRetriesPerRequest: null });
    const eventsConn = new Redis(redis.url, { maxRetriesPerRequest: null });
    const events = new QueueEvents('bdl', { connection: eventsConn });
    const q = new Queue('bdl', { connection: conn });
    await events.waitUntilReady();
    // Real data of a real run, and the same bytes stored under a hash they do not have.
    const bytes = Buffer.from([5, 0, 0, 0, 91, 93, 0, 0]);
    const { createHash } = await import('node:crypto');
    const good = createHash('sha256').update(bytes).digest('hex');
    const forged = 'f'.repeat(64);
    await conn.set(`bdl:bdl:data:${good}`, bytes);
    await conn.set(`bdl:bdl:data:${forged}`, bytes);
    // The run's lease, as a caller holds it: a worker drops the jobs of a run without one, unchecked.
    await conn.set('bdl:bdl:lease:poison', '1');
    const job = (task: unknown, hash = good) => ({ v: 1, version: VERSION, core: 'simd', run: 'poison', taskId: 0, task: JSON.stringify(task), data: hash });
    const st = { kind: 'selftest', seed: 1, stream: 0 };
    const cases: [string, unknown, RegExp][] = [
      ['unknown kind', job({ ...st, kind: 'rm -rf' }), /^E_ARG: refused: job: task\.kind: expected 'selftest' \|/],
      ['malformed option', job({ ...st, options: { steps: 'many' } }), /^E_ARG: refused: job: task\.options\.steps: expected an integer/],
      ['unknown option', job({ ...st, options: { eval: 'process.exit()' } }), /^E_ARG: refused: job: unknown option task\.options\.eval\./],
      ['bad spec', job({ kind: 'train-member', seed: 1, stream: 0, spec: { inputs: -1 }, options: {} }), /^E_ARG: refused: task\.spec\.inputs: expected a positive integer/],
      // About the workers, not the job: each live worker refuses it once before it fails.
      ['user target not allowed', job({ kind: 'chain', seed: 1, stream: 0, options: { target: { type: 'module', url: 'file:///tmp/evil.mjs' } } }), new RegExp(`^E_ARG: refused by every live worker \\(${workers.length}\\): worker \\S+: E_ARG: job\\.task\\.options\\.target\\.url: expected a module on this worker's allow-list`)],
      ['hash mismatch', job(st, forged), /^E_FORMAT: refused: job\.data: expected bytes hashing to ffffffffffff…, found bytes hashing to/],
      ['missing data', job(st, 'e'.repeat(64)), /^E_FORMAT: refused: job\.data: .*no such key: it expired or was never stored/],
      ['not a job', { hello: 'world' }, /^E_ARG: refused: job: data: expected \{ v: 1/],
    ];
    try {
      for (const [name, d, reason] of cases) {
        const added = await q.add('poison', d, { attempts: 3 });
        await expect(added.waitUntilFinished(events, 20_000), name).rejects.toThrow(reason);
        const after = await q.getJob(added.id!);
        expect(after!.attemptsMade, `${name}: never retried`).toBe(1);
        await after!.remove();
      }
      expect(workers.map((w) => w.log()).join('')).toMatch(/refused: E_ARG: job: task\.kind/);
      // Still serving: a real run completes, with the local pool's bits.
      const pool = await queue.createQueuePool({ connection: redis.url });
      const local = await lib.createPool({ size: 0 });
      try {
        const [a, b] = await Promise.all([pool.run<SelftestResult>(selftests(2)), local.run<SelftestResult>(selftests(2))]);
        expect(a.map((r) => r.acc)).toEqual(b.map((r) => r.acc));
      } finally {
        await Promise.all([pool.close(), local.close()]);
      }
      expect(workers.every((w) => w.child.exitCode === null)).toBe(true);
    } finally {
      await q.close();
      await events.close();
      await Promise.all([conn.quit(), eventsConn.quit()]);
    }
  }, 240_000);

  it('cancels: the AbortSignal rejects at once, running jobs stop, no job is left in the queue', async () => {
    const pool = await queue.createQueuePool({ connection: redis.url });
    try {
      const ac = new AbortController();
      const long = selftests(6, { steps: 10_000_000, checkpointEvery: 1000 });
      const run = pool.run(long, { signal: ac.signal, onProgress: () => ac.abort() });
      await expect(run).rejects.toMatchObject({ code: 'E_ABORTED' });
      // The workers are free again: a short run finishes (each worker runs one job at a time).
      const t0 = performance.now();
      await pool.run(selftests(workers.length, { steps: 3 }));
      expect(performance.now() - t0).toBeLessThan(20_000);
    } finally {
      await pool.close();
    }
    expect(await jobCounts(redis.url)).toMatchObject({ waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0, prioritized: 0 });
    expect(workers.map((w) => w.log()).join('')).toMatch(/failed: E_ABORTED/);
  }, 240_000);
});

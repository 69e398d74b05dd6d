// The compute core a job runs on. The two binaries give different bits (the relaxed one fuses
// multiply-adds), and which one a runtime takes by default differs: Node 20 validates relaxed SIMD
// only with a flag, Node 22 and browsers without. A fleet mixing them computed each job on whatever
// core its worker's runtime preferred, so the "same bits as the local pool" of a run depended on
// which worker took which task. A job now names its caller's core; a worker runs it on that core,
// and one whose runtime cannot (relaxed on Node 20 without the flag) hands it back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskDescription } from '../../src/index.js';
import type { SelftestResult } from '../../src/pool/selftest.js';
import { jobCounts, lib, queue, redisMissing, startRedis, startWorker, type RedisServer, type WorkerProcess } from './servers.js';

const x = Float32Array.from({ length: 24 }, (_, i) => i / 8 - 1.5);
const y = Float32Array.from(x, (v, i) => Math.sin(2 * v) + 0.1 * Math.cos(7 * i));
const data = lib.makeDataset({ data: x, cols: 1 }, y);
const bits = (ms: readonly Float32Array[]) => ms.map((m) => [...new Uint32Array(m.buffer, m.byteOffset, m.length)]);
/** A worker whose Node validates relaxed SIMD, as Node 22 does by default. */
const RELAXED = ['--experimental-wasm-relaxed-simd'];

describe.skipIf(redisMissing)('the compute core of a queue job', () => {
  let redis: RedisServer;
  let workers: WorkerProcess[] = [];
  beforeAll(async () => {
    redis = await startRedis();
  }, 30_000);
  afterAll(async () => {
    const exits = await Promise.all(workers.map((w) => w.stop()));
    await redis?.dispose();
    expect(exits).toEqual(workers.map(() => ({ code: 0, signal: null })));
  }, 30_000);

  it("a worker whose runtime prefers the relaxed core computes a plain-SIMD caller's tasks on the plain core: the local pool's bits", async () => {
    const relaxed = await startWorker(redis.url, [], RELAXED);
    workers.push(relaxed);
    expect(relaxed.log()).toMatch(/cores: relaxed, simd\n/);
    const pool = await queue.createQueuePool({ connection: redis.url });
    const local = await lib.createPool({ size: 1 });
    try {
      const [a, b] = await Promise.all([
        lib.trainEnsemble(data, { members: 2, epochs: 4, batchSize: 8, seed: 5, pool }),
        lib.trainEnsemble(data, { members: 2, epochs: 4, batchSize: 8, seed: 5, pool: local }),
      ]);
      // Before: the worker ran them on its relaxed core, and the members' weights differed in their last bits.
      expect(bits(a.source.members)).toEqual(bits(b.source.members));
    } finally {
      await Promise.all([pool.close(), local.close()]);
    }
  }, 60_000);

  it('a relaxed-core job: refused by a worker that cannot compute it (E_FORMAT naming both cores), run by one that can', async () => {
    const plain = await startWorker(redis.url);
    workers.push(plain);
    expect(plain.log()).toMatch(/cores: simd\n/);
    // The caller's core as createQueuePool reads it: its flavor (this process cannot compile the relaxed binary itself).
    const core = { flavor: 'relaxed' } as const;
    const tasks: TaskDescription[] = [0, 1, 2].map((stream) => ({ kind: 'selftest', seed: 2, stream, options: { steps: 50 } }));
    const pool = await queue.createQueuePool({ connection: redis.url, core });
    try {
      // Both workers live: every task runs, on the worker that has the relaxed core.
      const r = await pool.run<SelftestResult>(tasks);
      expect(r).toHaveLength(3);
      expect(workers[0].log()).toMatch(/selftest stream 2, attempt 0/);
      expect(plain.log()).not.toMatch(/selftest stream \d, attempt/);
      // The relaxed worker gone: no live worker can run it, and the run fails at once, typed.
      expect(await workers.shift()!.stop()).toEqual({ code: 0, signal: null });
      const err = await pool.run(tasks.slice(0, 1)).then(() => undefined, (e: unknown) => e);
      expect(err).toMatchObject({ code: 'E_WORKER', cause: { code: 'E_FORMAT' } });
      expect((err as Error).message).toMatch(/refused by every live worker \(1\): worker \S+: E_FORMAT: job\.core: expected a job computed with the 'simd' core .*found 'relaxed' \(the caller's core.*Node 22 or later, or node --experimental-wasm-relaxed-simd.*compileCore\('simd'\) \}\) \(the command line: --core simd\)/);
      expect(await jobCounts(redis.url)).toMatchObject({ waiting: 0, active: 0, delayed: 0, failed: 0 });
    } finally {
      await pool.close();
    }
  }, 60_000);
});

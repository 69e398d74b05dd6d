// Faults on the queue backend: a worker process SIGKILLed mid-chain (the chain resumes from its
// last checkpoint in Redis on the other worker, with the same draws as an uninterrupted local run),
// and Redis restarted mid-run with persistence on (the run completes or fails with a typed error).
import { describe, expect, it } from 'vitest';
import type { RestartEvent, TaskDescription } from '../../src/index.js';
import type { SelftestResult } from '../../src/pool/selftest.js';
import { lib, queue, redisCli, redisMissing, shutDown, startFaultWorker, startRedis, startWorker } from './servers.js';

const x = Float32Array.from({ length: 20 }, (_, i) => i / 7 - 1.4);
const y = Float32Array.from(x, (v) => Math.sin(2 * v));
const data = lib.makeDataset({ data: x, cols: 1 }, y);
const spec = { inputs: 1, hidden: [6], outputs: 1, activation: 'tanh' as const, likelihood: 'gaussian' as const };
const chainOptions = { chains: 1, warmup: 150, draws: 150, seed: 9, kernel: { type: 'nuts' as const, maxTreeDepth: 6 }, checkpointEvery: 20 };
const bitsOf = (a: Float64Array) => [...new Uint32Array(a.buffer, a.byteOffset, a.length * 2)];

describe.skipIf(redisMissing)('queue backend faults', () => {
  // A chain checkpoints incrementally (each checkpoint appends only the draws kept since the last), so the
  // resumed attempt must get every earlier piece back from Redis as resumeLog to end with the same bits:
  // after a SIGKILL (the queue retries the stalled job) and after a SIGTERM (the worker re-queues it).
  it.each(['SIGKILL', 'SIGTERM'] as const)('a worker stopped by %s mid-chain: the chain resumes from its checkpoint on the other worker, same draws as uninterrupted', async (signal) => {
    const redis = await startRedis();
    // Every checkpoint written (not coalesced to one a second), so the kill lands after one in Redis.
    const workers = await Promise.all([startWorker(redis.url, ['--checkpoint-ms', '0']), startWorker(redis.url, ['--checkpoint-ms', '0'])]);
    const pool = await queue.createQueuePool({ connection: redis.url });
    // Long enough that the chain is still running when the signal lands, on a loaded machine too.
    const opts = { ...chainOptions, draws: 3000 };
    try {
      const restarts: RestartEvent[] = [];
      let killed: Promise<unknown> | undefined;
      let victim = -1;
      const r = await lib.sampleChains({ type: 'bnn', spec, data, noiseVar: 0.05 }, {
        ...opts,
        pool,
        onRestart: (e) => restarts.push(e),
        onProgress: (p) => {
          // Past warmup, so the checkpoint it resumes from has draws in its log.
          if (killed !== undefined || p.iteration < opts.warmup + 50) return;
          victim = workers.findIndex((w) => w.log().includes('chain stream 0, attempt 0'));
          workers[victim].child.kill(signal);
          killed = workers[victim].exit;
        },
      });
      expect(await killed).toEqual(signal === 'SIGKILL' ? { code: null, signal: 'SIGKILL' } : { code: 0, signal: null });
      if (signal === 'SIGTERM') expect(workers[victim].log()).toMatch(/re-queued \(worker stopping\)/);
      expect(restarts).toHaveLength(1);
      expect(restarts[0].attempt).toBeGreaterThanOrEqual(1);
      const resumedAt = (restarts[0].checkpoint as { checkpoint: { iteration: number } }).checkpoint.iteration;
      expect(resumedAt).toBeGreaterThan(opts.warmup);
      expect(resumedAt).toBeLessThan(opts.warmup + opts.draws);
      const logged = /chain stream 0, attempt [1-9], from a checkpoint \((\d+) logged items\)/.exec(workers[1 - victim].log());
      expect(Number(logged?.[1])).toBeGreaterThan(0);
      const local = await lib.sampleChains({ type: 'bnn', spec, data, noiseVar: 0.05 }, { ...opts, poolSize: 1 });
      expect(bitsOf(r.draws![0])).toEqual(bitsOf(local.draws![0]));
      expect(bitsOf(r.results[0].logDensity)).toEqual(bitsOf(local.results[0].logDensity));
      expect(r.results[0].count).toBe(opts.draws);
      // Finished: its checkpoint and result keys are gone.
      expect(redisCli(redis.url, 'keys', 'bdl:*ckpt*').trim()).toBe('');
      // The caller drops a result's key once it has read it, without holding the run for that.
      for (let i = 0; i < 50 && redisCli(redis.url, 'keys', 'bdl:*result*').trim() !== ''; i++) await new Promise((r) => setTimeout(r, 100));
      expect(redisCli(redis.url, 'keys', 'bdl:*result*').trim()).toBe('');
    } finally {
      await pool.close();
      const exits = await Promise.all(workers.map((w) => (w.child.exitCode === null && w.child.signalCode === null ? w.stop() : w.exit)));
      await redis.dispose();
      expect(exits.filter((e) => e.code === 0)).toHaveLength(signal === 'SIGKILL' ? 1 : 2);
    }
  }, 240_000);

  // A worker thread (not the process) dies mid-chain: the job fails retryably, the worker replaces
  // the thread and resumes the job from its checkpoint and log, and keeps serving. The thread runs
  // the test-only entry, which ends the first attempt of every task by process.exit at step 200.
  it('a worker thread that dies mid-chain: the job is retried from its checkpoint on the same worker, same bits, and the worker keeps serving', async () => {
    const redis = await startRedis();
    const worker = await startFaultWorker(redis.url, chainOptions.warmup + 50);
    const pool = await queue.createQueuePool({ connection: redis.url });
    try {
      const restarts: RestartEvent[] = [];
      const r = await lib.sampleChains({ type: 'bnn', spec, data, noiseVar: 0.05 }, { ...chainOptions, pool, onRestart: (e) => restarts.push(e) });
      expect(worker.log()).toMatch(/chain stream 0, attempt 0\n.*its worker thread died \(exited with code 70\); retried/);
      const logged = /chain stream 0, attempt 1, from a checkpoint \((\d+) logged items\)/.exec(worker.log());
      expect(Number(logged?.[1])).toBeGreaterThan(0);
      expect(restarts.map((e) => e.attempt)).toEqual([1]);
      expect((restarts[0].checkpoint as { checkpoint: { iteration: number } }).checkpoint.iteration).toBeGreaterThan(chainOptions.warmup);
      const local = await lib.sampleChains({ type: 'bnn', spec, data, noiseVar: 0.05 }, { ...chainOptions, poolSize: 1 });
      expect(bitsOf(r.draws![0])).toEqual(bitsOf(local.draws![0]));
      expect(r.results[0].count).toBe(chainOptions.draws);
      // Still serving, on the replacement thread (each task's first attempt dies again, and is retried).
      const tasks: TaskDescription[] = [{ kind: 'selftest', seed: 2, stream: 0, options: { steps: 400, checkpointEvery: 100 } }];
      const [again] = await pool.run<SelftestResult>(tasks);
      const inThread = await lib.createPool({ size: 0 });
      const [expected] = await inThread.run<SelftestResult>(tasks).finally(() => inThread.close());
      expect(again.acc).toBe(expected.acc);
    } finally {
      expect(await shutDown(pool, worker, redis)).toEqual({ code: 0, signal: null });
    }
  }, 240_000);

  it('SIGTERM re-queues the running task: the worker exits 0 and another one finishes it from its checkpoint, same bits', async () => {
    const redis = await startRedis();
    const workers = await Promise.all([startWorker(redis.url), startWorker(redis.url)]);
    const pool = await queue.createQueuePool({ connection: redis.url });
    // Long enough that on a loaded machine the stop lands while the task runs (progress reaches the
    // caller only every 100 ms; a short task could end before the SIGTERM arrives).
    const tasks: TaskDescription[] = [{ kind: 'selftest', seed: 6, stream: 0, options: { steps: 100_000, checkpointEvery: 500 } }];
    try {
      const restarts: RestartEvent[] = [];
      let stopped: Promise<unknown> | undefined;
      let victim = -1;
      const [r] = await pool.run<SelftestResult>(tasks, {
        onRestart: (e) => restarts.push(e),
        onProgress: (e) => {
          if (stopped !== undefined || e.step < 1000) return;
          victim = workers.findIndex((w) => w.log().includes('selftest stream 0, attempt 0'));
          stopped = workers[victim].stop();
        },
      });
      expect(await stopped).toEqual({ code: 0, signal: null });
      expect(restarts.map((e) => e.attempt)).toEqual([1]);
      expect(workers[victim].log()).toMatch(/re-queued \(worker stopping\)/);
      expect(workers[1 - victim].log()).toMatch(/selftest stream 0, attempt 1, from a checkpoint/);
      const local = await lib.createPool({ size: 0 });
      const [expected] = await local.run<SelftestResult>(tasks).finally(() => local.close());
      expect(r.acc).toBe(expected.acc);
      expect([...new Uint32Array(r.x.buffer)]).toEqual([...new Uint32Array(expected.x.buffer)]);
    } finally {
      await pool.close();
      await Promise.all(workers.map((w) => (w.child.exitCode === null ? w.stop() : w.exit)));
      await redis.dispose();
    }
  }, 240_000);

  it('Redis restarted mid-run (append-only file on): the run completes with the same bits, or fails with a typed error — never hangs', async () => {
    const redis = await startRedis({ appendonly: true });
    const worker = await startWorker(redis.url);
    const pool = await queue.createQueuePool({ connection: redis.url, unreachableMs: 10_000, pollMs: 500 });
    const tasks: TaskDescription[] = Array.from({ length: 3 }, (_, i) => ({ kind: 'selftest', seed: 4, stream: i, options: { steps: 4000, checkpointEvery: 200 } }));
    try {
      let restarted: Promise<void> | undefined;
      const run = pool.run<SelftestResult>(tasks, {
        onProgress: () => {
          restarted ??= (async () => {
            expect(await redis.stop()).toMatchObject({ code: 0 });
            await new Promise((r) => setTimeout(r, 300));
            await redis.start();
          })();
        },
      });
      const deadline = new Promise<'hung'>((r) => setTimeout(() => r('hung'), 45_000).unref());
      const outcome = await Promise.race([run.then((v) => ({ ok: true as const, v }), (e) => ({ ok: false as const, e })), deadline]);
      await restarted;
      expect(outcome).not.toBe('hung');
      if (outcome !== 'hung' && outcome.ok) {
        const local = await lib.createPool({ size: 0 });
        const expected = await local.run<SelftestResult>(tasks).finally(() => local.close());
        expect(outcome.v.map((r) => r.acc)).toEqual(expected.map((r) => r.acc));
      } else if (outcome !== 'hung') {
        expect(outcome.e).toBeInstanceOf(lib.BdlError);
        expect(['E_WORKER', 'E_FORMAT']).toContain(outcome.e.code);
      }
      // The worker reconnected and still serves.
      const after = await pool.run<SelftestResult>(tasks.map((t) => ({ ...t, options: { steps: 5 } })));
      expect(after).toHaveLength(3);
    } finally {
      expect(await shutDown(pool, worker, redis)).toEqual({ code: 0, signal: null });
    }
  }, 240_000);
});

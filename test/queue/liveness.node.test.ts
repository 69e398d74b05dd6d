// Worker liveness by heartbeat (src/queue/liveness.ts). A worker frozen by SIGSTOP keeps its TCP
// connection open, as a dead machine's or a cut-off one's lingers, so Redis's client list goes on
// naming it: a caller then never noticed its queue had no live worker, and a cancel waited 15 s on
// the job it held. Its heartbeat stops with it: both are seen within the heartbeat's ttl (3 s). A
// killed process's connection closes at once, and a cancel sees that at once.
import { describe, expect, it } from 'vitest';
import type { TaskDescription } from '../../src/index.js';
import type { SelftestResult } from '../../src/pool/selftest.js';
import { startQueuePool } from '../../src/queue/pool.js';
import { lib, queue, queueEmpty, redisMissing, startRedis, startWorker, until, type WorkerProcess } from './servers.js';

const alive = (w: WorkerProcess) => w.child.exitCode === null && w.child.signalCode === null;

describe.skipIf(redisMissing)('which workers are alive', () => {
  it.each(['SIGSTOP', 'SIGKILL'] as const)('its only worker stopped by %s mid-run: the caller counts it out within the heartbeat ttl, and the run completes on a worker started then', async (signal) => {
    const redis = await startRedis();
    const first = await startWorker(redis.url);
    let gone = 0;
    let noticedAt = 0;
    // Counted every 200 ms, the notice at the second count that finds none.
    const pool = await startQueuePool({ connection: redis.url, pollMs: 200, log: (line) => {
      if (/no bdl worker/.test(line)) noticedAt ||= performance.now();
    } }, { workerCheckMs: 200, noWorkerNoticeMs: 1 });
    let second: WorkerProcess | undefined;
    const tasks: TaskDescription[] = [{ kind: 'selftest', seed: 3, stream: 0, options: { steps: 60_000, checkpointEvery: 500 } }];
    try {
      const run = pool.run<SelftestResult>(tasks, {
        onProgress: (e) => {
          if (gone > 0 || e.step < 2000) return;
          gone = performance.now();
          first.child.kill(signal);
        },
      });
      run.catch(() => {});
      await until('the caller notices it has no live worker', () => noticedAt > 0, 15_000);
      const after = noticedAt - gone;
      console.log(`${signal}: no-worker notice ${Math.round(after)} ms after the signal (heartbeat ttl 3000 ms, counted every 200 ms)`);
      expect(after).toBeLessThan(5000);
      // A frozen worker is not restarted here: it ends as a dead machine would.
      if (signal === 'SIGSTOP') first.child.kill('SIGKILL');
      second = await startWorker(redis.url);
      const [r] = await run;
      expect(second.log()).toMatch(/selftest stream 0, attempt 1\b/);
      const local = await lib.createPool({ size: 0 });
      const [expected] = await local.run<SelftestResult>(tasks).finally(() => local.close());
      expect(r.acc).toBe(expected.acc);
    } finally {
      await pool.close();
      if (alive(first)) first.child.kill('SIGKILL');
      await first.exit;
      const exit = await second?.stop();
      await redis.dispose();
      if (exit) expect(exit).toEqual({ code: 0, signal: null });
    }
  }, 90_000);

  it('a cancel whose only worker is frozen (SIGSTOP): the clean-up stops waiting on it within the heartbeat ttl (was 15 s); once thawed, the worker stops the job on the cancel and leaves nothing', async () => {
    const redis = await startRedis();
    // BullMQ's default lock (30 s; the last --lock-duration wins): the frozen worker's job stays
    // locked, so the clean-up cannot just remove it, and must judge its holder alive or not.
    const worker = await startWorker(redis.url, ['--lock-duration', '30000']);
    const pool = await queue.createQueuePool({ connection: redis.url });
    const long: TaskDescription[] = [{ kind: 'selftest', seed: 3, stream: 0, options: { steps: 10_000_000, checkpointEvery: 1000 } }];
    try {
      const ac = new AbortController();
      const run = pool.run(long, { signal: ac.signal });
      run.catch(() => {});
      await until('the task runs', () => /selftest stream 0, attempt 0/.test(worker.log()));
      worker.child.kill('SIGSTOP');
      const t0 = performance.now();
      ac.abort();
      await expect(run).rejects.toMatchObject({ code: 'E_ABORTED' });
      await pool.close();
      const closeMs = performance.now() - t0;
      console.log(`cancel with the only worker frozen: close() took ${Math.round(closeMs)} ms`);
      expect(closeMs).toBeLessThan(6000);
      worker.child.kill('SIGCONT');
      await until('the job is stopped and gone', () => queueEmpty(redis.url), 30_000);
      expect(worker.log()).toMatch(/job \S+-0: (failed: E_ABORTED|not run: its run was cancelled)/);
      expect(worker.log().match(/selftest stream 0, attempt/g)).toHaveLength(1);
    } finally {
      await pool.close();
      if (alive(worker)) worker.child.kill('SIGCONT');
      const exit = alive(worker) ? await worker.stop() : await worker.exit;
      await redis.dispose();
      expect(exit).toEqual({ code: 0, signal: null });
    }
  }, 90_000);
});

// Stopping without help: Ctrl-C on a caller whose only worker was SIGKILLed mid-run, Ctrl-C on a
// caller while Redis is down (it waits 3 s for Redis to withdraw its jobs, then leaves them to their
// lease: test/queue/leases.node.test.ts), and SIGTERM on `bdl worker` while Redis is down. Each exits
// within a few seconds (the dead worker's lock, or the lost server, used to hold them 15 s or for ever), and
// what can still be done in Redis is done: the run is marked cancelled, its jobs withdrawn, and a
// job no one could hand back is recovered by BullMQ's stalled check once Redis is back.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TaskDescription } from '../../src/index.js';
import { cli, jobCounts, queue, redisCli, redisMissing, startRedis, startWorker, until, watch, type Exit, type WorkerProcess } from './servers.js';

const dir = mkdtempSync(join(tmpdir(), 'bdl-queue-stops-'));
const rows = Array.from({ length: 40 }, (_, i) => `${(i / 10 - 2).toFixed(2)},${Math.sin(i / 5).toFixed(4)}`);
writeFileSync(join(dir, 'train.csv'), rows.filter((_, i) => i % 4 !== 0).join('\n'));
writeFileSync(join(dir, 'test.csv'), rows.filter((_, i) => i % 4 === 0).join('\n'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `bdl fit --method ensemble` on the queue, long enough to be running when it is stopped (two members: one runs, one waits). */
function longFit(url: string, extra: string[] = []): { child: ChildProcess; stderr: () => string; exit: Promise<Exit & { at: number }> } {
  const args = ['fit', '--method', 'ensemble', '--members', '2', '--epochs', '1000000', '--train', 'train.csv', '--test', 'test.csv', '--redis', url, ...extra];
  const child = spawn(process.execPath, [cli, ...args], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (b) => (stderr += b));
  return { child, stderr: () => stderr, exit: watch(child, 120_000).then((e) => ({ ...e, at: performance.now() })) };
}

const alive = (w: WorkerProcess) => w.child.exitCode === null && w.child.signalCode === null;

describe.skipIf(redisMissing)('stopping when a worker or Redis is gone', () => {
  it('Ctrl-C on bdl fit --redis after its only worker was SIGKILLed: exits 130 within 5 s (was 15 s), the run marked cancelled; a later worker fails the dead worker\'s job on the mark, never runs it, and removes it', async () => {
    const redis = await startRedis();
    // A lock of 10 s (the last --lock-duration wins): a dead worker's job stays locked well past the bound below.
    const workers: WorkerProcess[] = [await startWorker(redis.url, ['--lock-duration', '10000'])];
    const fit = longFit(redis.url);
    try {
      await until('the first member runs', () => /train-member stream \d, attempt 0/.test(workers[0].log()));
      workers[0].child.kill('SIGKILL');
      expect(await workers[0].exit).toEqual({ code: null, signal: 'SIGKILL' });
      const t0 = performance.now();
      fit.child.kill('SIGINT');
      const exit = await fit.exit;
      expect(exit.code, fit.stderr()).toBe(130);
      expect(fit.stderr()).toMatch(/bdl: cancelled/);
      console.log(`Ctrl-C after the only worker was SIGKILLed: exited after ${Math.round(exit.at - t0)} ms`);
      expect(exit.at - t0).toBeLessThan(5000);
      // Withdrawn: the mark is set and the waiting member is gone; the dead worker's member stays
      // active under its lock, for the mark to stop.
      expect(redisCli(redis.url, 'keys', 'bdl:bdl:cancel:*').trim()).not.toBe('');
      expect(await jobCounts(redis.url)).toMatchObject({ waiting: 0, active: 1, delayed: 0 });
      // A worker started later gets that job from its stalled check once the lock expired, and refuses to run it.
      workers.push(await startWorker(redis.url));
      await until('the job is failed on the mark and removed', async () => Object.values(await jobCounts(redis.url)).every((n) => n === 0), 30_000);
      expect(workers[1].log()).toMatch(/job \S+-0: not run: its run was cancelled/);
      expect(workers[1].log()).not.toMatch(/train-member stream \d, attempt/);
      expect(redisCli(redis.url, 'keys', 'bdl:*ckpt*').trim()).toBe('');
    } finally {
      if (fit.child.exitCode === null) fit.child.kill('SIGKILL');
      const exits = await Promise.all(workers.filter(alive).map((w) => w.stop()));
      await redis.dispose();
      expect(exits).toEqual(exits.map(() => ({ code: 0, signal: null })));
    }
  }, 120_000);

  /**
   * Ctrl-C on a `bdl fit --redis` (with `extra` flags) once its first member runs and Redis is then
   * stopped for good: its exit, its stderr, and the ms from the signal to the exit.
   */
  async function ctrlCWithRedisDown(extra: string[] = []): Promise<{ exit: Exit; stderr: string; ms: number }> {
    const redis = await startRedis();
    const worker = await startWorker(redis.url);
    const fit = longFit(redis.url, extra);
    try {
      await until('the first member runs', () => /train-member stream \d, attempt 0/.test(worker.log()));
      await redis.stop();
      // Past the clients' first reconnection attempt: the connection is known lost.
      await new Promise((r) => setTimeout(r, 500));
      const t0 = performance.now();
      fit.child.kill('SIGINT');
      const exit = await fit.exit;
      return { exit, stderr: fit.stderr(), ms: exit.at - t0 };
    } finally {
      if (fit.child.exitCode === null) fit.child.kill('SIGKILL');
      if (alive(worker)) worker.child.kill('SIGKILL');
      await worker.exit;
      await redis.dispose();
    }
  }

  it('Ctrl-C on bdl fit --redis while Redis stays down: exits 130 after its withdrawal wait (3 s; was 10 s), saying its tasks could not be withdrawn and that workers drop them when the lease lapses', async () => {
    const { exit, stderr, ms } = await ctrlCWithRedisDown();
    expect(exit.code, stderr).toBe(130);
    expect(stderr).toMatch(/bdl: Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable: waiting up to 3 s for it to withdraw the cancelled run's 2 task\(s\)\./);
    expect(stderr).toMatch(/bdl: could not withdraw the cancelled run's 2 task\(s\): Redis at redis:\/\/127\.0\.0\.1:\d+ is unreachable\. Workers drop them without running them once the run's lease lapses \(66 s after its last renewal\)/);
    expect(stderr).toMatch(/bdl: cancelled/);
    console.log(`Ctrl-C with Redis down: exited after ${Math.round(ms)} ms`);
    expect(ms).toBeGreaterThanOrEqual(2900);
    expect(ms).toBeLessThan(6000);
  }, 120_000);

  it('Ctrl-C on bdl fit --redis --withdraw-ms 0 while Redis is down: exits 130 at once, leaving the tasks to the lease', async () => {
    const { exit, stderr, ms } = await ctrlCWithRedisDown(['--withdraw-ms', '0']);
    expect(exit.code, stderr).toBe(130);
    expect(stderr).toMatch(/Workers drop them without running them once the run's lease lapses/);
    expect(stderr).not.toMatch(/waiting up to/);
    console.log(`Ctrl-C with Redis down, --withdraw-ms 0: exited after ${Math.round(ms)} ms`);
    expect(ms).toBeLessThan(2000);
  }, 120_000);

  it('SIGTERM on bdl worker while Redis is down: it stops its thread and exits 0 within its stop deadline (--stop-timeout 3000; was: never), saying the job was not handed back; once Redis is back, the stalled check gives the job to another worker', async () => {
    const redis = await startRedis({ appendonly: true });
    const worker = await startWorker(redis.url, ['--stop-timeout', '3000']);
    const pool = await queue.createQueuePool({ connection: redis.url });
    const tasks: TaskDescription[] = [{ kind: 'selftest', seed: 3, stream: 0, options: { steps: 10_000_000, checkpointEvery: 1000 } }];
    const run = pool.run(tasks);
    run.catch(() => {});
    let next: WorkerProcess | undefined;
    try {
      await until('the job runs', () => /selftest stream 0, attempt 0/.test(worker.log()));
      expect(await redis.stop()).toMatchObject({ code: 0 });
      const t0 = performance.now();
      worker.child.kill('SIGTERM');
      expect(await worker.exit).toEqual({ code: 0, signal: null });
      expect(performance.now() - t0).toBeLessThan(7000);
      expect(worker.log()).toMatch(/could not hand back 1 running job\(s\) \(\S+-0\) within 3 s: Redis at redis:\/\/127\.0\.0\.1:\d+ does not answer\. BullMQ's stalled check gives them to another worker once Redis is back/);
      expect(worker.log()).toMatch(/stopped\n$/);
      await redis.start();
      next = await startWorker(redis.url);
      await until('another worker takes the job back', () => /selftest stream 0, attempt 1/.test(next!.log()), 30_000);
    } finally {
      await pool.close();
      const exit = next === undefined ? undefined : await next.stop();
      await redis.dispose();
      if (exit) expect(exit).toEqual({ code: 0, signal: null });
    }
  }, 120_000);
});

// A fleet whose workers differ: a job one worker refuses for what that worker is (its allow-list)
// goes to another that can run it, and fails — listing every refusal — only when every live worker
// has refused it; and a caller whose only worker died says so (then carries on when one is back).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskDescription } from '../../src/index.js';
import type { SelftestResult } from '../../src/pool/selftest.js';
import { startQueuePool } from '../../src/queue/pool.js';
import { jobCounts, lib, queue, redisMissing, startRedis, startWorker, type RedisServer, type WorkerProcess } from './servers.js';

const dir = mkdtempSync(join(tmpdir(), 'bdl-queue-fleet-'));
const allowed = join(dir, 'allowed.mjs');
const elsewhere = join(dir, 'elsewhere.mjs');
const normal = `export const dim = 1;
export function logDensity(q, g) { g[0] = -q[0]; return -0.5 * q[0] * q[0]; }\n`;
writeFileSync(allowed, normal);
writeFileSync(elsewhere, normal);

/** The name a worker gave itself in its startup line (what its refusal records carry). */
const nameOf = (w: WorkerProcess) => /on queue \S+ at \S+ as (\S+);/.exec(w.log())?.[1];

describe.skipIf(redisMissing)('a fleet of differing workers', () => {
  let redis: RedisServer;
  let workers: WorkerProcess[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    // One worker may run the module, the other may not.
    workers = await Promise.all([startWorker(redis.url, ['--allow-target', allowed]), startWorker(redis.url)]);
  }, 60_000);
  afterAll(async () => {
    const exits = await Promise.all(workers.map((w) => w.stop()));
    await redis?.dispose();
    rmSync(dir, { recursive: true, force: true });
    expect(exits).toEqual(workers.map(() => ({ code: 0, signal: null })));
  }, 60_000);

  it('a worker whose allow-list lacks the target hands the job back; the worker that allows it runs every chain', async () => {
    const pool = await queue.createQueuePool({ connection: redis.url });
    try {
      const t0 = performance.now();
      const r = await lib.sampleChains({ type: 'module', url: pathToFileURL(allowed).href }, { chains: 6, warmup: 40, draws: 20, seed: 2, pool });
      const ms = performance.now() - t0;
      expect(r.draws).toHaveLength(6);
      const [taker, refuser] = workers;
      expect(refuser.log()).toMatch(/refused: E_ARG: job\.task\.options\.target\.url: .*; handed back (to the queue|in \d+ ms) for another worker \(1 live worker\(s\) have not refused it\)/);
      expect(taker.log()).toMatch(/chain stream 5, attempt 0\b/);
      // A hand-back is no restart: each chain ran once, from its start.
      expect(taker.log()).not.toMatch(/chain stream \d, attempt [1-9]/);
      console.log(`6 chains, one worker refusing: ${Math.round(ms)} ms`);
      expect(await jobCounts(redis.url)).toMatchObject({ waiting: 0, active: 0, delayed: 0, failed: 0 });
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('a target no live worker allows: the run fails with every worker\'s refusal, at once rather than after retries', async () => {
    const pool = await queue.createQueuePool({ connection: redis.url });
    try {
      const t0 = performance.now();
      const err = await lib.sampleChains({ type: 'module', url: pathToFileURL(elsewhere).href }, { chains: 1, warmup: 10, draws: 10, pool }).then(() => undefined, (e: unknown) => e);
      const ms = performance.now() - t0;
      // sampleChains reports the task's own code, the pool's error as its cause.
      expect(err).toMatchObject({ code: 'E_ARG', cause: { code: 'E_WORKER' } });
      const message = (err as Error).message;
      expect(message).toMatch(/refused by every live worker \(2\): /);
      for (const w of workers) expect(message).toContain(`worker ${nameOf(w)}: E_ARG: job.task.options.target.url: expected a module on this worker's allow-list`);
      console.log(`refused by both workers after ${Math.round(ms)} ms`);
      expect(ms).toBeLessThan(10_000);
      expect(await jobCounts(redis.url)).toMatchObject({ waiting: 0, active: 0, delayed: 0, failed: 0 });
    } finally {
      await pool.close();
    }
  }, 60_000);
});

describe.skipIf(redisMissing)('a caller left without workers', () => {
  it('its only worker killed mid-run: the caller says so within the grace period, and the run completes once a worker is back', async () => {
    const redis = await startRedis();
    const first = await startWorker(redis.url);
    const lines: string[] = [];
    let killedAt = 0;
    let noticedAt = 0;
    const pool = await startQueuePool({ connection: redis.url, pollMs: 200, log: (line) => {
      lines.push(line);
      if (/no bdl worker/.test(line)) noticedAt = performance.now();
    } }, { workerCheckMs: 200, noWorkerNoticeMs: 1000 });
    let second: WorkerProcess | undefined;
    const tasks: TaskDescription[] = [{ kind: 'selftest', seed: 3, stream: 0, options: { steps: 60_000, checkpointEvery: 500 } }];
    try {
      const run = pool.run<SelftestResult>(tasks, {
        onProgress: (e) => {
          if (killedAt > 0 || e.step < 2000) return;
          killedAt = performance.now();
          first.child.kill('SIGKILL');
        },
      });
      while (noticedAt === 0 && (killedAt === 0 || performance.now() - killedAt < 10_000)) await new Promise((r) => setTimeout(r, 50));
      expect(lines.join('\n')).toMatch(/^no bdl worker has been connected to queue bdl for \d+ s; 1 task\(s\) wait\. Start one/m);
      const after = noticedAt - killedAt;
      console.log(`notice ${Math.round(after)} ms after the kill (grace 1000 ms, checked every 200 ms)`);
      expect(after).toBeGreaterThanOrEqual(1000);
      expect(after).toBeLessThan(5000);
      second = await startWorker(redis.url);
      const [r] = await run;
      expect(lines.join('\n')).toMatch(/a bdl worker is connected to queue bdl again/);
      expect(second.log()).toMatch(/selftest stream 0, attempt 1\b/);
      const local = await lib.createPool({ size: 0 });
      const [expected] = await local.run<SelftestResult>(tasks).finally(() => local.close());
      expect(r.acc).toBe(expected.acc);
      // One notice for the whole absence, not one per check.
      expect(lines.filter((l) => /no bdl worker/.test(l))).toHaveLength(1);
    } finally {
      await pool.close();
      await second?.stop();
      await first.exit;
      await redis.dispose();
    }
  }, 60_000);
});

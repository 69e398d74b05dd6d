// What a worker runs is what the caller meant: a user --target module edited between two runs is
// imported afresh (never an old copy from a worker's module cache), a worker whose copy of the
// module differs from the caller's refuses the job, and a job from another bdl-wasm version is refused.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBdl, redisMissing, startRedis, startWorker, VERSION, type RedisServer, type WorkerProcess } from './servers.js';

const dir = mkdtempSync(join(tmpdir(), 'bdl-queue-versions-'));
const target = join(dir, 'shifted.mjs');
/** A standard normal in one dimension, centred on `mean`. */
const normalAt = (mean: number) => `export const dim = 1;
export function logDensity(q, g) { const d = q[0] - ${mean}; g[0] = -d; return -0.5 * d * d; }\n`;

const bdl = (...args: string[]) => runBdl(dir, 15_000, ...args);

/** Adds one raw job to the queue and resolves its failed reason (or 'completed'). */
async function rawJob(url: string, data: unknown): Promise<string> {
  const { Queue, QueueEvents } = await import('bullmq');
  const { Redis } = await import('ioredis');
  const conn = new Redis(url, { maxRetriesPerRequest: null });
  const eventsConn = new Redis(url, { maxRetriesPerRequest: null });
  const events = new QueueEvents('bdl', { connection: eventsConn });
  const q = new Queue('bdl', { connection: conn });
  try {
    await events.waitUntilReady();
    const job = await q.add('raw', data, { attempts: 2 });
    // Generous: under a full test run on two cores the refusal has been seen to take over 10 s; a hang still fails.
    const reason = await job.waitUntilFinished(events, 40_000).then(() => 'completed', (e: Error) => e.message);
    await (await q.getJob(job.id!))?.remove();
    return reason;
  } finally {
    await q.close();
    await events.close();
    await Promise.all([conn.quit(), eventsConn.quit()]);
  }
}

describe.skipIf(redisMissing)('what a worker runs', () => {
  let redis: RedisServer;
  let worker: WorkerProcess;
  beforeAll(async () => {
    writeFileSync(target, normalAt(0));
    redis = await startRedis();
    worker = await startWorker(redis.url, ['--allow-target', target]);
  }, 30_000);
  afterAll(async () => {
    const exit = await worker?.stop();
    await redis?.dispose();
    rmSync(dir, { recursive: true, force: true });
    expect(exit).toEqual({ code: 0, signal: null });
  }, 30_000);

  it('stops on SIGHUP as on SIGTERM (a closed terminal): running jobs back to the queue, exit 0', async () => {
    const other = await startWorker(redis.url);
    other.child.kill('SIGHUP');
    expect(await other.exit).toEqual({ code: 0, signal: null });
    expect(other.log()).toMatch(/stopping: running jobs go back to the queue[\s\S]*stopped/);
  }, 30_000);

  it('names its version in its startup line', () => {
    expect(worker.log()).toMatch(new RegExp(`worker: bdl-wasm ${VERSION.replace(/\./g, '\\.')}, 1 thread\\(s\\) on queue bdl`));
  });

  it('bdl sample --target, the module edited, run again: the draws come from the edited module', async () => {
    const run = async () => {
      const r = await bdl('sample', '--target', target, '--chains', '1', '--warmup', '60', '--draws', '40', '--seed', '1', '--redis', redis.url);
      expect(r.code, r.stderr).toBe(0);
      const draws = (JSON.parse(r.stdout).draws[0] as number[][]).map((d) => d[0]);
      return draws.reduce((a, b) => a + b, 0) / draws.length;
    };
    expect(Math.abs(await run())).toBeLessThan(3);
    writeFileSync(target, normalAt(50));
    expect(Math.abs((await run()) - 50)).toBeLessThan(3);
  }, 19_000);

  it("refuses a job whose module differs from the worker's copy, naming the file and both hashes", async () => {
    writeFileSync(target, normalAt(7));
    const mine = createHash('sha256').update(readFileSync(target)).digest('hex');
    const theirs = 'c'.repeat(64);
    const task = { kind: 'chain', seed: 1, stream: 0, options: { target: { type: 'module', url: `${pathToFileURL(target).href}?sha256=${theirs}` }, warmup: 10, draws: 10 } };
    const reason = await rawJob(redis.url, { v: 1, version: VERSION, core: 'simd', run: 'pin', taskId: 0, task: JSON.stringify(task), data: 'e'.repeat(64) });
    // Refused by the only live worker: about that worker's copy, so it would have gone to another worker.
    expect(reason).toMatch(/^E_ARG: refused by every live worker \(1\): worker \S+: E_ARG: job\.task\.options\.target\.url: /);
    expect(reason).toContain(target);
    expect(reason).toContain(theirs);
    expect(reason).toContain(mine);
    expect(reason).toContain("the worker's copy differs from the caller's");
  }, 15_000);

  it('refuses a job from another bdl-wasm version, naming both versions', async () => {
    const task = { kind: 'selftest', seed: 1, stream: 0 };
    const reason = await rawJob(redis.url, { v: 1, version: '0.0.0-elsewhere', core: 'simd', run: 'ver', taskId: 0, task: JSON.stringify(task), data: 'e'.repeat(64) });
    expect(reason).toMatch(/^E_FORMAT: refused by every live worker \(1\): worker \S+: E_FORMAT: job\.version: /);
    expect(reason).toContain(`bdl-wasm ${VERSION} (this worker's version)`);
    expect(reason).toContain("bdl-wasm 0.0.0-elsewhere (the caller's version)");
    expect(worker.child.exitCode).toBe(null);
  }, 15_000);
});

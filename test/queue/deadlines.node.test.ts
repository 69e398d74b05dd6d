// Deadlines on a bad or lost Redis: a caller whose Redis dies mid-run reports E_WORKER and exits
// within about unreachableMs (its cancel and close never wait on a dead server), and `bdl worker`
// refuses an unreachable server or a wrong password within its startup deadline, exiting 1.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cli, redisMissing, startRedis, watch } from './servers.js';

const queueJs = fileURLToPath(new URL('../../dist/queue.js', import.meta.url));

/** Runs `node args` with a deadline; its exit, stdout and stderr, and how long it took. */
async function node(args: string[], deadlineMs: number, onOut?: (text: string) => void) {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b) => ((stdout += b), onOut?.(stdout)));
  child.stderr!.on('data', (b) => (stderr += b));
  const exit = await watch(child, deadlineMs);
  return { ...exit, stdout, stderr, ms: performance.now() - t0 };
}

describe.skipIf(redisMissing)('queue deadlines', () => {
  it('Redis dies mid-run: the run fails with E_WORKER, close() returns and the process exits within about unreachableMs', async () => {
    const redis = await startRedis();
    // A caller as the command line is one: run, report, close the pool, let the process end by itself.
    const script = `
      const { createQueuePool } = await import(${JSON.stringify(queueJs)});
      const pool = await createQueuePool({ connection: ${JSON.stringify(redis.url)}, unreachableMs: 2000, pollMs: 250 });
      const run = pool.run([{ kind: 'selftest', seed: 1, stream: 0, options: { steps: 3 } }]);
      setTimeout(() => console.log('queued'), 500);
      try { await run; console.log('resolved'); } catch (e) { console.log('rejected ' + e.code + ' at ' + Date.now()); }
      await pool.close();
      console.log('closed at ' + Date.now());
    `;
    let stopped: Promise<unknown> | undefined;
    try {
      // No worker: the job waits; then Redis goes away for good.
      const r = await node(['--input-type=module', '-e', script], 18_000, (out) => {
        if (stopped === undefined && out.includes('queued')) stopped = redis.stop();
      });
      expect(r.stdout, r.stderr).toMatch(/rejected E_WORKER/);
      const [rejected, closed] = [/rejected E_WORKER at (\d+)/, /closed at (\d+)/].map((re) => Number(re.exec(r.stdout)?.[1]));
      expect(closed - rejected, r.stdout).toBeLessThan(8000);
      expect(r.signal, 'exited by itself').toBe(null);
      expect(r.code).toBe(0);
      expect(r.ms).toBeLessThan(15_000);
    } finally {
      await stopped;
      await redis.dispose();
    }
  }, 25_000);

  it('bdl worker on an unreachable Redis or with a wrong password: E_WORKER, the URL without its password, exit 1 within the startup deadline', async () => {
    const redis = await startRedis({ requirepass: 'right-one' });
    const port = new URL(redis.url).port;
    try {
      const [unreachable, wrong] = await Promise.all([
        node([cli, 'worker', '--redis', 'redis://:hidden-pw@127.0.0.1:1', '--concurrency', '1'], 19_000),
        node([cli, 'worker', '--redis', `redis://:wrong-pw@127.0.0.1:${port}`, '--concurrency', '1'], 19_000),
      ]);
      for (const r of [unreachable, wrong]) {
        expect(r, r.stderr).toMatchObject({ code: 1, signal: null });
        expect(r.stderr).toMatch(/^bdl: bdl worker: cannot (reach|use) Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+/m);
        expect(r.stderr).not.toMatch(/hidden-pw|wrong-pw|ReplyError/);
        expect(r.ms).toBeLessThan(16_000);
      }
      expect(unreachable.stderr).toMatch(/no answer within 10 s/);
      expect(wrong.stderr).toMatch(/WRONGPASS|invalid password|NOAUTH/i);
    } finally {
      await redis.dispose();
    }
  }, 25_000);
});

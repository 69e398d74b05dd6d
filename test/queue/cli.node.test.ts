// The command line with --redis: `bdl fit`, `bdl sample --chains 64` and `bdl compare` give the
// same output as without it for the same seed (timings aside), their tasks run by `bdl worker`
// processes; `bdl sample`'s user target runs only because the workers allow-list it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBdl, runBdlOn, jobCounts, redisMissing, startRedis, startWorker, type RedisServer, type WorkerProcess } from './servers.js';

const dir = mkdtempSync(join(tmpdir(), 'bdl-queue-cli-'));
const target = join(dir, 'normal.mjs');
writeFileSync(target, `export const dim = 2;
export function logDensity(q, g) { let s = 0; for (let i = 0; i < 2; i++) { const d = q[i] - i; g[i] = -d; s -= 0.5 * d * d; } return s; }\n`);
const rows = Array.from({ length: 40 }, (_, i) => `${(i / 10 - 2).toFixed(2)},${Math.sin(i / 5).toFixed(4)}`);
writeFileSync(join(dir, 'train.csv'), rows.filter((_, i) => i % 4 !== 0).join('\n'));
writeFileSync(join(dir, 'test.csv'), rows.filter((_, i) => i % 4 === 0).join('\n'));

/** Runs `bdl ...args` with a deadline; resolves its exit, stdout and stderr. */
const bdl = (...args: string[]) => runBdl(dir, 240_000, ...args);

/** JSON without wall-clock fields. */
const timeless = (text: string) => JSON.parse(text, (k, v) => (/seconds|timings/i.test(k) ? undefined : v));

describe.skipIf(redisMissing)('the command line with --redis', () => {
  let redis: RedisServer;
  let workers: WorkerProcess[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    workers = await Promise.all([0, 1].map(() => startWorker(redis.url, ['--allow-target', target])));
  }, 90_000);
  afterAll(async () => {
    const exits = await Promise.all(workers.map((w) => w.stop()));
    await redis?.dispose();
    expect(exits).toEqual(workers.map(() => ({ code: 0, signal: null })));
  }, 60_000);

  it('bdl sample --chains 64 and bdl fit: the same JSON as the local pool', async () => {
    const sample = ['sample', '--target', target, '--chains', '64', '--warmup', '40', '--draws', '20', '--seed', '3'];
    const fit = ['fit', '--method', 'ensemble', '--train', 'train.csv', '--test', 'test.csv', '--members', '3', '--epochs', '20', '--hidden', '8', '--seed', '2'];
    const [qs, ls, qf, lf] = await Promise.all([
      bdl(...sample, '--redis', redis.url, '--out', 'q.json'),
      bdl(...sample, '--out', 'l.json'),
      bdl(...fit, '--redis', redis.url),
      bdl(...fit),
    ]);
    for (const r of [qs, ls, qf, lf]) expect(r.code, r.stderr).toBe(0);
    const q = timeless(readFileSync(join(dir, 'q.json'), 'utf8'));
    expect(q.draws).toHaveLength(64);
    expect(q).toEqual(timeless(readFileSync(join(dir, 'l.json'), 'utf8')));
    expect(timeless(qf.stdout)).toEqual(timeless(lf.stdout));
    expect(workers.map((w) => w.log()).join('')).toMatch(/chain stream 63/);
    expect(workers.map((w) => w.log()).join('')).toMatch(/train-member stream 2/);
  }, 240_000);

  it("--core simd: a caller whose runtime takes the relaxed core runs on plain-SIMD workers with the local pool's bits; without it, the run ends naming --core", async () => {
    // The workers here validate plain SIMD only (Node 20 without its flag); the caller validates relaxed SIMD, as Node 22 does.
    const relaxed = (...args: string[]) => runBdlOn(['--experimental-wasm-relaxed-simd'], dir, 120_000, ...args);
    const fit = ['fit', '--method', 'ensemble', '--train', 'train.csv', '--test', 'test.csv', '--members', '2', '--epochs', '5', '--hidden', '8', '--activation', 'tanh', '--seed', '4'];
    const [refused, queued, local] = await Promise.all([relaxed(...fit, '--redis', redis.url), relaxed(...fit, '--redis', redis.url, '--core', 'simd'), bdl(...fit, '--core', 'simd')]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/E_FORMAT: job\.core: .*found 'relaxed'.*--core simd/);
    for (const r of [queued, local]) expect(r.code, r.stderr).toBe(0);
    // The caller's own work (the members' predictions) is on the plain core too: the same bits as a plain-SIMD runtime's.
    expect(timeless(queued.stdout)).toEqual(timeless(local.stdout));
    expect(await jobCounts(redis.url)).toMatchObject({ waiting: 0, active: 0, delayed: 0, failed: 0 });
  }, 120_000);

  it('--queue NAME: the tasks go to the workers serving that queue', async () => {
    const other = await startWorker(redis.url, ['--queue', 'night', '--allow-target', target]);
    try {
      const r = await bdl('sample', '--target', target, '--chains', '2', '--warmup', '20', '--draws', '10', '--seed', '1', '--redis', redis.url, '--queue', 'night');
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).draws).toHaveLength(2);
      expect(other.log()).toMatch(/chain stream 1, attempt 0/);
      expect(workers.map((w) => w.log()).join('')).not.toMatch(/night/);
    } finally {
      expect(await other.stop()).toEqual({ code: 0, signal: null });
    }
  }, 60_000);

  it('bdl compare --redis: the same results.json (timings aside) as without', async () => {
    // NUTS: its chains are pool tasks (the ensemble's members are covered by bdl fit above).
    const args = ['compare', '--dataset', 'toy-gap', '--methods', 'nuts', '--seed', '1'];
    const [q, l] = await Promise.all([bdl(...args, '--redis', redis.url, '--out', 'cq'), bdl(...args, '--out', 'cl')]);
    for (const r of [q, l]) expect(r.code, r.stderr).toBe(0);
    const suites = (d: string) => timeless(readFileSync(join(dir, d, 'results.json'), 'utf8')).suites;
    expect(suites('cq')).toEqual(suites('cl'));
    expect(workers.map((w) => w.log()).join('')).toMatch(/chain stream 1/);
    expect(await jobCounts(redis.url)).toMatchObject({ waiting: 0, active: 0, completed: 0, failed: 0 });
  }, 240_000);
});

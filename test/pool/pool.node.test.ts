// Node-only pool behaviour: the message-based paths (no shared memory), a worker that exits, and a
// process that must end promptly after close().
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import type { Pool, RestartEvent } from '../../src/index.js';
import type { SelftestResult } from '../../src/pool/selftest.js';
import { faulty } from './faults.js';
import { bits, faultPool, lib, selftests } from './lib.js';

const open: Pool[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

describe('pool (Node)', () => {
  it('without shared memory: copies data, cancels by message, same results', async () => {
    const w = new Float32Array(1024).map((_, i) => Math.cos(i) / 4);
    const tasks = selftests(3);
    const p = await lib.createPool({ size: 2, shared: false });
    const s = await lib.createPool({ size: 2 });
    open.push(p, s);
    expect([p.shared, s.shared]).toEqual([false, true]);
    expect(bits(await p.run<SelftestResult>(tasks, { data: { w } }))).toEqual(bits(await s.run<SelftestResult>(tasks, { data: { w } })));
    const ac = new AbortController();
    let abortedAt = 0;
    const run = p.run(selftests(2, { steps: 1_000_000 }), {
      signal: ac.signal,
      onProgress: () => {
        if (abortedAt === 0) {
          abortedAt = performance.now();
          ac.abort();
        }
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'E_ABORTED' });
    expect(performance.now() - abortedAt).toBeLessThan(100);
    const t0 = performance.now();
    await p.run(selftests(2, { steps: 3 }));
    expect(performance.now() - t0).toBeLessThan(1000); // the workers did stop at their next check
  });

  it('restarts the task of a worker that exited (process.exit in the worker)', async () => {
    const tasks = selftests(2, { steps: 80, checkpointEvery: 9 });
    const p0 = await lib.createPool({ size: 0 });
    const p = await faultPool(1);
    open.push(p0, p);
    const crashing = [tasks[0], faulty(tasks[1], { crashAt: 40, crash: 'exit' })];
    const restarts: RestartEvent[] = [];
    const got = await p.run<SelftestResult>(crashing, { onRestart: (e) => restarts.push(e) });
    expect(bits(got)).toEqual(bits(await p0.run<SelftestResult>(tasks)));
    expect(restarts).toHaveLength(1);
    expect(restarts[0].reason).toMatch(/exit/);
    expect((restarts[0].checkpoint as { step: number }).step).toBe(36);
  });

  it.each([
    // CommonJS: no import.meta.url to find the worker by (a TypeError before).
    ['cjs', /^E_WORKER workerUrl .*no import\.meta\.url.*--packages=external.*--format=esm.*workerUrl/],
    // ES modules without the worker entry: the advice was to run `npm run build`, which is this repository's.
    ['esm', /^E_WORKER workerUrl worker script: expected file:.*\/worker\.js, found no such file\. .*worker=bdl-wasm\/worker --bundle --platform=node --format=esm.*--packages=external.*createPool\(\{ workerUrl \}\)/],
  ] as const)('in an esbuild %s bundle for Node without the worker, createPool is E_WORKER naming the ways out', async (format, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'bdl-bundle-'));
    try {
      const dist = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
      const entry = `import { createPool } from ${JSON.stringify(dist)};
        createPool({ size: 1 }).then(() => console.log('started'), (e) => console.log(e.code, e.argument, e.message));`;
      const out = join(dir, `app.${format === 'cjs' ? 'cjs' : 'mjs'}`);
      await build({ stdin: { contents: entry, resolveDir: dir, loader: 'js' }, bundle: true, platform: 'node', format, outfile: out, logLevel: 'silent' });
      const r = spawnSync(process.execPath, [out], { encoding: 'utf8', timeout: 20_000 });
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(message);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails a task with E_WORKER once its workers keep dying', async () => {
    const p = await faultPool(1, { maxRestarts: 0 });
    open.push(p);
    const [out] = await p.runSettled([faulty({ kind: 'selftest', seed: 1, stream: 0, options: { steps: 20 } }, { crashAt: 5 })]);
    expect(out.ok).toBe(false);
    expect(!out.ok && out.error).toMatchObject({ code: 'E_WORKER', argument: 'tasks[0]' });
    expect(!out.ok && out.error.message).toMatch(/died 1 times/);
  });

  it('leaves nothing keeping Node alive after close(), even when closed mid-run', () => {
    const dist = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
    const script = `
      import { createPool } from ${JSON.stringify(dist)};
      const pool = await createPool({ size: 2 });
      const r = await pool.run([0, 1, 2].map((s) => ({ kind: 'selftest', seed: 3, stream: s, options: { steps: 20 } })));
      if (r.length !== 3) process.exit(3);
      const ac = new AbortController();
      const busy = pool.run([{ kind: 'selftest', seed: 1, stream: 0, options: { steps: 1e9 } }], { signal: ac.signal }).catch((e) => e.code);
      setTimeout(() => ac.abort(), 30);
      if ((await busy) !== 'E_ABORTED') process.exit(4);
      const inflight = pool.run([{ kind: 'selftest', seed: 1, stream: 0, options: { steps: 1e9 } }]).catch((e) => e.code);
      await new Promise((r) => setTimeout(r, 30));
      await pool.close();
      if ((await inflight) !== 'E_CLOSED') process.exit(5);
      globalThis.t0 = Date.now();
      process.on('exit', () => console.log('exit-after-close-ms', Date.now() - globalThis.t0));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const ms = Number(/exit-after-close-ms (\d+)/.exec(r.stdout)?.[1]);
    expect(ms).toBeLessThan(500);
  });

  it('does not keep Node alive while idle, only while running', () => {
    const dist = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
    const script = `
      import { createPool } from ${JSON.stringify(dist)};
      const pool = await createPool({ size: 2 });
      pool.run([{ kind: 'selftest', seed: 1, stream: 0, options: { steps: 30 } }]).then((r) => console.log('done', r.length));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('done 1');
  });
});

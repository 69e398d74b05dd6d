import { afterEach, describe, expect, it } from 'vitest';
import type { Pool, ProgressEvent, RestartEvent } from '../../src/index.js';
import type { SelftestResult } from '../../src/pool/selftest.js';
import { faulty } from './faults.js';
import { bits, faultPool, lib, selftests } from './lib.js';

const open: Pool[] = [];
async function pool(size: number, faults = false): Promise<Pool> {
  const p = await (faults ? faultPool(size) : lib.createPool({ size }));
  open.push(p);
  return p;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

async function rejection(p: Promise<unknown>): Promise<{ code?: string; message: string; argument?: string }> {
  try {
    await p;
  } catch (e) {
    return e as { code?: string; message: string };
  }
  throw new Error('expected a rejection');
}

describe('pool', () => {
  it('shares data through SharedArrayBuffer exactly where the runtime allows it', async () => {
    const p = await pool(1);
    const isNode = typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node === 'string' && typeof document === 'undefined';
    expect(p.shared).toBe(isNode || globalThis.crossOriginIsolated === true);
  });

  it('gives bit-identical results on pools of size 0, 1, 2 and 4', async () => {
    const tasks = selftests(4, { checkpointEvery: 7 });
    const w = new Float32Array(1024).map((_, i) => Math.sin(i) / 3);
    const got: number[][][] = [];
    for (const size of [0, 1, 2, 4]) {
      const p = await pool(size);
      got.push(bits(await p.run<SelftestResult>(tasks, { data: { w } })));
    }
    for (const g of got.slice(1)) expect(g).toEqual(got[0]);
    // The tasks differ from each other and the data matters: the comparison can fail.
    expect(got[0][0]).not.toEqual(got[0][1]);
    const p = await pool(2);
    expect(bits(await p.run<SelftestResult>(tasks))).not.toEqual(got[0]);
    expect(w[1]).toBe(Math.fround(Math.sin(1) / 3)); // the caller's data is untouched
  });

  it('returns results as transferable copies, not views of wasm memory', async () => {
    const p = await pool(1);
    const [r] = await p.run<SelftestResult>(selftests(1, { steps: 3 }));
    expect(r.x).toBeInstanceOf(Float32Array);
    expect(r.x.byteOffset).toBe(0);
    expect(r.x.buffer.byteLength).toBe(r.x.byteLength);
  });

  it('reports throttled progress, at least 100 ms apart per task, and always the last step', async () => {
    for (const size of [0, 2]) {
      const p = await pool(size);
      const events: (ProgressEvent & { at: number })[] = [];
      await p.run(selftests(2, { steps: 400 }), { onProgress: (e) => events.push({ ...e, at: performance.now() }) });
      for (const id of [0, 1]) {
        const mine = events.filter((e) => e.taskId === id);
        expect(mine.length).toBeGreaterThan(0);
        expect(mine[0].total).toBe(400);
        expect(typeof (mine[0].payload as { acc: number }).acc).toBe('number');
        // The final step is never throttled away (a progress bar ends at 100 %).
        const last = mine[mine.length - 1];
        expect(last.step).toBe(last.total);
        // The pool spaces reports ≥ 100 ms by its own clock read; this callback's read can lag it by
        // scheduling jitter (a GC pause) on a loaded machine, hence the 10 ms of slack.
        for (let i = 1; i < mine.length - 1; i++) {
          expect(mine[i].at - mine[i - 1].at).toBeGreaterThanOrEqual(90);
          expect(mine[i].step).toBeGreaterThan(mine[i - 1].step);
        }
      }
    }
  });

  it('cancels a run with E_ABORTED promptly and stays usable', async () => {
    for (const size of [0, 2]) {
      const p = await pool(size);
      const ac = new AbortController();
      let abortedAt = 0;
      const run = p.run(selftests(3, { steps: 1_000_000 }), {
        signal: ac.signal,
        onProgress: (e) => {
          if (e.step > 5 && abortedAt === 0) {
            abortedAt = performance.now();
            ac.abort();
          }
        },
      });
      const err = await rejection(run);
      expect(err.code).toBe('E_ABORTED');
      expect(performance.now() - abortedAt).toBeLessThan(100);
      // Still usable, and the next run is not held up by the cancelled tasks.
      const t0 = performance.now();
      const again = await p.run<SelftestResult>(selftests(2, { steps: 5 }));
      expect(again).toHaveLength(2);
      expect(performance.now() - t0).toBeLessThan(2000);
      expect((await rejection(p.run(selftests(1), { signal: ac.signal }))).code).toBe('E_ABORTED');
    }
  });

  it('reports a throwing task as E_WORKER with its id and message; the others finish', async () => {
    for (const size of [0, 2]) {
      const p = await pool(size, true);
      const tasks = selftests(4);
      tasks[2] = faulty({ ...tasks[2], options: { steps: 60 } }, { throwAt: 13 });
      const settled = await p.runSettled<SelftestResult>(tasks);
      expect(settled.map((o) => o.ok)).toEqual([true, true, false, true]);
      const failed = settled[2] as { ok: false; error: { code: string; message: string; argument?: string } };
      expect(failed.error.code).toBe('E_WORKER');
      expect(failed.error.argument).toBe('tasks[2]');
      expect(failed.error.message).toMatch(/task 2 .*selftest.*options\.throwAt.*step 13/);
      const err = await rejection(p.run(tasks));
      expect(err.code).toBe('E_WORKER');
      expect(err.message).toMatch(/task 2/);
      // failFast rejects without waiting for the long tasks (which then get cancelled).
      const slow = selftests(3, { steps: 1_000_000 });
      slow[0] = faulty({ ...slow[0], options: { steps: 10 } }, { throwAt: 3 });
      expect((await rejection(p.run(slow, { failFast: true }))).code).toBe('E_WORKER');
    }
  });

  it('rejects bad input before any work', async () => {
    const p = await pool(1);
    expect((await rejection(p.run([{ kind: 'nope', seed: 1, stream: 0 }]))).code).toBe('E_ARG');
    expect((await rejection(p.run([{ kind: 'selftest', seed: -1, stream: 0 }]))).message).toMatch(/tasks\[0\]\.seed/);
    await expect(lib.createPool({ size: 1.5 })).rejects.toMatchObject({ code: 'E_ARG', argument: 'size' });
  });

  it('restarts a task whose worker died from its last checkpoint, with an identical result', async () => {
    const tasks = selftests(3, { steps: 90, checkpointEvery: 10 });
    const p0 = await pool(0);
    const expected = bits(await p0.run<SelftestResult>(tasks));
    const p = await pool(2, true);
    const crashing = tasks.map((t, i) => (i === 1 ? faulty(t, { crashAt: 55, crash: 'uncaught' }) : t));
    const restarts: RestartEvent[] = [];
    const got = bits(await p.run<SelftestResult>(crashing, { onRestart: (e) => restarts.push(e) }));
    expect(got).toEqual(expected);
    expect(restarts).toHaveLength(1);
    expect(restarts[0]).toMatchObject({ taskId: 1, attempt: 1 });
    expect((restarts[0].checkpoint as { step: number }).step).toBeGreaterThan(0);
    expect((restarts[0].checkpoint as { step: number }).step).toBeLessThanOrEqual(55);
    // The replacement worker serves later runs.
    expect(bits(await p.run<SelftestResult>(tasks))).toEqual(expected);
  });

  // The worker's death and its last messages come on different channels: a checkpoint posted just
  // before an uncaught error or an exit must still be the one the task restarts from (in Node 1 run in
  // 40 restarted from an earlier one before the pool took queued messages first; in a browser, where
  // 'exit' is an uncaught error too, any run could before the worker reported on the job's port).
  it('restarts a task from a checkpoint its worker posted just before it died', async () => {
    const tasks = selftests(2, { steps: 80, checkpointEvery: 9 });
    const expected = bits(await (await pool(0)).run<SelftestResult>(tasks));
    const p = await pool(2, true);
    for (const crash of ['uncaught', 'exit'] as const) {
      for (let i = 0; i < 6; i++) {
        const restarts: RestartEvent[] = [];
        const crashing = [tasks[0], faulty(tasks[1], { crashAt: 36, crash, crashAfterCheckpoint: true })];
        expect(bits(await p.run<SelftestResult>(crashing, { onRestart: (e) => restarts.push(e) }))).toEqual(expected);
        expect(restarts.map((r) => (r.checkpoint as { step: number }).step)).toEqual([36]);
      }
    }
  });

  it('rejects runs in flight with E_CLOSED on close(), and later runs too', async () => {
    const p = await lib.createPool({ size: 2 });
    const run = rejection(p.run(selftests(4, { steps: 1_000_000 })));
    await new Promise((r) => setTimeout(r, 50));
    await p.close();
    expect((await run).code).toBe('E_CLOSED');
    expect((await rejection(p.run(selftests(1)))).code).toBe('E_CLOSED');
  });
});

// Garbage collection cannot cost a job its answer. Comlink 4.4.2 counts the proxies of each endpoint
// and, when its FinalizationRegistry reports the last one collected, sends RELEASE: the exposing side
// stops listening, so a call in flight or any later call is awaited forever (comlink#692;
// scripts/repro/comlink-gc.mjs). The control shows that this file's garbage collection (every 1 ms
// and between calls) does trigger that release on a wrap nothing holds; the pool then runs jobs under
// the same collection and every one must be answered. A lost answer fails by its time limit, never
// by hanging the suite.
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { Pool } from '../../src/index.js';
import type { SelftestResult } from '../../src/pool/selftest.js';
import { bits, lib, selftests } from './lib.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** An answer that does not come within `ms` is reported as false rather than awaited forever. */
async function within<T>(p: Promise<T>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

const stops: (() => unknown)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((f) => f()));
});

/** gc() every millisecond until the test ends. */
function collectOften(): void {
  const t = setInterval(gc, 1);
  stops.push(() => clearInterval(t));
}

describe('pool under forced garbage collection', () => {
  it('control: a Comlink wrap that nothing holds loses its endpoint to gc(), and a call is never answered', async () => {
    const worker = new Worker(new URL('../../scripts/repro/comlink-gc-worker.mjs', import.meta.url));
    stops.push(() => worker.terminate());
    collectOften();
    let lost = -1;
    for (let i = 0; i < 20 && lost < 0; i++) {
      const remote = Comlink.wrap<{ slow(ms: number): Promise<number> }>(nodeEndpoint(worker));
      if (!(await within(remote.slow(20), 2000))) lost = i;
      gc();
    }
    // The first call is answered (its reply was already on its way); the release stopped the worker
    // listening, so a later one is not.
    expect(lost).toBeGreaterThan(0);
  });

  for (const shared of [true, false]) {
    it(`every job is answered, its progress and checkpoints delivered, with gc() during and between runs (shared: ${shared})`, async () => {
      const pool: Pool = await lib.createPool({ size: 2, shared });
      stops.push(() => pool.close());
      const tasks = selftests(4, { steps: 24, reps: 4, checkpointEvery: 4 });
      const reference = bits(await pool.run<SelftestResult>(tasks));
      collectOften();
      for (let run = 0; run < 15; run++) {
        const last = new Map<number, number>();
        const restarts: number[] = [];
        const results = pool.run<SelftestResult>(tasks, {
          onProgress: (e) => last.set(e.taskId, e.step),
          onRestart: (e) => restarts.push(e.taskId),
        });
        expect(await within(results, 10_000), `run ${run}: no answer within 10 s`).toBe(true);
        expect(bits(await results)).toEqual(reference);
        expect([...last.entries()].sort((a, b) => a[0] - b[0])).toEqual(tasks.map((_, i) => [i, 24]));
        expect(restarts).toEqual([]);
        gc();
      }
    });
  }
});

// Browser-only pool behaviour: every Worker the pool starts is terminated by close().
import { describe, expect, inject, it } from 'vitest';
import type { RestartEvent } from '../../src/pool/types.js';
import type { SelftestResult } from '../../src/pool/selftest.js';
import { FAULT_WAIT_MS } from '../../src/pool/executors.js';
import { faulty } from './faults.js';
import { bits, FAULT_TASKS, FAULT_WORKER, faultPool, lib, selftests } from './lib.js';

describe('pool (browser)', () => {
  it('runs in the page this project promises: isolated or not', () => {
    expect(globalThis.crossOriginIsolated).toBe(inject('crossOriginIsolated' as never) === true);
  });

  it('leaves no worker running after close(), replacements included', async () => {
    const Native = globalThis.Worker;
    const live = new Set<Worker>();
    let started = 0;
    class Counted extends Native {
      constructor(url: string | URL, options?: WorkerOptions) {
        super(url, options);
        started++;
        live.add(this);
      }
      override terminate(): void {
        live.delete(this);
        super.terminate();
      }
    }
    globalThis.Worker = Counted;
    try {
      const p = await faultPool(3);
      expect(started).toBe(3);
      const tasks = selftests(4, { steps: 40, checkpointEvery: 10 });
      tasks[2] = faulty({ ...tasks[2], options: { steps: 40, checkpointEvery: 10 } }, { crashAt: 25 });
      expect(await p.run(tasks)).toHaveLength(4);
      expect(started).toBe(4); // the crashed worker was replaced
      expect(live.size).toBe(3);
      await p.close();
      expect(live.size).toBe(0);
    } finally {
      globalThis.Worker = Native;
    }
  });

  // A browser worker's error event and its job's checkpoints travel on different channels: the restart
  // must not depend on which lands first. The job's port reports the error behind the checkpoints.
  const withParam = (name: string) => {
    const url = new URL(FAULT_WORKER);
    url.searchParams.set(name, '');
    return lib.createPool({ size: 2, workerUrl: url, tasks: FAULT_TASKS });
  };

  it('restarts a task from exactly the last checkpoint its worker posted before an uncaught error', async () => {
    const tasks = selftests(2, { steps: 90, checkpointEvery: 10 });
    const expected = bits(await (await lib.createPool({ size: 0 })).run<SelftestResult>(tasks));
    // The default worker, and one whose Worker error event never comes: the job's port alone must do.
    for (const p of [await faultPool(2), await withParam('swallowed')]) {
      for (const crashAt of [55, 31]) {
        const restarts: RestartEvent[] = [];
        const crashing = [tasks[0], faulty(tasks[1], { crashAt, crash: 'uncaught' })];
        expect(bits(await p.run<SelftestResult>(crashing, { onRestart: (e) => restarts.push(e) }))).toEqual(expected);
        expect(restarts.map((r) => (r.checkpoint as { step: number }).step)).toEqual([Math.floor(crashAt / 10) * 10]);
        expect(restarts[0].reason).toMatch(/uncaught error: .*deliberate uncaught error/);
      }
      await p.close();
    }
  });

  it('still restarts a task whose worker does not report its uncaught error on the job port', async () => {
    const tasks = selftests(2, { steps: 90, checkpointEvery: 10 });
    const expected = bits(await (await lib.createPool({ size: 0 })).run<SelftestResult>(tasks));
    const p = await withParam('unreported');
    const restarts: RestartEvent[] = [];
    const t0 = performance.now();
    const got = bits(await p.run<SelftestResult>([tasks[0], faulty(tasks[1], { crashAt: 55, crash: 'uncaught' })], { onRestart: (e) => restarts.push(e) }));
    expect(got).toEqual(expected);
    expect(restarts).toHaveLength(1);
    expect(restarts[0].reason).toMatch(/uncaught error: .*deliberate uncaught error/);
    // Ended by the error event after its wait, not by a report on the port.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(FAULT_WAIT_MS);
    await p.close();
  });
});

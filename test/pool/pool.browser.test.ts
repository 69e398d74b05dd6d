// Browser-only pool behaviour: every Worker the pool starts is terminated by close().
import { describe, expect, inject, it } from 'vitest';
import { faulty } from './faults.js';
import { faultPool, selftests } from './lib.js';

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
});

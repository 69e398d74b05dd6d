// MC dropout's rate choice with its candidates' fits as 'dropout-fit' tasks in workers (the built dist/,
// as the pool tests use): the same posterior, bit for bit, as in-thread; one progress bar per round of fits;
// cancellation. Node only: the workers run dist/worker.js.
import { expect, it } from 'vitest';
import type * as Lib from '../../../src/index.js';
import { linearData } from '../helpers.js';

const lib = (await import(/* @vite-ignore */ new URL('../../../dist/index.js', import.meta.url).href)) as typeof Lib;

// 200 rows, half held out: K = 2 cross-fitted blocks per rate, 3 rates, 4,000 epochs of 4 steps each.
const train = linearData(200, 2, 0.3, 9);
const o = { hidden: [8], validationFraction: 0.5, seed: 5 };

it('chooses the same rate and network on two workers as in-thread, with one progress bar per round of fits', async () => {
  const workers = await lib.createPool({ size: 2 });
  // The pool as trainMcDropout sees it, counting the fits it is given.
  const kinds: string[] = [];
  const pool: Lib.Pool = {
    size: workers.size, shared: workers.shared, close: () => workers.close(), runSettled: (tasks, opts) => workers.runSettled(tasks, opts),
    run: (tasks, opts) => (kinds.push(...tasks.map((t) => t.kind)), workers.run(tasks, opts)),
  };
  try {
    const events: Parameters<NonNullable<Lib.McDropoutOptions['onProgress']>>[0][] = [];
    const a = await lib.trainMcDropout(train, { ...o, pool, onProgress: (p) => events.push(p) });
    const b = await lib.trainMcDropout(train, o);
    expect(Array.from(a.toBytes())).toEqual(Array.from(b.toBytes()));
    // One bar per phase (each round of fits, then the refit), never one stuck at 100 % while fits run:
    // the epochs done rise within a phase, up to its total.
    expect(new Set(events.map((e) => e.task))).toEqual(new Set([0]));
    for (let i = 1; i < events.length; i++) {
      if (events[i].epochs === events[i - 1].epochs) expect(events[i].epoch).toBeGreaterThanOrEqual(events[i - 1].epoch);
      expect(events[i].epoch).toBeLessThanOrEqual(events[i].epochs);
    }
    // Each phase says what it is (the bar restarting twice was unexplained): the two rounds of the rate search, then the refit.
    const stages = [...new Set(events.map((e) => e.stage))];
    expect(stages).toEqual(['dropout rate search: round 1 of 2 (3 rates × 2 blocks)', expect.stringMatching(/^dropout rate search: round 2 of 2 \(\d+ fits of the kept epochs\)$/), `refit on every row at rate ${a.info.dropout}`]);
    // Round 1 is 3 rates × 2 blocks of the whole budget, the refit one fit of the kept length.
    expect(events[0].epochs % 6).toBe(0);
    expect(events[0].epochs).toBeGreaterThan(events.at(-1)!.epochs);
    // 3 rates × 2 blocks of the whole budget, then up to 3 × 2 of the kept length.
    expect(kinds.length).toBeGreaterThanOrEqual(9);
    expect(new Set(kinds)).toEqual(new Set(['dropout-fit']));
    // Pool options make a pool for the run (closed after it): the same posterior again.
    const c = await lib.trainMcDropout(train, { ...o, pool: { size: 2 } });
    expect(Array.from(c.toBytes())).toEqual(Array.from(b.toBytes()));
  } finally {
    await workers.close();
  }
}, 120_000);

it('runs a learning-rate schedule in-thread (a function cannot travel to a worker), and a cancel stops the fan-out', async () => {
  const schedule = (step: number) => (step < 100 ? 1e-2 : 1e-3);
  const withOptions = await lib.trainMcDropout(train, { ...o, learningRate: schedule, pool: { size: 2 } });
  const inThread = await lib.trainMcDropout(train, { ...o, learningRate: schedule });
  expect(Array.from(withOptions.toBytes())).toEqual(Array.from(inThread.toBytes()));
  const pool = await lib.createPool({ size: 2 });
  try {
    // A given pool of workers too.
    const withPool = await lib.trainMcDropout(train, { ...o, learningRate: schedule, pool });
    expect(Array.from(withPool.toBytes())).toEqual(Array.from(inThread.toBytes()));
    const ctrl = new AbortController();
    const run = lib.trainMcDropout(train, { ...o, pool, signal: ctrl.signal, onProgress: (p) => p.epoch > 50 && ctrl.abort() });
    await expect(run).rejects.toMatchObject({ code: 'E_ABORTED' });
    // The pool still serves runs after the cancel.
    const again = await lib.trainMcDropout(train, { ...o, pool });
    expect(again.info.dropout).toBeDefined();
  } finally {
    await pool.close();
  }
}, 120_000);

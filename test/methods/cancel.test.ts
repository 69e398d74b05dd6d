// Cancelling every method of the table (src/methods/registry.ts), in Node and in Chromium: a real
// AbortSignal stops it with E_ABORTED — already aborted, or aborted at the first progress report
// (for the samplers, from inside their chains) — and anything that only looks like a signal is
// refused with E_ARG before any work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METHODS } from '../../src/methods/registry.js';
import { createPool } from '../../src/orchestration/pool.js';
import type { Pool } from '../../src/pool/types.js';
import { linearData, rejection as rejectionOf } from './helpers.js';

const data = linearData(48, 2, 0.2, 5);
// Budgets far beyond what the test waits for: only a working cancel ends these runs quickly.
const long = { hidden: [8], epochs: 5000, chains: 2, warmup: 2000, draws: 2000, seed: 3 };
let pool: Pool;

beforeAll(async () => {
  // In-thread: the chains and members share the test's thread, the hardest case for a prompt stop.
  pool = await createPool({ size: 0 });
});
afterAll(() => pool?.close());

const rejection = (p: Promise<unknown>) => rejectionOf(p, 'the method finished instead of stopping');

/** The long budget and the in-thread pool, restricted to the options this method declares (unknown names are refused). */
function longFor(entry: (typeof METHODS)[string]): Record<string, unknown> {
  return Object.fromEntries(Object.entries({ ...long, pool }).filter(([k]) => k in entry.options.fields));
}

describe('cancelling every method', () => {
  for (const [name, entry] of Object.entries(METHODS)) {
    it(`${name}: a look-alike { aborted } object is E_ARG; an aborted signal and an abort mid-run are E_ABORTED`, async () => {
      const long = longFor(entry);
      let reports = 0;
      const fake = await rejection(entry.train(data, { ...long, signal: { aborted: false } as unknown as AbortSignal, onProgress: () => reports++ }));
      expect(fake.code).toBe('E_ARG');
      expect(fake.argument).toBe('signal');
      expect(reports).toBe(0);

      const before = new AbortController();
      before.abort();
      expect((await rejection(entry.train(data, { ...long, signal: before.signal }))).code).toBe('E_ABORTED');

      const mid = new AbortController();
      const err = await rejection(entry.train(data, { ...long, signal: mid.signal, onProgress: () => mid.abort() }));
      expect(err.code).toBe('E_ABORTED');
      // The pool is still usable afterwards (nothing of the cancelled run holds it).
      expect(await pool.run([{ kind: 'selftest', seed: 1, stream: 0, options: { steps: 2 } }])).toHaveLength(1);
    });
  }
});

// Cancelling the methods that fan out (ensemble, MultiSWAG, NUTS, HMC) on a pool of Node workers:
// E_ABORTED mid-run, a look-alike signal refused with E_ARG (it used to crash NUTS and HMC with a
// TypeError inside the pool), and the pool still usable. Runs the built dist/ (workers need it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lib } from '../pool/lib.js';
import type { Pool } from '../../src/pool/types.js';

const x = Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(3 * i)]);
const data = lib.makeDataset(x, x.map(([a, b]) => a - 0.5 * b));
const budget = { hidden: [8], epochs: 5000, members: 2, chains: 2, warmup: 2000, draws: 2000, seed: 3 };
let pool: Pool;

beforeAll(async () => {
  pool = await lib.createPool({ size: 2 });
});
afterAll(() => pool?.close());

describe('cancelling fanned-out methods on worker threads', () => {
  for (const name of ['ensemble', 'multiswag', 'nuts', 'hmc']) {
    it(`${name}`, async () => {
      const entry = lib.METHODS[name];
      const train = entry.train;
      // The long budget, restricted to the options this method declares (unknown names are refused).
      const long = Object.fromEntries(Object.entries(budget).filter(([k]) => k in entry.options.fields));
      await expect(train(data, { ...long, pool, signal: { aborted: false } as unknown as AbortSignal })).rejects.toMatchObject({ code: 'E_ARG', argument: 'signal' });
      const ac = new AbortController();
      await expect(train(data, { ...long, pool, signal: ac.signal, onProgress: () => ac.abort() })).rejects.toMatchObject({ code: 'E_ABORTED' });
      expect(await pool.run([{ kind: 'selftest', seed: 1, stream: 0, options: { steps: 2 } }])).toHaveLength(1);
    });
  }
});

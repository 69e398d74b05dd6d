// Members trained in workers (the built dist/, as the pool tests use) equal members trained in-thread.
import { expect, it } from 'vitest';
import type * as Lib from '../../../src/index.js';
import { linearData } from '../helpers.js';

const lib = (await import(/* @vite-ignore */ new URL('../../../dist/index.js', import.meta.url).href)) as typeof Lib;

it('trains members in workers bit-identically to in-thread, with progress per member', async () => {
  const train = linearData(60, 2, 0.3, 9);
  const pool = await lib.createPool({ size: 2 });
  const inThread = await lib.createPool({ size: 0 });
  try {
    const seen = new Set<number>();
    const o = { hidden: [8], epochs: 30, members: 3, seed: 5 };
    const a = await lib.trainEnsemble(train, { ...o, pool, onProgress: (p) => seen.add(p.task!) });
    const b = await lib.trainEnsemble(train, { ...o, pool: inThread });
    a.members.forEach((t, m) => expect(Array.from(t)).toEqual(Array.from(b.members[m])));
    expect(Array.from(a.noiseVars)).toEqual(Array.from(b.noiseVars));
    expect(seen.size).toBeGreaterThan(0);
  } finally {
    await pool.close();
    await inThread.close();
  }
});

// MultiSWAG members as 'swag-member' tasks in worker threads (the built dist/, as the pool tests do).
import { describe, expect, it } from 'vitest';
import { lib } from '../../pool/lib.js';

describe('MultiSWAG on the pool', () => {
  it('gives the in-thread members bit for bit, on 2 workers and in-thread (size 0)', async () => {
    const rows = Array.from({ length: 90 }, (_, i) => [Math.sin(i), (i % 7) / 7]);
    const data = lib.makeDataset(rows, rows.map((r) => 2 * r[0] - r[1] + 0.1 * Math.cos(3 * r[0] * 13)));
    const opts = { hidden: [6], epochs: 10, seed: 5, rank: 3, members: 3 };
    const local = await lib.trainMultiSwag(data, opts);
    for (const size of [2, 0]) {
      const pool = await lib.createPool({ size });
      try {
        const progress: number[] = [];
        const pooled = await lib.trainMultiSwag(data, { ...opts, pool, onProgress: (p) => progress.push(p.task ?? -1) });
        for (let m = 0; m < 3; m++) {
          for (const k of ['mean', 'sigma', 'dev'] as const) expect(Array.from(pooled.members[m][k])).toEqual(Array.from(local.members[m][k]));
        }
        expect(pooled.members.map((m) => m.noiseVar)).toEqual(local.members.map((m) => m.noiseVar));
        const x = Float32Array.from([0.1, 0.5]);
        expect(await pooled.predict(x, { seed: 2 })).toEqual(await local.predict(x, { seed: 2 }));
      } finally {
        await pool.close();
      }
    }
  });
});

// Subspace chains as 'subspace-chain' tasks, through the built package (dist/): workers cannot start .ts files.
import { describe, expect, it } from 'vitest';
import { lib } from '../../pool/lib.js';
import { linearData } from '../helpers.js';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('subspace inference on a pool', () => {
  it('gives bit-identical draws in-thread and on 2 workers, and one progress bar over the chains', async () => {
    const train = linearData(40, 2, 0.3, 7);
    const opts = { hidden: [5], epochs: 20, rank: 6, dimension: 3, chains: 3, warmup: 60, draws: 40, keep: 10, seed: 2 };
    const inThread = await lib.trainSubspace(train, opts);
    const pool = await lib.createPool({ size: 2 });
    const seen: { epoch: number; epochs: number; task?: number; phase?: string }[] = [];
    try {
      const onWorkers = await lib.trainSubspace(train, { ...opts, pool, onProgress: (p) => seen.push(p) });
      expect(bits(onWorkers.source.samples)).toEqual(bits(inThread.source.samples));
      expect(onWorkers.info).toMatchObject({ chains: 3, keptPerChain: 10, divergences: inThread.info.divergences, gradEvals: inThread.info.gradEvals, stepSize: inThread.info.stepSize });
    } finally {
      await pool.close();
    }
    // The SWAG run reports epochs first; the chains then report iterations summed over chains, with their phase.
    const chains = seen.filter((p) => p.phase !== undefined);
    expect(new Set(chains.map((p) => p.task))).toEqual(new Set([0, 1, 2]));
    expect(chains.every((p) => p.epochs === 3 * 100)).toBe(true);
    expect(Math.max(...chains.map((p) => p.epoch))).toBe(300);
  });
});

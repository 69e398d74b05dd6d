// The divergence rule of warmup.ts in whole chains, on posteriordb's eight schools (non-centred; the
// eval's user target module, eval/posteriordb/eight_schools.mjs, which reads its data with node:fs).
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { philoxRng, runChain, type ChainCheckpoint, type ChainOptions, type Target } from '../../src/samplers/index.js';

const url = pathToFileURL(join(fileURLToPath(new URL('../../eval/posteriordb/', import.meta.url)), 'eight_schools.mjs')).href;
const base = { rng: philoxRng, seed: 7, yieldEveryMs: 0 } satisfies Partial<ChainOptions>;

describe('the divergence rule in a chain (warmup.ts)', () => {
  test('eight schools at the defaults: δ raised to 0.95 in warmup, reported, and resumed bit for bit from checkpoints before and after the raise', async () => {
    const target = (await import(/* @vite-ignore */ url)) as Target;
    const opts: ChainOptions = { ...base, seed: 1, warmup: 1000, draws: 100, checkpointEvery: 100 };
    const cps: ChainCheckpoint[] = [];
    const straight = await runChain(target, { ...opts, onCheckpoint: (c) => cps.push(c) });
    expect(straight.targetAccept).toBe(0.95);
    expect(straight.warmupDivergences).toBeGreaterThan(0);
    const raisedAt = cps.find((c) => c.adaptation.targetAccept === 0.95)!.iteration;
    for (const cp of [cps[raisedAt / 100 - 2], cps[raisedAt / 100 - 1], cps[9]]) {
      const resumed = await runChain(target, { ...opts, resumeFrom: JSON.parse(JSON.stringify(cp)) as ChainCheckpoint });
      expect(resumed.targetAccept).toBe(0.95);
      expect(resumed.stepSize).toBe(straight.stepSize);
      expect(resumed.samples!.draws).toEqual(straight.samples!.draws.subarray(cp.drawsEmitted * target.dim));
    }
    // Given explicitly, δ stays where it was put: Stan's behaviour, and other draws.
    const fixed = await runChain(target, { ...opts, adapt: { targetAccept: 0.8 } });
    expect(fixed.targetAccept).toBe(0.8);
    expect(fixed.stepSize).not.toBe(straight.stepSize);
  });
});

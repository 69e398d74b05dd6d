/**
 * Hostile or sloppy arguments to the library's entry points: options whose values the check would
 * not see (inherited, or a getter's later answer), sample counts that would run for hours, and
 * predictions too large to hold — each a typed BdlError before any work.
 */
import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { BdlError } from '../../src/errors.js';
import { trainMap } from '../../src/methods/map.js';
import { trainSwag } from '../../src/methods/ensembles/swag.js';
import { trainVi } from '../../src/methods/variational/vi.js';
import { trainMethod } from '../../src/methods/registry.js';

const data = makeDataset(Array.from({ length: 12 }, (_, i) => [i / 6 - 1]), Array.from({ length: 12 }, (_, i) => Math.sin(i)));
const small = { hidden: [2], epochs: 2, seed: 1 };

/** Runs `f` and returns the BdlError it rejects with, and whether the run reported any progress. */
async function refusal(f: (onProgress: () => void) => Promise<unknown>): Promise<{ error: BdlError; progressed: boolean }> {
  let progressed = false;
  try {
    await f(() => (progressed = true));
  } catch (e) {
    if (!(e instanceof BdlError)) throw e;
    return { error: e, progressed };
  }
  throw new Error('expected a BdlError');
}

describe('options objects', () => {
  it('refuses inherited values (Object.create, a class instance) before any work: 1e7 inherited epochs ran unchecked', async () => {
    const inherited = Object.assign(Object.create({ epochs: 1e7 }) as object, { hidden: [2] });
    const a = await refusal((onProgress) => trainMap(data, Object.assign(inherited, { onProgress })));
    expect(a.error).toMatchObject({ code: 'E_ARG', argument: 'options', message: expect.stringMatching(/trainMap: expected a plain options object/) });
    expect(a.progressed).toBe(false);
    class Options {
      hidden = [2];
      get epochs() {
        return 1e7;
      }
    }
    await expect(trainMap(data, new Options())).rejects.toMatchObject({ code: 'E_ARG', message: expect.stringMatching(/an instance of Options/) });
    // Through the method table too.
    await expect(trainMethod('map', data, inherited as never)).rejects.toMatchObject({ code: 'E_ARG' });
    // Plain objects, frozen ones and those without a prototype are options as before.
    await expect(trainMap(data, Object.freeze({ ...small, hidden: Object.freeze([2]) as number[] }))).resolves.toBeDefined();
    await expect(trainMap(data, Object.assign(Object.create(null) as object, small))).resolves.toBeDefined();
  });

  it('refuses getters, without calling them: a throwing getter threw raw, a changing one passed the check with its first answer', async () => {
    const throwing = {
      hidden: [2],
      get epochs(): number {
        throw new Error('boom');
      },
    };
    await expect(trainMap(data, throwing)).rejects.toMatchObject({ code: 'E_ARG', argument: 'epochs', message: expect.stringMatching(/epochs: expected a value, found a getter/) });
    let reads = 0;
    const changing = {
      hidden: [2],
      get epochs() {
        return reads++ === 0 ? 2 : 1e7;
      },
    };
    await expect(trainMap(data, changing)).rejects.toMatchObject({ code: 'E_ARG', argument: 'epochs' });
    expect(reads).toBe(0);
    const post = await trainMap(data, small);
    await expect(post.predict([[0]], { get samples() { return 3; } } as never)).rejects.toMatchObject({ code: 'E_ARG', argument: 'samples' });
  });
});

describe('sample counts and prediction sizes', () => {
  it('refuses more than 32767 samples in predict and in the methods that keep a default (1e9 hung before)', async () => {
    const vi = await trainVi(data, small);
    await expect(vi.predict([[0]], { samples: 1e9 })).rejects.toMatchObject({ code: 'E_ARG', argument: 'samples', message: expect.stringMatching(/≤ 32767/) });
    await expect(trainVi(data, { ...small, samples: 40_000 })).rejects.toMatchObject({ code: 'E_ARG', argument: 'samples' });
    await expect(trainSwag(data, { ...small, samples: 40_000 })).rejects.toMatchObject({ code: 'E_ARG', argument: 'samples' });
  });

  it('refuses a prediction whose per-sample outputs pass 2 GiB with E_MEMORY before any work', async () => {
    const vi = await trainVi(data, small);
    const x = new Float32Array(40_000);
    const t = performance.now();
    await expect(vi.predict(x, { samples: 0x7fff })).rejects.toMatchObject({ code: 'E_MEMORY', argument: 'samples', message: expect.stringMatching(/≤ 6710 samples for 40000 test rows/) });
    expect(performance.now() - t).toBeLessThan(1000);
    // At the limit it is allowed (a few rows, every sample).
    await expect(vi.predict(x.subarray(0, 2), { samples: 100 })).resolves.toBeDefined();
  });
});

/**
 * What `predict` takes and what it never returns: rows as makeDataset takes them (the same numbers
 * as the flat Float32Array), typed shape errors, no empty predictive for zero samples, no NaN.
 */
import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { BdlError } from '../../src/errors.js';
import { trainLaplace } from '../../src/methods/laplace/index.js';
import { trainMap } from '../../src/methods/map.js';
import { trainSwag } from '../../src/methods/ensembles/swag.js';
import { trainNuts } from '../../src/methods/mcmc/mcmc.js';
import { trainSgld } from '../../src/methods/sgmcmc/sgld.js';
import { trainMcDropout } from '../../src/methods/variational/mc-dropout.js';
import { trainVi } from '../../src/methods/variational/vi.js';
import type { Posterior } from '../../src/posterior/types.js';

const data = makeDataset(Array.from({ length: 16 }, (_, i) => [i / 8 - 1]), Array.from({ length: 16 }, (_, i) => Math.sin(2 * i / 8)));
const small = { hidden: [4], epochs: 3, seed: 2 };

async function code(f: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await f();
    return undefined;
  } catch (e) {
    if (!(e instanceof BdlError)) throw e;
    return e.code;
  }
}

describe('predict inputs', () => {
  it('takes an array of rows or { data, cols } and gives the same numbers as the flat Float32Array', async () => {
    for (const post of [await trainMap(data, small), await trainLaplace(data, small)] as Posterior<'regression'>[]) {
      const flat = await post.predict(Float32Array.from([0, 0.5]));
      const rows = await post.predict([[0], [0.5]]);
      const cols = await post.predict({ data: [0, 0.5], cols: 1 });
      expect(Array.from(rows.mean)).toEqual(Array.from(flat.mean));
      expect(Array.from(rows.variance)).toEqual(Array.from(flat.variance));
      expect(Array.from(cols.mean)).toEqual(Array.from(flat.mean));
    }
  });

  it('refuses wrong shapes and non-finite inputs with typed errors', async () => {
    const post = await trainMap(data, small);
    expect(await code(() => post.predict([[0, 1]]))).toBe('E_SHAPE');
    expect(await code(() => post.predict([[0], [1, 2]]))).toBe('E_SHAPE');
    expect(await code(() => post.predict([]))).toBe('E_EMPTY');
    expect(await code(() => post.predict('0.5' as never))).toBe('E_SHAPE');
    expect(await code(() => post.predict(Float64Array.of(0) as never))).toBe('E_SHAPE');
    expect(await code(() => post.predict([[NaN]]))).toBe('E_NONFINITE');
    expect(await code(() => post.predict(new Float32Array(0)))).toBe('E_SHAPE');
  });

  it("refuses a misspelt, badly typed or null option naming it, for every kind of posterior", async () => {
    for (const post of [await trainMap(data, small), await trainLaplace(data, small), await trainMcDropout(data, small)] as Posterior[]) {
      await expect(post.predict([[0]], { sample: 3 } as never)).rejects.toThrow(/^predict: unknown option sample\. Did you mean samples\?/);
      await expect(post.predict([[0]], { seed: -1 })).rejects.toThrow(/^predict: seed: expected an integer ≥ 0, found -1/);
      await expect(post.predict([[0]], null as never)).rejects.toMatchObject({ code: 'E_ARG', message: expect.stringMatching(/^predict: expected an options object, found null/) });
    }
  });
});

describe('never an empty or NaN predictive', () => {
  it('refuses samples: 0 for every sampled predictive, and draws: 0 for NUTS, with E_ARG', async () => {
    const x = Float32Array.of(0);
    const posts = [
      await trainVi(data, small),
      await trainMcDropout(data, small),
      await trainSwag(data, { ...small, epochs: 4, swaStart: 2, rank: 2 }),
      await trainSgld(data, { ...small, pretrainEpochs: 1, epochs: 2, samples: 3 }),
      await trainLaplace(data, { ...small, predictive: 'mc' }),
    ];
    for (const p of posts) {
      expect(await code(() => p.predict(x, { samples: 0 })), p.method).toBe('E_ARG');
      expect(await code(() => p.predict(x, { samples: -1 })), p.method).toBe('E_ARG');
    }
    expect(await code(() => trainNuts(data, { ...small, chains: 1, warmup: 5, draws: 0, poolSize: 0 }))).toBe('E_ARG');
  });

  it('gives a finite prediction or E_NONFINITE naming the row for inputs near 1e30', async () => {
    for (const post of [await trainMap(data, small), await trainVi(data, small), await trainLaplace(data, small)]) {
      try {
        const p = await post.predict([[0], [1e30], [-3e38]]);
        for (const v of [...p.mean, ...p.variance]) expect(Number.isFinite(v)).toBe(true);
      } catch (e) {
        expect(e).toBeInstanceOf(BdlError);
        expect((e as BdlError).code).toBe('E_NONFINITE');
        expect((e as BdlError).argument).toMatch(/^x\[[12]\]$/);
        expect((e as BdlError).message).toMatch(/largest \|input\| [13]\.00e\+3[08]/);
      }
    }
  });
});

describe('intervals of trained posteriors', () => {
  it('a MAP interval is μ ± z·σ; a mixture interval contains its mean; both in original units', async () => {
    const map = await trainMap(data, small);
    const p = await map.predict([[0], [0.5]]);
    const { lower, upper } = p.interval(0.95);
    for (let i = 0; i < 2; i++) {
      const sd = Math.sqrt(p.variance[i]);
      expect(lower[i]).toBeCloseTo(p.mean[i] - 1.959963984540054 * sd, 5);
      expect(upper[i]).toBeCloseTo(p.mean[i] + 1.959963984540054 * sd, 5);
    }
    const vi = await (await trainVi(data, small)).predict([[0], [3]], { samples: 20 });
    const ci = vi.interval(0.9);
    for (let i = 0; i < 2; i++) expect(ci.lower[i] < vi.mean[i] && vi.mean[i] < ci.upper[i]).toBe(true);
    // Not an own enumerable property: the predictive stays plain data for workers and JSON.
    expect(Object.keys(vi)).not.toContain('interval');
    expect(() => structuredClone(vi)).not.toThrow();
  });
});

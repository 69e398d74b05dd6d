// tune's options by schema, checked before the first fit.
import { expect, test } from 'vitest';
import { makeDataset } from '../../../src/data/dataset.js';
import { tune } from '../../../src/methods/tune/tune.js';

test('tune refuses bad options naming them, before any fit', async () => {
  const data = makeDataset(Array.from({ length: 20 }, (_, i) => [i]), Array.from({ length: 20 }, (_, i) => i));
  let fits = 0;
  const train = async () => { fits++; throw new Error('not reached'); };
  for (const [o, arg] of [[{ grid: [] }, 'grid'], [{ grid: 'lr' }, 'grid'], [{}, 'grid'], [{ grid: [{}], validationFraction: 1 }, 'validationFraction'],
    [{ grid: [{}], folds: 1 }, 'folds'], [{ grid: [{}], samples: 0 }, 'samples'], [{ grid: [{}], noise: 1 }, 'noise'], [{ grid: [{}], serach: {} }, 'serach']] as const) {
    await expect(tune(data, train, {}, o as never)).rejects.toMatchObject({ code: 'E_ARG', argument: arg, message: expect.stringMatching(/^tune: /) });
  }
  await expect(tune(data, train, {}, { grid: [{}], fold: 3 } as never)).rejects.toThrow(/Did you mean folds\?/);
  expect(fits).toBe(0);
});

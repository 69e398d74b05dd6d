// trainMethod's warning for a regression too small to hold out rows, run by a method whose σ then
// comes from its own training residuals (ensemble, MC/Concrete dropout, VI): said, and only then.
import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { trainMethod } from '../../src/methods/registry.js';

const rows = (n: number) => makeDataset(Array.from({ length: n }, (_, i) => [i / n]), Array.from({ length: n }, (_, i) => Math.sin((6 * i) / n) + 0.3 * Math.cos(37 * i)));

describe('trainMethod on a small regression', () => {
  it('warns that σ comes from training residuals for the EM-noise methods on 10 rows; the posterior is the same', async () => {
    const small = rows(10);
    const r = await trainMethod('ensemble', small, { members: 2, hidden: [8], seed: 1 });
    expect(r.warnings).toEqual([expect.stringMatching(/^only 10 training rows: fewer than 20 can be held out, so σ is fitted to the residuals .*--noise/)]);
    const vi = await trainMethod('vi', small, { hidden: [8], seed: 1 });
    expect(vi.warnings).toHaveLength(1);
  });

  it('does not warn with σ given, with enough rows to hold out, with validationFraction 0, or for laplace', async () => {
    expect((await trainMethod('ensemble', rows(10), { members: 2, hidden: [8], noise: 0.3 })).warnings).toBeUndefined();
    expect((await trainMethod('ensemble', rows(10), { members: 2, hidden: [8], validationFraction: 0, epochs: 5 })).warnings).toBeUndefined();
    expect((await trainMethod('laplace', rows(10), { hidden: [8] })).warnings).toBeUndefined();
    expect((await trainMethod('ensemble', rows(220), { members: 2, hidden: [8], epochs: 5 })).warnings).toBeUndefined();
  });
});

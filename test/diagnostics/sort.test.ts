import { describe, expect, it } from 'vitest';
import { averageRanks, quantileSorted } from '../../src/diagnostics/chains.js';
import { foldedOrderSteps, gatherSteps, radixOrderSteps, ranksInOrderSteps } from '../../src/diagnostics/sort.js';
import { runSteps } from '../../src/diagnostics/steps.js';
import { uniforms } from './prng.js';

const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

/** The folded draws' ranks by the merge of the pooled order, and by sorting the folded draws. */
function bothWays(x: Float64Array): [Float64Array, Float64Array] {
  const order = runSteps(radixOrderSteps(x));
  const sorted = runSteps(gatherSteps(x, order));
  const med = quantileSorted(sorted, 0.5);
  const f = runSteps(foldedOrderSteps(sorted, order, med));
  const direct = x.map((v) => Math.abs(v - med));
  expect(same(f.folded, direct)).toBe(true);
  for (let k = 1; k < x.length; k++) expect(f.folded[f.order[k - 1]] <= f.folded[f.order[k]]).toBe(true);
  return [runSteps(ranksInOrderSteps(f.folded, f.order)), averageRanks(direct)];
}

describe('folded order without a second sort', () => {
  it('ranks the folded draws as a sort of them does: ties, repeated draws, −0 at the median, one value, across chunks', () => {
    const u = uniforms(11);
    const inputs = [
      Float64Array.from({ length: 2000 }, () => Math.round((u() - 0.3) * 40) / 8),
      Float64Array.from({ length: 40001 }, () => (u() < 0.4 ? 1.5 : (u() - 0.5) * 10 ** Math.floor(u() * 20 - 10))),
      Float64Array.from([0, -0, 0, -0, 1, -1, 2, -2]),
      Float64Array.from([-0, -0, -0, 3]),
      Float64Array.from([7, 7, 7, 7]),
      Float64Array.from([4]),
      Float64Array.from([1, 2]),
      // differences past the largest double: folded to +∞ on both sides
      Float64Array.from([1.7e308, -1.7e308, 1e308, -1e308, 0, 5e-324]),
      Float64Array.from([Infinity, -Infinity, 0, 1, 2, Infinity]),
    ];
    for (const x of inputs) {
      const [merged, sorted] = bothWays(x);
      expect(same(merged, sorted), Array.from(x.slice(0, 8)).join(',')).toBe(true);
    }
  });
});

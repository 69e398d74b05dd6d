import { describe, expect, it } from 'vitest';
import { averageRanks, quantileSorted, rankNormalize, splitChains, toChains } from '../../src/diagnostics/chains.js';
import { normalQuantile } from '../../src/diagnostics/special.js';
import { BdlError } from '../../src/errors.js';

describe('chains helpers', () => {
  it('average ranks give ties their mean rank', () => {
    // sorted: 1 (rank 1), 2, 2 (ranks 2 and 3 → 2.5), 5 (rank 4), 7, 7, 7 (ranks 5, 6, 7 → 6)
    expect(Array.from(averageRanks(Float64Array.from([7, 2, 5, 7, 1, 2, 7])))).toEqual([6, 2.5, 4, 6, 1, 2.5, 6]);
  });

  it('rank-normalizes integer and tied (half-integer) ranks to the normal scores of the formula, whichever comes first', () => {
    // The same run twice: the second reads the kept scores of both kinds of rank.
    for (let pass = 0; pass < 2; pass++) {
      const chains = toChains([[7, 2, 5, 7], [1, 2, 7, 3]]);
      const ranks = averageRanks(Float64Array.from([7, 2, 5, 7, 1, 2, 7, 3]));
      const z = rankNormalize(chains);
      const expected = Array.from(ranks, (r) => normalQuantile((r - 0.375) / (8 + 0.25)));
      expect([...z[0], ...z[1]]).toEqual(expected);
    }
  });

  it('splits into halves and drops the middle draw of odd chains', () => {
    const s = splitChains(toChains([[1, 2, 100, 3, 4], [5, 6, -100, 7, 8]]));
    expect(s.map((c) => Array.from(c))).toEqual([[1, 2], [5, 6], [3, 4], [7, 8]]);
  });

  it('quantile type 7: interpolates between order statistics', () => {
    const s = Float64Array.from([1, 2, 3, 4, 10]);
    expect(quantileSorted(s, 0.5)).toBe(3);
    expect(quantileSorted(s, 0.9)).toBeCloseTo(4 + 0.6 * 6, 12); // h = 4·0.9 = 3.6
    expect(quantileSorted(s, 0)).toBe(1);
    expect(quantileSorted(s, 1)).toBe(10);
  });

  it('rejects ragged and empty input with typed errors that name the argument', () => {
    expect(() => toChains([[1, 2, 3], [1, 2]])).toThrowError(/draws\[1\]: expected 3 draws/);
    try {
      toChains([]);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(BdlError);
      expect((e as BdlError).code).toBe('E_EMPTY');
    }
    expect(() => toChains([[], []])).toThrowError(BdlError);
  });

  it('does not mutate its input', () => {
    const x = [Float64Array.from([3, 1, 2])];
    toChains(x);
    splitChains(toChains(x));
    expect(Array.from(x[0])).toEqual([3, 1, 2]);
  });
});

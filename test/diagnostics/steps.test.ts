import { describe, expect, it } from 'vitest';
import { averageRanks, rankNormalize } from '../../src/diagnostics/chains.js';
import { normalQuantile } from '../../src/diagnostics/special.js';
import { essBulk, essTail } from '../../src/diagnostics/ess.js';
import { mcseMean } from '../../src/diagnostics/mcse.js';
import { rankNormalizedRhat } from '../../src/diagnostics/rhat.js';
import { sortedSteps } from '../../src/diagnostics/sort.js';
import { runSteps, type Steps } from '../../src/diagnostics/steps.js';
import { summaryRowSteps } from '../../src/diagnostics/summary.js';
import { diagnoseYielding } from '../../src/samplers/sample-chains.js';
import { ar1Chains, uniforms } from './prng.js';

function countYields<T>(g: Steps<T>): { value: T; yields: number } {
  let yields = 0;
  for (;;) {
    const r = g.next();
    if (r.done) return { value: r.value, yields };
    yields++;
  }
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

describe('diagnostics in steps', () => {
  it('sort chunk-wise into exactly the engine order (−0 before +0, NaN last), across several merges', () => {
    const u = uniforms(3);
    const specials = [0, -0, NaN, Infinity, -Infinity];
    const x = Float64Array.from({ length: 70000 }, (_, i) => (i % 97 === 0 ? specials[i % 5] : Math.round(u() * 500) / 7 - 30));
    expect(same(runSteps(sortedSteps(x)), x.slice().sort())).toBe(true);
  });

  it('sort every size into the engine order, on both sides of the digit change (8-bit digits below 65,536 values, 16-bit from there)', () => {
    const u = uniforms(6);
    const specials = [0, -0, NaN, Infinity, -Infinity, 5e-324, -Number.MAX_VALUE];
    for (const n of [0, 1, 2, 3, 240, 4001, 65535, 65536]) {
      const x = Float64Array.from({ length: n }, (_, i) => (i % 31 === 0 ? specials[i % 7] : Math.round((u() - 0.5) * 1e4) / 3));
      expect(same(runSteps(sortedSteps(x)), x.slice().sort()), `n = ${n}`).toBe(true);
    }
  });

  it('rank ties like a plain sort over several chunks', () => {
    const u = uniforms(4);
    const x = Float64Array.from({ length: 50001 }, () => Math.floor(u() * 1000));
    const order = Array.from(x.keys()).sort((a, b) => x[a] - x[b]);
    const expected = new Float64Array(x.length);
    for (let i = 0; i < order.length;) {
      let j = i + 1;
      while (j < order.length && x[order[j]] === x[order[i]]) j++;
      for (let k = i; k < j; k++) expected[order[k]] = (i + 1 + j) / 2;
      i = j;
    }
    expect(same(averageRanks(x), expected)).toBe(true);
  });

  it('rank −0 and +0 as one tie, infinities at the ends, and values holding NaN as the comparator order leaves them', () => {
    const u = uniforms(5);
    const plainRanks = (x: Float64Array) => {
      const order = Array.from(x.keys()).sort((a, b) => x[a] - x[b]);
      const out = new Float64Array(x.length);
      for (let i = 0; i < order.length;) {
        let j = i + 1;
        while (j < order.length && x[order[j]] === x[order[i]]) j++;
        for (let k = i; k < j; k++) out[order[k]] = (i + 1 + j) / 2;
        i = j;
      }
      return out;
    };
    const specials = [0, -0, Infinity, -Infinity, -1e-300, 5e-324, -Number.MAX_VALUE];
    const x = Float64Array.from({ length: 40000 }, (_, i) => (i % 13 === 0 ? specials[i % 7] : (u() - 0.5) * 10 ** Math.floor(u() * 40 - 20)));
    expect(same(averageRanks(x), plainRanks(x))).toBe(true);
    const z = Float64Array.from([3, -0, 0, 0, -0, 1]);
    expect(Array.from(averageRanks(z))).toEqual([6, 2.5, 2.5, 2.5, 2.5, 5]);
    // NaN has no numeric order: ranks then follow the engine's comparator sort, as before
    const n = Float64Array.from({ length: 100 }, (_, i) => (i === 10 ? NaN : Math.floor(u() * 30)));
    expect(averageRanks(n).length).toBe(100);
  });

  it('rank normalization reuses its normal scores across sizes and gives the bits of the formula', () => {
    const u = uniforms(6);
    for (const S of [5000, 3001, 5000]) {
      const chains = [0, 1].map(() => Float64Array.from({ length: S }, () => Math.round(u() * 4000)));
      const ranks = averageRanks(Float64Array.from([...chains[0], ...chains[1]]));
      const z = rankNormalize(chains);
      const expected = Array.from(ranks, (r) => normalQuantile((r - 0.375) / (2 * S + 0.25)));
      expect(same([...z[0], ...z[1]], expected)).toBe(true);
    }
  });

  it('a summary row gives the bits of the separate diagnostics and pauses often: per 16k elements sorted, per autocovariance', () => {
    const chains = ar1Chains(7, 4, 20001, 0.6);
    const { value: row, yields } = countYields(summaryRowSteps(chains, 'x'));
    expect(same([row.essBulk, row.essTail, row.rhat, row.mcseMean], [essBulk(chains), essTail(chains), rankNormalizedRhat(chains), mcseMean(chains)])).toBe(true);
    // three sorts of 80k values (pooled; ranks of split, of folded) of 5 chunks each; four ESS of 8 split chains
    expect(yields).toBeGreaterThanOrEqual(3 * 5 + 4 * 8);
  });

  it('a summary row of an even number of draws (one sort, ranks reused) gives the bits of the separate diagnostics', () => {
    const u = uniforms(12);
    const cases: Float64Array[][] = [
      ar1Chains(13, 4, 20000, 0.6),
      // a rejecting sampler's repeated draws, and coarse values: many ties
      ar1Chains(14, 2, 1000, 0.8).map((c) => c.map((v, i) => (i % 3 === 2 ? c[i - 1] : Math.round(v * 4) / 4))),
      [Float64Array.from([0, -0, 0, 1, -0, 2]), Float64Array.from([-0, 0, 3, -0, 0, 1])],
      [Float64Array.from({ length: 8 }, () => 1.7e308 * (u() - 0.5) * 2), Float64Array.from({ length: 8 }, () => -1.7e308 * u())],
      [Float64Array.from([1, 1, 1, 1]), Float64Array.from([1, 1, 1, 1])],
    ];
    for (const chains of cases) {
      const row = runSteps(summaryRowSteps(chains, 'x'));
      expect(same([row.essBulk, row.essTail, row.rhat, row.mcseMean], [essBulk(chains), essTail(chains), rankNormalizedRhat(chains), mcseMean(chains)])).toBe(true);
    }
  });

  it('a non-finite draw gives NaN rows through the same path', () => {
    const chains = ar1Chains(8, 2, 100, 0.3);
    chains[1][50] = NaN;
    const row = runSteps(summaryRowSteps(chains, 'x'));
    expect([row.essTail, row.rhat, row.q50]).toEqual([NaN, NaN, NaN]);
  });

  it('diagnoseYielding gives the thread back inside each quantity and stops on abort between two pauses', async () => {
    const width = 2;
    const n = 10000;
    const per = ar1Chains(9, 4, n * width, 0.5); // row-major count × width per chain
    let yields = 0;
    const d = await diagnoseYielding(per, n, width, ['a', 'b'], undefined, undefined, { budgetMs: 0, onYield: () => yields++ });
    expect(d.rhat).toHaveLength(2);
    expect(yields).toBeGreaterThanOrEqual(2 * 20);
    const ac = new AbortController();
    let seen = 0;
    const p = diagnoseYielding(per, n, width, undefined, undefined, ac.signal, { budgetMs: 0, onYield: () => { if (++seen === 5) ac.abort(); } });
    await expect(p).rejects.toMatchObject({ code: 'E_ABORTED' });
    expect(seen).toBe(5);
  });

  it('diagnoseYielding reports each quantity done, in order', async () => {
    const per = ar1Chains(15, 2, 3 * 40, 0.5);
    const done: number[] = [];
    await diagnoseYielding(per, 40, 3, undefined, undefined, undefined, { onQuantity: (k) => done.push(k) });
    expect(done).toEqual([1, 2, 3]);
  });
});

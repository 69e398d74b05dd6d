import { describe, expect, it } from 'vitest';
import { averageRanks } from '../../src/diagnostics/chains.js';
import { essBulk, essTail } from '../../src/diagnostics/ess.js';
import { mcseMean } from '../../src/diagnostics/mcse.js';
import { rankNormalizedRhat } from '../../src/diagnostics/rhat.js';
import { runSteps, sortedSteps, type Steps } from '../../src/diagnostics/steps.js';
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

  it('a summary row gives the bits of the separate diagnostics and pauses often: per 16k elements sorted, per autocovariance', () => {
    const chains = ar1Chains(7, 4, 20001, 0.6);
    const { value: row, yields } = countYields(summaryRowSteps(chains, 'x'));
    expect(same([row.essBulk, row.essTail, row.rhat, row.mcseMean], [essBulk(chains), essTail(chains), rankNormalizedRhat(chains), mcseMean(chains)])).toBe(true);
    // three sorts of 80k values (pooled; ranks of split, of folded) of 5 chunks each; four ESS of 8 split chains
    expect(yields).toBeGreaterThanOrEqual(3 * 5 + 4 * 8);
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
});

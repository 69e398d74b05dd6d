import { describe, expect, it } from 'vitest';
import { formatSummary, summarize } from '../../src/diagnostics/summary.js';
import { iidChains } from './prng.js';

/** chains × draws × dim from one chains × draws array per parameter. */
function stack(params: Float64Array[][]): number[][][] {
  return params[0].map((chain, c) => Array.from(chain, (_, i) => params.map((p) => p[c][i])));
}

describe('summarize', () => {
  it('gives one row per parameter with the usual statistics and no warning for good draws', () => {
    const a = iidChains(1, 4, 1000);
    const b = iidChains(2, 4, 1000, 5, 2);
    const s = summarize(stack([a, b]), ['alpha', 'beta']);
    expect(s.rows.map((r) => r.name)).toEqual(['alpha', 'beta']);
    expect(s.rows[1].mean).toBeCloseTo(5, 0);
    expect(s.rows[1].sd).toBeCloseTo(2, 0);
    expect(s.rows[1].q5).toBeCloseTo(5 - 1.645 * 2, 0);
    expect(s.rows[1].q95).toBeCloseTo(5 + 1.645 * 2, 0);
    expect(s.rows[0].essBulk).toBeGreaterThan(3000);
    expect(s.rows[0].rhat).toBeLessThan(1.01);
    expect(s.warnings).toEqual([]);
  });

  it('by hand: mean, sd and quantiles of 1 chain × 5 draws', () => {
    // draws 1,2,3,4,10: mean 4; sd √((9+4+1+0+36)/4) = √12.5; q50 = 3;
    // q5: h = 4·0.05 = 0.2 → 1 + 0.2·1 = 1.2;  q95: h = 3.8 → 4 + 0.8·6 = 8.8
    const r = summarize([[[1], [2], [3], [4], [10]]]).rows[0];
    expect(r.name).toBe('theta[0]');
    expect(r.mean).toBe(4);
    expect(r.sd).toBeCloseTo(Math.sqrt(12.5), 14);
    expect(r.q5).toBeCloseTo(1.2, 14);
    expect(r.q50).toBe(3);
    expect(r.q95).toBeCloseTo(8.8, 14);
  });

  it('warns on R-hat, low ESS, non-finite draws, divergences, tree depth and E-BFMI', () => {
    const bad = [...iidChains(3, 3, 100), ...iidChains(4, 1, 100, 3)];
    const withInf = iidChains(5, 4, 100);
    withInf[2][7] = Infinity;
    const s = summarize(stack([bad, withInf]), ['mu', 'tau'], {
      divergent: [[0, 1, 0], [0, 0, 0]],
      treedepth: [[10, 3, 3], [3, 3, 3]],
      energy: [Float64Array.from({ length: 100 }, (_, i) => i), Float64Array.from({ length: 100 }, (_, i) => (i % 2) * 10)],
    });
    const codes = s.warnings.map((w) => w.code);
    expect(codes).toEqual(['nonfinite', 'rhat', 'ess', 'divergences', 'treedepth', 'ebfmi']);
    expect(s.warnings[0].names).toEqual(['tau']);
    expect(s.warnings[1].names).toEqual(['mu']);
    expect(s.warnings[1].message).toMatch(/R-hat > 1.01 for 1 of 2 parameters \(mu; worst mu = /);
    expect(s.warnings[3].message).toMatch(/^1 of 6 transitions diverged/);
    expect(s.warnings[5].message).toMatch(/chain 0 \(/);
    expect(s.warnings[5].message).not.toMatch(/chain 1/);
  });

  it('rejects a names array of the wrong length and ragged draws', () => {
    expect(() => summarize([[[1, 2]], [[3, 4]]], ['a'])).toThrowError(/names: expected 2 names/);
    expect(() => summarize([[[1, 2], [3]]])).toThrowError(/draws\[0\]\[1\]: expected 2 values/);
    expect(() => summarize([[[1], [2]], [[3]]])).toThrowError(/draws\[1\]: expected 2 draws/);
  });
});

describe('formatSummary', () => {
  it('prints an aligned table with NA for undefined diagnostics', () => {
    const s = summarize([[[1, 7], [2, 7], [3, 7], [4, 7], [5, 7], [6, 7], [7, 7], [8, 7]]], ['a', 'const']);
    const text = formatSummary(s.rows);
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^name\s+mean\s+sd\s+q5\s+q50\s+q95\s+mcse_mean\s+ess_bulk\s+ess_tail\s+rhat$/);
    expect(lines[1]).toMatch(/^a\s+4\.500\s+2\.449\s/);
    expect(lines[2]).toMatch(/^const\s+7\.000\s+0\.000\s.*NA\s+NA\s+NA\s+NA$/);
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });
});

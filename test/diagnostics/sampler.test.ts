import { describe, expect, it } from 'vitest';
import { countDivergences, countTreedepthHits, ebfmi } from '../../src/diagnostics/sampler.js';

describe('sampler diagnostics', () => {
  it('E-BFMI by hand', () => {
    // [1,3,2,4]: Ē = 2.5; Σ(E−Ē)² = 2.25+0.25+0.25+2.25 = 5; Σ(ΔE)² = 4+1+4 = 9 → 1.8
    // [0,0,1,1]: Ē = 0.5; Σ(E−Ē)² = 1; Σ(ΔE)² = 0+1+0 = 1 → 1
    const e = ebfmi([[1, 3, 2, 4], Float64Array.from([0, 0, 1, 1])]);
    expect(e[0]).toBeCloseTo(1.8, 14);
    expect(e[1]).toBeCloseTo(1, 14);
    expect(ebfmi([[5, 5, 5]])[0]).toBeNaN();
  });

  it('E-BFMI is small for a slowly drifting energy', () => {
    const e = Float64Array.from({ length: 1000 }, (_, i) => i / 100);
    expect(ebfmi([e])[0]).toBeLessThan(0.3);
  });

  it('counts divergences and tree-depth hits per chain', () => {
    expect(countDivergences([[0, 1, 0, 1], [false, false, true, false]])).toEqual({ total: 3, perChain: [2, 1] });
    expect(countTreedepthHits([[3, 10, 10, 4], [2, 2, 2, 2]])).toEqual({ total: 2, perChain: [2, 0] });
    expect(countTreedepthHits([[3, 5, 6, 4]], 5)).toEqual({ total: 2, perChain: [2] });
  });

  it('rejects malformed input', () => {
    expect(() => ebfmi([])).toThrowError(/energies: expected one array per chain/);
    expect(() => ebfmi([[1, NaN, 2]])).toThrowError(/energies\[0\]\[1\]/);
  });
});

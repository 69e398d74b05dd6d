import { describe, expect, it } from 'vitest';
import { chainSummary, runWarnings } from '../../src/diagnostics/chain-summary.js';

describe('chainSummary', () => {
  it('needs R̂ and bulk ESS of the traced predictive; the divergences join the line when counted', () => {
    expect(chainSummary(undefined)).toBeUndefined();
    expect(chainSummary({ rhatPredictive: 1.001 })).toBeUndefined();
    expect(chainSummary({ rhatPredictive: 1.001, essPredictive: 812, divergences: 0 })).toEqual({ line: 'R̂ (predictive, worst) 1.001, bulk ESS (worst) 812, 0 divergences', warnings: [] });
    expect(chainSummary({ rhatPredictive: 1.001, essPredictive: 812 })!.line).toBe('R̂ (predictive, worst) 1.001, bulk ESS (worst) 812');
  });

  it('warns exactly past each threshold: R̂ > 1.01, ESS < 100, any divergence', () => {
    const w = (rhat: number, ess: number, divergences: number) => chainSummary({ rhatPredictive: rhat, essPredictive: ess, divergences })!.warnings;
    expect(w(1.01, 100, 0)).toEqual([]);
    expect(w(1.0101, 100, 0)).toEqual([expect.stringMatching(/^R̂ 1\.010 > 1\.01 on the traced predictive/)]);
    expect(w(1.01, 99, 0)).toEqual([expect.stringMatching(/^bulk ESS 99 < 100/)]);
    expect(w(1.01, 100, 3)).toEqual(['3 divergent transitions: the draws may miss part of the posterior.']);
    expect(w(1.59, 5, 1)).toHaveLength(3);
  });

  it("runWarnings puts the sampler's own warnings first, then the chains'", () => {
    expect(runWarnings(undefined)).toEqual([]);
    expect(runWarnings({ warnings: ['own'], rhatPredictive: 1.2, essPredictive: 500 })).toEqual(['own', expect.stringMatching(/^R̂ 1\.200/)]);
    expect(runWarnings({ warnings: ['own'] })).toEqual(['own']);
  });
});

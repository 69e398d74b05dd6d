import { describe, expect, it } from 'vitest';
import { sampleJson, sampleJsonText } from '../../src/cli/sample.js';
import type { SampleChainsResult } from '../../src/samplers/sample-chains.js';

function result(chains: number, count: number, dim: number): SampleChainsResult {
  const draws = Array.from({ length: chains }, (_, c) => Float64Array.from({ length: count * dim }, (_, i) => (i % 11 === 3 ? NaN : Math.sin(c * 7 + i) * 1e3)));
  draws[0][0] = -0;
  return {
    dim, names: null, chains, count, draws, predictive: null, predictSize: 0,
    diagnostics: { rhat: [1, 1.2], essBulk: [400, 300], essTail: [410, NaN], warnings: [] },
    predictiveDiagnostics: null, metric: Array.from({ length: chains }, () => 'diag' as const), stepSize: [0.1, 0.2], targetAccept: [0.8, 0.9], divergences: [0, 1], gradEvals: [1, 2], chainSeconds: [1, 1], seconds: 2, results: [],
  };
}

describe('bdl sample JSON', () => {
  it('written piece by piece is JSON.stringify of the whole document, byte for byte', async () => {
    for (const [chains, count] of [[2, 4500], [1, 0], [3, 2000]]) {
      const r = result(chains, count, 2);
      const extra = { options: { draws: count }, seed: 3, version: 'x', timings: { sampling: 1, total: 2 } };
      const whole = { ...sampleJson(r), draws: r.draws!.map((a) => Array.from({ length: count }, (_, i) => Array.from(a.subarray(i * 2, i * 2 + 2)))), ...extra };
      expect(await sampleJsonText(r, extra, new AbortController().signal)).toBe(JSON.stringify(whole) + '\n');
    }
  });

  it('stops with E_ABORTED between pieces', async () => {
    const ac = new AbortController();
    const p = sampleJsonText(result(2, 9000, 2), {}, ac.signal);
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'E_ABORTED' });
  });
});

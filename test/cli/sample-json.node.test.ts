import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeOutputs } from '../../src/cli/output.js';
import { sampleJson, sampleJsonPieces } from '../../src/cli/sample.js';
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

async function pieces(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const p of it) out.push(p);
  return out;
}

describe('bdl sample JSON', () => {
  it('written piece by piece is JSON.stringify of the whole document, byte for byte', async () => {
    for (const [chains, count] of [[2, 4500], [1, 0], [3, 2000]]) {
      const r = result(chains, count, 2);
      const extra = { options: { draws: count }, seed: 3, version: 'x', timings: { sampling: 1, total: 2 } };
      const whole = { ...sampleJson(r), draws: r.draws!.map((a) => Array.from({ length: count }, (_, i) => Array.from(a.subarray(i * 2, i * 2 + 2)))), ...extra };
      expect((await pieces(sampleJsonPieces(r, extra, new AbortController().signal))).join('')).toBe(JSON.stringify(whole) + '\n');
    }
  });

  it('never makes one string of the draws: a wide draw is its own piece, narrow draws share one of bounded length', async () => {
    for (const dim of [2, 40_000]) {
      const ps = await pieces(sampleJsonPieces(result(2, dim === 2 ? 60_000 : 3, dim), {}, new AbortController().signal));
      const longest = Math.max(...ps.map((p) => p.length));
      // A piece holds at most 2^14 numbers (one draw when wider), of at most ~25 characters each.
      expect(longest).toBeLessThan(25 * Math.max(dim, 1 << 14));
      expect(ps.length).toBeGreaterThan(dim === 2 ? 14 : 6);
    }
  });

  it('written to a file as the pieces come, the file is the whole document', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bdl-sample-'));
    try {
      const r = result(3, 7000, 2);
      const path = join(dir, 'draws.json');
      await writeOutputs([{ flag: 'out', path, data: sampleJsonPieces(r, { seed: 1 }, new AbortController().signal) }]);
      expect(readFileSync(path, 'utf8')).toBe((await pieces(sampleJsonPieces(r, { seed: 1 }, new AbortController().signal))).join(''));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops with E_ABORTED between pieces', async () => {
    const ac = new AbortController();
    const p = pieces(sampleJsonPieces(result(2, 90_000, 2), {}, ac.signal));
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: 'E_ABORTED' });
  });
});

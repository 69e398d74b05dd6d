import { describe, expect, it } from 'vitest';
import { sampleChains, type DiagnosticsProgress, type SampleProgress } from '../../src/samplers/sample-chains.js';

const src = 'export const dim = 3; export function logDensity(q, g) { let lp = 0; for (let i = 0; i < 3; i++) { g[i] = -q[i]; lp -= 0.5 * q[i] * q[i]; } return lp; }';
const url = `data:text/javascript,${encodeURIComponent(src)}`;

describe('sampleChains progress', () => {
  it("reports the chains' iterations, then the diagnostics quantity by quantity", async () => {
    const seen: (SampleProgress | DiagnosticsProgress)[] = [];
    const push = (p: SampleProgress | DiagnosticsProgress) => seen.push({ ...p });
    const r = await sampleChains({ type: 'module', url }, { chains: 2, warmup: 20, draws: 20, seed: 1, poolSize: 0, onProgress: push, onDiagnostics: push });
    const first = seen.findIndex((p) => p.phase === 'diagnostics');
    expect(first).toBeGreaterThan(0);
    expect(seen.slice(0, first).every((p) => p.phase === 'warmup' || p.phase === 'sampling')).toBe(true);
    expect(seen.slice(first)).toEqual([0, 1, 2, 3].map((done) => ({ phase: 'diagnostics', done, total: 3 })));
    expect(r.diagnostics!.rhat).toHaveLength(3);
  });

  it('reports no diagnostics phase when there are too few draws to diagnose', async () => {
    const seen: DiagnosticsProgress[] = [];
    await sampleChains({ type: 'module', url }, { chains: 2, warmup: 5, draws: 3, seed: 1, poolSize: 0, onDiagnostics: (p) => seen.push(p) });
    expect(seen).toEqual([]);
  });
});

// 'chain' tasks through the built package (dist/), in Node and in Chromium workers alike.
import { describe, expect, it } from 'vitest';
import type { MlpSpec, SampleChainsResult } from '../../src/index.js';
import { lib } from '../pool/lib.js';

const spec: MlpSpec = { inputs: 2, hidden: [3], outputs: 1, activation: 'tanh', likelihood: 'gaussian' };
const n = 16;
const x = Float32Array.from({ length: n * 2 }, (_, i) => Math.cos(1.3 * i));
const y = Float32Array.from({ length: n }, (_, i) => x[2 * i] * x[2 * i + 1] + 0.1 * Math.sin(3 * i));
const bits = (r: SampleChainsResult) => r.draws!.map((a) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length * 2)));

describe("'chain' tasks (any runtime)", () => {
  it('BNN chains give bit-identical draws on pools of size 0 and 2', async () => {
    const got: SampleChainsResult[] = [];
    for (const size of [0, 2]) {
      const pool = await lib.createPool({ size });
      try {
        got.push(await lib.sampleChains({ type: 'bnn', spec, data: { x, y, n, inputs: 2, targets: 1 }, noiseVar: 0.05 }, { chains: 2, warmup: 40, draws: 30, seed: 9, pool }));
      } finally {
        await pool.close();
      }
    }
    expect(bits(got[1])).toEqual(bits(got[0]));
    expect(bits(got[0])[0]).not.toEqual(bits(got[0])[1]);
  });

  it('samples a user module given by URL (here a data: URL) inside the workers', async () => {
    const src = 'export const dim = 1; export function logDensity(q, g) { g[0] = -(q[0] + 1) / 0.25; return -0.5 * (q[0] + 1) ** 2 / 0.25; }';
    const url = `data:text/javascript,${encodeURIComponent(src)}`;
    const r = await lib.sampleChains({ type: 'module', url }, { chains: 2, warmup: 200, draws: 300, seed: 2, poolSize: 2 });
    const all = [...r.draws![0], ...r.draws![1]];
    const m = all.reduce((a, b) => a + b, 0) / all.length;
    expect(Math.abs(m + 1)).toBeLessThan(0.15);
    expect(r.names).toBeNull();
  });

  it('a dense metric runs in the workers with the same bits as in-thread, and says so', async () => {
    // A 3-D Gaussian with correlations 0.95 (precision written out: Σ⁻¹ of (1 − ρ)I + ρ11ᵀ).
    const src = 'export const dim = 3; const a = 1 / 0.05, b = 0.95 / (0.05 * 2.9); export function logDensity(q, g) { const s = q[0] + q[1] + q[2]; let lp = 0; for (let i = 0; i < 3; i++) { g[i] = -(a * q[i] - b * s); lp += 0.5 * q[i] * g[i]; } return lp; }';
    const url = `data:text/javascript,${encodeURIComponent(src)}`;
    const got: SampleChainsResult[] = [];
    for (const size of [0, 2]) got.push(await lib.sampleChains({ type: 'module', url }, { chains: 2, warmup: 150, draws: 50, seed: 5, poolSize: size, metric: 'dense' }));
    expect(got[0].metric).toEqual(['dense', 'dense']);
    expect(bits(got[1])).toEqual(bits(got[0]));
    expect(got[0].results[0].denseInvMetric!.length).toBe(9);
  });
});

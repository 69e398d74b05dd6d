// 'chain' tasks through the built package (dist/): workers cannot start .ts files.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { MlpSpec, RestartEvent, SampleChainsResult, SampleTarget } from '../../src/index.js';
import { withFaults } from '../pool/faults.js';
import { advanced, faultPool, lib } from '../pool/lib.js';

function bnnTarget(xTest?: Float32Array): SampleTarget {
  const spec: MlpSpec = { inputs: 2, hidden: [4], outputs: 1, activation: 'tanh', likelihood: 'gaussian' };
  const n = 20;
  const x = Float32Array.from({ length: n * 2 }, (_, i) => Math.sin(1.7 * i));
  const y = Float32Array.from({ length: n }, (_, i) => Math.tanh(x[2 * i] - x[2 * i + 1]) + 0.1 * Math.cos(5 * i));
  return { type: 'bnn', spec, data: { x, y, n, inputs: 2, targets: 1 }, noiseVar: 0.1, xTest };
}

const bits = (r: SampleChainsResult) => (r.draws ?? r.predictive)!.map((a) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length * 2)));
const short = { chains: 3, warmup: 60, draws: 40, seed: 5, checkpointEvery: 20 };

describe("'chain' tasks in the pool", () => {
  it('gives bit-identical draws on pools of size 0 and 2, distinct per chain', async () => {
    const got = [];
    for (const size of [0, 2]) {
      const pool = await lib.createPool({ size });
      try {
        got.push(await lib.sampleChains(bnnTarget(), { ...short, pool }));
      } finally {
        await pool.close();
      }
    }
    expect(got[0].draws).toHaveLength(3);
    expect(got[0].count).toBe(40);
    expect(got[0].draws![0]).toHaveLength(40 * got[0].dim);
    expect(bits(got[1])).toEqual(bits(got[0]));
    expect(bits(got[0])[0]).not.toEqual(bits(got[0])[1]);
    expect(got[0].diagnostics!.rhat).toHaveLength(got[0].dim);
    expect(got[0].stepSize.every((s) => s > 0)).toBe(true);
  });

  it('a chain whose worker is killed resumes from its checkpoint with identical draws', async () => {
    const pool = await faultPool(2);
    try {
      const expected = await lib.sampleChains(bnnTarget(), { ...short, pool });
      const restarts: RestartEvent[] = [];
      const chain1Dies = withFaults(pool, (t) => (t.stream === 1 ? { crashAt: 70, crash: 'exit' } : undefined));
      const got = await lib.sampleChains(bnnTarget(), { ...short, pool: chain1Dies, onRestart: (e) => restarts.push(e) });
      expect(restarts).toHaveLength(1);
      expect(restarts[0]).toMatchObject({ taskId: 1, attempt: 1 });
      expect((restarts[0].checkpoint as { checkpoint: { iteration: number } }).checkpoint.iteration).toBe(60);
      expect(bits(got)).toEqual(bits(expected));
    } finally {
      await pool.close();
    }
  });

  it('at the default checkpoint interval (checkpoints sent at most every 250 ms) a killed chain still resumes with identical draws', async () => {
    // However many of the 100-iteration checkpoints were skipped, the one a restart gets carries
    // every piece kept up to it.
    const pool = await faultPool(2);
    const opts = { chains: 2, warmup: 250, draws: 350, seed: 8 };
    try {
      const expected = await lib.sampleChains(bnnTarget(), { ...opts, pool });
      const restarts: RestartEvent[] = [];
      const chain0Dies = withFaults(pool, (t) => (t.stream === 0 ? { crashAt: 520, crash: 'exit' } : undefined));
      const got = await lib.sampleChains(bnnTarget(), { ...opts, pool: chain0Dies, onRestart: (e) => restarts.push(e) });
      expect(restarts).toHaveLength(1);
      const from = (restarts[0].checkpoint as { checkpoint: { iteration: number } }).checkpoint.iteration;
      expect([100, 200, 300, 400, 500]).toContain(from);
      expect(bits(got)).toEqual(bits(expected));
    } finally {
      await pool.close();
    }
  });

  it('keeps f(x*) per draw, equal to the network at the kept draws', async () => {
    const xTest = new Float32Array([0.5, -0.5, 1, 2, -1, 0]);
    const r = await lib.sampleChains(bnnTarget(xTest), { ...short, returns: 'both', poolSize: 0 });
    expect(r.predictSize).toBe(3);
    const mlp = await advanced.Mlp.create((bnnTarget() as { spec: MlpSpec }).spec);
    for (const i of [0, 17, 39]) {
      const theta = Float32Array.from(r.draws![2].subarray(i * r.dim, (i + 1) * r.dim));
      expect(Array.from(r.predictive![2].subarray(i * 3, i * 3 + 3))).toEqual(Array.from(mlp.forward(theta, xTest)));
    }
    expect(r.predictiveDiagnostics!.essBulk).toHaveLength(3);
  });

  it('samples a user module target in the workers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bdl-target-'));
    const file = join(dir, 'target.mjs');
    writeFileSync(file, `export const dim = 2; export const names = ['a', 'b'];
export function logDensity(q, g) { g[0] = -(q[0] - 3); g[1] = -q[1] / 4; return -0.5 * (q[0] - 3) ** 2 - q[1] ** 2 / 8; }\n`);
    const r = await lib.sampleChains({ type: 'module', url: pathToFileURL(file).href }, { chains: 2, warmup: 200, draws: 400, seed: 1, poolSize: 2 });
    expect(r.names).toEqual(['a', 'b']);
    let m = 0;
    for (const d of r.draws!) for (let i = 0; i < r.count; i++) m += d[2 * i];
    expect(Math.abs(m / (2 * r.count) - 3)).toBeLessThan(0.3);
    expect(r.diagnostics!.rhat.every((x) => x < 1.05)).toBe(true);
  });
});

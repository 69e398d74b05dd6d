import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { layoutOf, type MlpSpec } from '../../src/model/spec.js';
import { BnnTarget } from '../../src/samplers/bnn-target.js';
import { philoxRng } from '../../src/samplers/rng.js';
import { refLoss } from '../helpers/reference-mlp.js';

function lcg(seed: number) {
  let s = seed;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

function dataFor(spec: MlpSpec, n: number, seed: number) {
  const r = lcg(seed);
  const x = Array.from({ length: n }, () => Array.from({ length: spec.inputs }, r));
  const y = spec.likelihood === 'categorical'
    ? Array.from({ length: n }, (_, i) => i % spec.outputs)
    : Array.from({ length: n }, () => Array.from({ length: spec.outputs }, () => 2 * r()));
  return makeDataset(x, y);
}

/** The float64 reference: (−NLL − ½ Σ λᵢθᵢ²) / T. */
function refLogDensity(spec: MlpSpec, theta: Float64Array, data: ReturnType<typeof dataFor>, lam: (i: number) => number, noiseVar: number, T: number): number {
  let q = 0;
  for (let i = 0; i < theta.length; i++) q += lam(i) * theta[i] ** 2;
  return -(refLoss(spec, theta, data.x, data.y, data.n, noiseVar) + 0.5 * q) / T;
}

describe('BnnTarget', () => {
  const cases: { name: string; spec: MlpSpec; n: number; capacity: number; prior: number | number[]; noiseVar?: number; T: number }[] = [
    { name: 'tanh 1×7, one chunk, scalar prior', spec: { inputs: 3, hidden: [7], outputs: 1, activation: 'tanh', likelihood: 'gaussian' }, n: 13, capacity: 13, prior: 1, noiseVar: 0.25, T: 1 },
    { name: 'tanh 2 layers, ragged chunks (37 rows by 8), per-layer prior, T = 2.5', spec: { inputs: 5, hidden: [4, 3], outputs: 2, activation: 'tanh', likelihood: 'gaussian' }, n: 37, capacity: 8, prior: [0.5, 2, 3], noiseVar: 0.7, T: 2.5 },
    { name: 'categorical, 3 classes, chunked', spec: { inputs: 4, hidden: [6], outputs: 3, activation: 'sigmoid', likelihood: 'categorical' }, n: 29, capacity: 7, prior: 0.3, T: 1 },
  ];
  for (const c of cases) {
    it(`${c.name}: log density vs float64 reference, gradient vs finite differences`, async () => {
      const data = dataFor(c.spec, c.n, 7);
      const t = await BnnTarget.create({ spec: c.spec, data, priorPrecision: c.prior, noiseVar: c.noiseVar, temperature: c.T, capacity: c.capacity });
      const layout = layoutOf(c.spec);
      const lam = (i: number) => {
        if (typeof c.prior === 'number') return c.prior;
        const l = layout.layers.findIndex((L) => i >= L.w && i < L.b + L.fanOut);
        return c.prior[l];
      };
      const r = lcg(3);
      // θ exactly representable in f32, so the reference sees the same network the engine runs.
      const theta = Float64Array.from({ length: t.dim }, () => Math.fround(0.8 * r()));
      const grad = new Float64Array(t.dim);
      const lp = t.logDensity(theta, grad);
      const nv = c.noiseVar ?? 1;
      const ref = refLogDensity(c.spec, theta, data, lam, nv, c.T);
      expect(Math.abs(lp - ref)).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref)));
      // Central differences on the f64 reference (the f32 engine is too coarse to difference).
      const h = 1e-5;
      let worst = 0;
      let scale = 0;
      for (let i = 0; i < t.dim; i++) {
        const p = theta.slice();
        p[i] += h;
        const m = theta.slice();
        m[i] -= h;
        const fd = (refLogDensity(c.spec, p, data, lam, nv, c.T) - refLogDensity(c.spec, m, data, lam, nv, c.T)) / (2 * h);
        worst = Math.max(worst, Math.abs(fd - grad[i]));
        scale = Math.max(scale, Math.abs(fd));
      }
      expect(scale).toBeGreaterThan(0.1);
      expect(worst).toBeLessThan(2e-4 * Math.max(1, scale));
      // A second call with the same θ gives the same bits (buffers reused, nothing carried over).
      const g2 = new Float64Array(t.dim);
      expect(t.logDensity(theta, g2)).toBe(lp);
      expect(g2).toEqual(grad);
    });
  }

  it('chunking does not change the density beyond f32 summation order', async () => {
    const spec: MlpSpec = { inputs: 3, hidden: [5], outputs: 1, activation: 'tanh', likelihood: 'gaussian' };
    const data = dataFor(spec, 41, 9);
    const a = await BnnTarget.create({ spec, data });
    const b = await BnnTarget.create({ spec, data, capacity: 6 });
    const theta = Float64Array.from({ length: a.dim }, (_, i) => Math.sin(i));
    const ga = new Float64Array(a.dim);
    const gb = new Float64Array(a.dim);
    const la = a.logDensity(theta, ga);
    expect(Math.abs(la - b.logDensity(theta, gb))).toBeLessThan(1e-4 * Math.abs(la));
    for (let i = 0; i < a.dim; i++) expect(Math.abs(ga[i] - gb[i])).toBeLessThan(1e-3 * (1 + Math.abs(ga[i])));
  });

  it('θ and ∇ given as views of its own wasm memory (as NUTS passes them) give the same bits as plain arrays', async () => {
    const spec: MlpSpec = { inputs: 3, hidden: [5], outputs: 1, activation: 'tanh', likelihood: 'gaussian' };
    const t = await BnnTarget.create({ spec, data: dataFor(spec, 41, 9), priorPrecision: 0.7, temperature: 1.3 });
    const theta = Float64Array.from({ length: t.dim }, (_, i) => Math.sin(i));
    const g = new Float64Array(t.dim);
    const lp = t.logDensity(theta, g);
    const pt = t.arena.putF64(theta);
    const pg = t.arena.allocF64(t.dim);
    const lpView = t.logDensity(t.arena.f64(pt, t.dim), t.arena.f64(pg, t.dim));
    expect(lpView).toBe(lp);
    expect(Array.from(t.arena.f64(pg, t.dim))).toEqual(Array.from(g));
  });

  it('init(rng) is deterministic in the rng and predictInto gives the network output', async () => {
    const spec: MlpSpec = { inputs: 2, hidden: [3], outputs: 1, activation: 'tanh', likelihood: 'gaussian' };
    const data = dataFor(spec, 5, 1);
    const t = await BnnTarget.create({ spec, data });
    const a = t.init(philoxRng(1, 0, 0));
    expect(t.init(philoxRng(1, 0, 0))).toEqual(a);
    expect(t.init(philoxRng(1, 1, 0))).not.toEqual(a);
    const xs = new Float32Array([0.5, -1, 2, 0.25, 0, 0]);
    t.setTestInputs(xs);
    const out = new Float64Array(1 + t.predictSize);
    t.predictInto(a, out, 1);
    const f = t.mlp.forward(Float32Array.from(a), xs);
    expect(Array.from(out.subarray(1))).toEqual(Array.from(f));
  });

  it('rejects mismatched data and bad options with named errors', async () => {
    const spec: MlpSpec = { inputs: 2, hidden: [3], outputs: 1, activation: 'tanh', likelihood: 'gaussian' };
    const data = dataFor({ ...spec, inputs: 3 }, 5, 1);
    await expect(BnnTarget.create({ spec, data })).rejects.toMatchObject({ code: 'E_SHAPE', argument: 'data' });
    const ok = dataFor(spec, 5, 1);
    await expect(BnnTarget.create({ spec, data: ok, temperature: 0 })).rejects.toMatchObject({ argument: 'temperature' });
    await expect(BnnTarget.create({ spec, data: ok, priorPrecision: [1] })).rejects.toMatchObject({ argument: 'priorPrecision' });
  });
});

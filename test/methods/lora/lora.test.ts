import { describe, expect, it } from 'vitest';
import { adapterObjective, LoraAdapters } from '../../../src/methods/lora/adapters.js';
import { adapterGgn, fitLora, laplaceLogEvidence, loraLaplace, loraSwag, loraVi } from '../../../src/methods/lora/bayes.js';
import { posteriorFromBytes } from '../../../src/posterior/restore.js';
import { Rng } from '../../../src/random/index.js';
import type { LoopContext } from '../../../src/train/fit.js';
import { data, frozen } from './fixture.js';

const adapters = { layers: [{ layer: 0, rank: 2 }, { layer: 1, rank: 1 }] };

describe('low-rank adapters', () => {
  it('count rank·(fanIn + fanOut) parameters, start at the pretrained network (B = 0), and refuse bad layers', async () => {
    const { mlp, theta0 } = await frozen();
    const ad = new LoraAdapters(mlp, theta0, adapters);
    expect(ad.size).toBe(2 * (4 + 6) + 1 * (6 + 3));
    expect(Array.from(ad.merge(ad.init(0, 0)))).toEqual(Array.from(theta0));
    expect(() => new LoraAdapters(mlp, theta0, { layers: [{ layer: 2, rank: 1 }] })).toThrow(/layer/);
    expect(() => new LoraAdapters(mlp, theta0, { layers: [{ layer: 1, rank: 4 }] })).toThrow(/rank/);
  });

  it('have the gradient of finite differences through the frozen network (chain rule through the merge)', async () => {
    const { mlp, theta0 } = await frozen();
    const ad = new LoraAdapters(mlp, theta0, adapters);
    const lambda = 0.7;
    const obj = adapterObjective(ad, { priorPrecision: lambda });
    const d = data(10, 1);
    const a = mlp.arena;
    const x = a.putF32(d.x);
    const y = a.putF32(d.y);
    const r = new Rng(5);
    const phi = Float32Array.from({ length: ad.size }, () => 0.3 * r.normal());
    const p = a.allocF32(ad.size);
    const g = a.allocF32(ad.size);
    const ctx = { n: 20 } as LoopContext;
    const at = (v: Float32Array) => {
      a.f32(p, ad.size).set(v);
      return obj.lossAndGradAt(p, g, x, y, d.n, ctx);
    };
    at(phi);
    const grad = a.f32(g, ad.size).slice();
    const h = 1e-2;
    for (let i = 0; i < ad.size; i++) {
      const up = phi.slice();
      const dn = phi.slice();
      up[i] += h;
      dn[i] -= h;
      const fd = (at(up) - at(dn)) / (2 * h);
      expect(Math.abs(fd - grad[i])).toBeLessThan(2e-3 + 2e-2 * Math.abs(fd));
    }
  });
});

describe('Bayesian adapters', () => {
  it('Laplace: the GGN over φ equals Σ Jᵀ(diag p − ppᵀ)J with J = ∂logits/∂φ by finite differences; λ is a stationary point of the evidence', async () => {
    const { mlp, theta0 } = await frozen();
    const d = data(40, 2);
    const f = await fitLora(mlp, theta0, d, adapters, { epochs: 30, batchSize: 20, learningRate: 0.03, seed: 1 });
    const P = f.adapters.size;
    const H = adapterGgn(f, d);
    const C = 3;
    const logits = (phi: Float32Array, n: number) => Array.from(mlp.forward(f.adapters.merge(phi), d.x.subarray(n * 4, n * 4 + 4)));
    const ref = new Float64Array(P * P);
    const h = 1e-2;
    for (let n = 0; n < d.n; n++) {
      const J = Array.from({ length: P }, (_, i) => {
        const up = f.phi.slice();
        const dn = f.phi.slice();
        up[i] += h;
        dn[i] -= h;
        const lu = logits(up, n);
        const ld = logits(dn, n);
        return lu.map((v, c) => (v - ld[c]) / (2 * h));
      });
      const z = logits(f.phi, n);
      const m = Math.max(...z);
      const e = z.map((v) => Math.exp(v - m));
      const s = e.reduce((u, v) => u + v, 0);
      const pr = e.map((v) => v / s);
      for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) {
        let t = 0;
        for (let c = 0; c < C; c++) for (let c2 = 0; c2 < C; c2++) t += J[i][c] * ((c === c2 ? pr[c] : 0) - pr[c] * pr[c2]) * J[j][c2];
        ref[i * P + j] += t;
      }
    }
    let maxRef = 0;
    for (const v of ref) maxRef = Math.max(maxRef, Math.abs(v));
    for (let i = 0; i < P * P; i++) expect(Math.abs(H[i] - ref[i])).toBeLessThan(2e-3 * maxRef + 1e-4);
    const post = loraLaplace(f, d, { samples: 8, predictive: 'sampled' });
    const lambda = post.source.extra.priorPrecision as number;
    const phiSq = f.phi.reduce((u, v) => u + v * v, 0);
    const eps = 1e-3;
    const { values } = (await import('../../../src/linalg/index.js')).eigh(mlp.arena, H, P);
    const slope = (laplaceLogEvidence(lambda * (1 + eps), values, phiSq) - laplaceLogEvidence(lambda * (1 - eps), values, phiSq)) / (2 * eps);
    expect(Math.abs(slope)).toBeLessThan(1e-3 * P);
    expect(laplaceLogEvidence(lambda, values, phiSq)).toBeGreaterThan(laplaceLogEvidence(lambda * 3, values, phiSq));
    const onB = loraLaplace(f, d, { samples: 4, subset: 'B', predictive: 'sampled' });
    expect(onB.source.extra.laplaceParameters).toBe(2 * 6 + 1 * 3);
    expect(() => loraLaplace(f, d, { subset: 'A' as 'B' })).toThrow(/subset/);
  });

  it('Laplace, SWAG and VI adapters predict, round-trip through bytes, and repeat bit for bit with the seed', async () => {
    const d = data(40, 4);
    const xs = d.x.subarray(0, 20);
    const run = async () => {
      const { mlp, theta0 } = await frozen();
      const f = await fitLora(mlp, theta0, d, adapters, { epochs: 10, batchSize: 20, learningRate: 0.03, seed: 1 });
      return [f.posterior, loraLaplace(f, d, { samples: 5, seed: 2, predictive: 'sampled' }), await loraSwag(f, d, { epochs: 5, samples: 5, seed: 2 }), await loraVi(mlp, theta0, d, adapters, { epochs: 10, batchSize: 20, learningRate: 0.03, samples: 5, seed: 2 })];
    };
    const a = await run();
    const b = await run();
    expect(a.map((p) => p.method)).toEqual(['lora', 'lora-laplace', 'lora-swag', 'lora-vi']);
    for (let i = 0; i < a.length; i++) {
      const pa = await a[i].predict(xs);
      const pb = await b[i].predict(xs);
      if (pa.kind !== 'classification' || pb.kind !== 'classification') throw new Error('classification expected');
      expect(Array.from(pb.probs)).toEqual(Array.from(pa.probs));
      const again = await posteriorFromBytes(a[i].toBytes());
      expect(again.method).toBe(a[i].method);
      const pc = await again.predict(xs);
      if (pc.kind !== 'classification') throw new Error('classification expected');
      expect(Array.from(pc.probs)).toEqual(Array.from(pa.probs));
      if (i > 0) expect(Math.max(...pa.mutualInformation)).toBeGreaterThan(0);
    }
  });
});

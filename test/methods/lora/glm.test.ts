import { describe, expect, it } from 'vitest';
import { LoraAdapters } from '../../../src/methods/lora/adapters.js';
import { fitLora, loraLaplace } from '../../../src/methods/lora/bayes.js';
import { adapterJacobian, loraGlmMoments } from '../../../src/methods/lora/glm.js';
import { sampledProbs } from '../../../src/methods/laplace/predictive.js';
import { classificationPredictive } from '../../../src/posterior/aggregate.js';
import { posteriorFromBytes } from '../../../src/posterior/restore.js';
import { Rng } from '../../../src/random/index.js';
import { data, frozen, spec } from './fixture.js';

/** Logits of the adapted network at φ for rows x, in float64 from the engine's float32 forward. */
function logits(ad: LoraAdapters, phi: ArrayLike<number>, x: Float32Array): Float64Array {
  const a = ad.mlp.arena;
  const n = x.length / spec.inputs;
  const mark = a.mark();
  try {
    const th = a.putF32(ad.merge(Float32Array.from(phi)));
    const px = a.putF32(x);
    return Float64Array.from(a.f32(ad.mlp.forwardAt(th, px, n), n * spec.outputs));
  } finally {
    a.reset(mark);
  }
}

describe('Laplace-LoRA linearized predictive', () => {
  it('has the Jacobian of the logits w.r.t. the adapters (central finite differences)', async () => {
    const { mlp, theta0 } = await frozen();
    const ad = new LoraAdapters(mlp, theta0, { layers: [{ layer: 0, rank: 2 }, { layer: 1, rank: 1 }] });
    const r = new Rng(5);
    const phi = Float32Array.from({ length: ad.size }, () => 0.5 * r.normal());
    const x = data(3, 7).x;
    const J = adapterJacobian(ad, phi, x);
    const K = spec.outputs;
    const P = ad.size;
    const h = 1e-2;
    let worst = 0;
    let big = 0;
    for (let j = 0; j < P; j++) {
      const up = phi.slice();
      const dn = phi.slice();
      up[j] += h;
      dn[j] -= h;
      const fu = logits(ad, up, x);
      const fd = logits(ad, dn, x);
      for (let n = 0; n < 3; n++) {
        for (let c = 0; c < K; c++) {
          const fdv = (fu[n * K + c] - fd[n * K + c]) / (2 * h);
          worst = Math.max(worst, Math.abs(fdv - J[(n * K + c) * P + j]));
          big = Math.max(big, Math.abs(fdv));
        }
      }
    }
    expect(big).toBeGreaterThan(0.05);
    expect(worst).toBeLessThan(2e-3 * Math.max(1, big));
  });

  it('is exact when the logits are linear in the covered adapters (B of the output layer, A fixed)', async () => {
    const { mlp, theta0 } = await frozen();
    const d = data(40, 4);
    const f = await fitLora(mlp, theta0, d, { layers: [{ layer: 1, rank: 2 }] }, { epochs: 10, batchSize: 20, learningRate: 0.03, seed: 1 });
    const post = loraLaplace(f, d, { subset: 'B', priorPrecision: 2 });
    const xs = d.x.subarray(0, 5 * spec.inputs);
    const { mean, cov } = loraGlmMoments(post.parts, xs);
    const f0 = logits(f.adapters, f.phi, xs);
    for (let i = 0; i < f0.length; i++) expect(mean[i]).toBeCloseTo(f0[i], 5);
    // Linear in B: f(φ* + R z) − f(φ*) = J R z for any z, so the logits' Gaussian is the exact pushforward.
    const { indices, root } = post.parts;
    const k = indices.length;
    const J = adapterJacobian(f.adapters, f.phi, xs);
    const P = f.adapters.size;
    const K = spec.outputs;
    const r = new Rng(9);
    const z = Float64Array.from({ length: k }, () => 3 * r.normal());
    const phi = Float64Array.from(f.phi);
    for (let a = 0; a < k; a++) for (let j = 0; j < k; j++) phi[indices[a]] += root[a * k + j] * z[j];
    const f1 = logits(f.adapters, phi, xs);
    for (let i = 0; i < f0.length; i++) {
      let lin = f0[i];
      for (let a = 0; a < P; a++) lin += J[i * P + a] * (phi[a] - f.phi[a]);
      expect(f1[i]).toBeCloseTo(lin, 3);
    }
    // And the covariance is J Σ Jᵀ with Σ = R Rᵀ, formed densely here.
    for (let n = 0; n < 5; n++) {
      for (let c = 0; c < K; c++) {
        for (let e = 0; e < K; e++) {
          let s = 0;
          for (let j = 0; j < k; j++) {
            let u = 0;
            let v = 0;
            for (let a = 0; a < k; a++) {
              u += J[(n * K + c) * P + indices[a]] * root[a * k + j];
              v += J[(n * K + e) * P + indices[a]] * root[a * k + j];
            }
            s += u * v;
          }
          expect(cov[(n * K + c) * K + e]).toBeCloseTo(s, 6); // float32 logits: Chromium and Node round the products differently at ~1e-8
        }
      }
    }
    expect(post.priorPrecision).toBe(2);
  });

  it('is the default, uses the evidence’s λ, round-trips through bytes with the identical predictive, and refuses bad options', async () => {
    const { mlp, theta0 } = await frozen();
    const d = data(40, 4);
    const f = await fitLora(mlp, theta0, d, { layers: [{ layer: 0, rank: 2 }, { layer: 1, rank: 1 }] }, { epochs: 10, batchSize: 20, learningRate: 0.03, seed: 1 });
    const glm = loraLaplace(f, d);
    const sampled = loraLaplace(f, d, { predictive: 'sampled', samples: 4 });
    expect(glm.method).toBe('lora-laplace-glm');
    expect(glm.priorPrecision).toBe(sampled.source.extra.priorPrecision);
    const xs = d.x.subarray(0, 10 * spec.inputs);
    for (const link of ['probit', 'mc'] as const) {
      const post = loraLaplace(f, d, { link });
      const p = await post.predict(xs, { samples: 20, seed: 3 });
      const again = await posteriorFromBytes(post.toBytes());
      expect(again.method).toBe('lora-laplace-glm');
      const q = await again.predict(xs, { samples: 20, seed: 3 });
      if (q.kind !== 'classification') throw new Error('classification expected');
      expect(Array.from(q.probs)).toEqual(Array.from(p.probs));
      expect(Array.from(q.mutualInformation)).toEqual(Array.from(p.mutualInformation));
      for (let n = 0; n < 10; n++) expect(p.probs[n * 3] + p.probs[n * 3 + 1] + p.probs[n * 3 + 2]).toBeCloseTo(1, 5);
      expect(Math.max(...p.mutualInformation)).toBeGreaterThan(0);
    }
    expect(() => loraLaplace(f, d, { predictive: 'nonlinear' as 'glm' })).toThrow(/predictive/);
    expect(() => loraLaplace(f, d, { link: 'logit' as 'mc' })).toThrow(/link/);
  });

  it('predicts in batches with the bits of one pass (the moments of 150 rows: 2 batches of 64 and 22), and stops at an aborted signal', async () => {
    const { mlp, theta0 } = await frozen();
    const d = data(150, 6);
    const f = await fitLora(mlp, theta0, d, { layers: [{ layer: 0, rank: 2 }] }, { epochs: 3, batchSize: 50, learningRate: 0.03, seed: 2 });
    const post = loraLaplace(f, d, { priorPrecision: 2, link: 'mc' });
    const p = await post.predict(d.x, { samples: 8, seed: 5 });
    const { mean, cov } = loraGlmMoments(post.parts, d.x);
    const want = classificationPredictive(sampledProbs(mlp.arena, mean, cov, 150, spec.outputs, false, 8, 5), 8, spec.outputs);
    expect(Array.from(p.probs)).toEqual(Array.from(want.probs));
    expect(Array.from(p.expectedEntropy)).toEqual(Array.from(want.expectedEntropy));
    const c = new AbortController();
    c.abort();
    await expect(post.predict(d.x, { signal: c.signal })).rejects.toMatchObject({ code: 'E_ABORTED' });
  });
});

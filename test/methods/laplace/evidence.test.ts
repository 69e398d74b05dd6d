// The evidence search with one prior precision per layer (evidence.ts): every structure's
// `logdetAlong…` is its `logdet` along one coordinate (full.ts by a Schur complement, full-logdet.ts),
// and the per-layer optimum of a full Laplace matches a plain float64 search that factors
// s·H + diag λ from scratch at every evaluation.
import { beforeAll, describe, expect, it } from 'vitest';
import { runSteps } from '../../../src/diagnostics/steps.js';
import { goldenMax } from '../../../src/methods/golden-section.js';
import { Linearization } from '../../../src/methods/laplace/engine.js';
import { evidenceContext, logEvidence, maximizeEvidence, type Hyper } from '../../../src/methods/laplace/evidence.js';
import { STRUCTURES } from '../../../src/methods/laplace/laplace.js';
import { layerSubset } from '../../../src/methods/laplace/subset.js';
import type { Factors, Hessian, Subset } from '../../../src/methods/laplace/types.js';
import { Mlp } from '../../../src/model/mlp.js';
import type { MlpSpec } from '../../../src/model/spec.js';
import { Rng } from '../../../src/random/index.js';
import { gram } from './curvatures.js';

// Layers 3→5 (20 weights) and 5→2 (12 weights): two groups of unequal size.
const spec: MlpSpec = { inputs: 3, hidden: [5], outputs: 2, activation: 'tanh', likelihood: 'gaussian' };

/** Textbook f64 log det of a symmetric positive-definite matrix (NaN if a pivot is not positive). */
function refLogdet(a: Float64Array, n: number): number {
  const l = new Float64Array(n * n);
  let sum = 0;
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] ** 2;
    if (!(d > 0)) return NaN;
    l[j * n + j] = Math.sqrt(d);
    sum += Math.log(d);
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / l[j * n + j];
    }
  }
  return sum;
}

let mlp: Mlp;
let sub: Subset;
let lin: Linearization;
let theta: Float32Array;
beforeAll(async () => {
  mlp = await Mlp.create(spec);
  sub = layerSubset(mlp.layout, 'all', [0, 1]);
  lin = new Linearization(spec, mlp.arena, 1, 1, 0);
  theta = mlp.init(2);
});

/** Curvature arrays of each structure over the two layers, random PSD (the full H singular). */
function arraysOf(hessian: Hessian, rng: Rng): Record<string, Float64Array> {
  const d = sub.indices.length;
  if (hessian === 'full') return { H: gram(24, d, rng, 3) };
  if (hessian === 'diag') return { h: Float64Array.from({ length: d }, (_, i) => (i % 7 === 0 ? 0 : 5 * rng.uniform())) };
  return { A0: gram(6, 4, rng, 0.5), G0: gram(3, 5, rng, 4), A1: gram(8, 6, rng, 0.5), G1: gram(4, 2, rng, 4) };
}

const factorsOf = (hessian: Hessian, seed: number): Factors => STRUCTURES[hessian].restore(sub, lin, mlp.arena, arraysOf(hessian, new Rng(seed)));

describe('logdet along one coordinate', () => {
  for (const hessian of ['full', 'kron', 'diag'] as const) {
    it(`${hessian}: along λ_g and along s, it is logdet there`, () => {
      const f = factorsOf(hessian, 3);
      const prior = Float64Array.of(0.7, 30);
      for (const s of [0.05, 1, 40]) {
        for (const g of [0, 1]) {
          const along = runSteps(f.logdetAlongPrior(prior, s, g));
          for (const lambda of [1e-6, 0.01, 1, 250, 1e6]) {
            const p = prior.map((v, j) => (j === g ? lambda : v));
            const want = f.logdet(p, s);
            expect(Math.abs(along(lambda) - want), `s=${s} g=${g} λ=${lambda}`).toBeLessThan(1e-9 * Math.max(1, Math.abs(want)));
          }
        }
      }
      const along = runSteps(f.logdetAlongScale(prior));
      for (const s of [1e-3, 0.3, 1, 17, 1e4]) {
        const want = f.logdet(prior, s);
        expect(Math.abs(along(s) - want), `s=${s}`).toBeLessThan(1e-9 * Math.max(1, Math.abs(want)));
      }
    });
  }

  it('with one λ for every group, along s is logdet bit for bit (the scalar search is unchanged)', () => {
    for (const hessian of ['full', 'kron', 'diag'] as const) {
      const f = factorsOf(hessian, 4);
      const prior = Float64Array.of(2.5, 2.5);
      for (const s of [0.1, 1, 9]) expect(Object.is(runSteps(f.logdetAlongScale(prior))(s), f.logdet(prior, s))).toBe(true);
    }
  });

  it('full: against a float64 log det of s·H + diag λ formed and factored directly', () => {
    const H = arraysOf('full', new Rng(5)).H;
    const f = STRUCTURES.full.restore(sub, lin, mlp.arena, { H });
    const d = sub.indices.length;
    const direct = (prior: Float64Array, s: number) => {
      const P = H.map((v) => s * v);
      for (let i = 0; i < d; i++) P[i * d + i] += prior[sub.group[i]];
      return refLogdet(P, d);
    };
    const prior = Float64Array.of(0.2, 8);
    for (const g of [0, 1]) {
      const along = runSteps(f.logdetAlongPrior(prior, 2, g));
      for (const lambda of [1e-3, 0.5, 60]) {
        const want = direct(prior.map((v, j) => (j === g ? lambda : v)), 2);
        expect(Math.abs(along(lambda) - want)).toBeLessThan(1e-9 * Math.abs(want));
      }
    }
  });
});

describe('per-layer evidence maximization', () => {
  it('full: the optimum λ per layer and σ² match a float64 search that factors at every evaluation', () => {
    const H = arraysOf('full', new Rng(6)).H;
    const f = STRUCTURES.full.restore(sub, lin, mlp.arena, { H });
    const fit = { n: 24, rss: 9, nll: 0 };
    const ctx = evidenceContext(f, sub, fit, theta, true, 2, 1);
    const start: Hyper = { prior: Float64Array.of(1, 1), noiseVar: 0.4 };
    const got = maximizeEvidence(ctx, start, { perLayer: true, selectNoise: true });

    // The reference: the same coordinate-wise golden-section ascent, on an evidence in plain float64.
    const d = sub.indices.length;
    const sq = [0, 0];
    const size = [0, 0];
    sub.indices.forEach((i, k) => {
      sq[sub.group[k]] += theta[i] ** 2;
      size[sub.group[k]]++;
    });
    const evidence = (prior: number[], noiseVar: number) => {
      const P = H.map((v) => v / noiseVar);
      for (let i = 0; i < d; i++) P[i * d + i] += prior[sub.group[i]];
      const loglik = -0.5 * fit.n * 2 * Math.log(2 * Math.PI * noiseVar) - fit.rss / (2 * noiseVar);
      const logPrior = prior.reduce((s, l, g) => s - 0.5 * l * sq[g] + 0.5 * size[g] * Math.log(l), 0);
      return loglik + logPrior - 0.5 * refLogdet(P, d);
    };
    const prior = [1, 1];
    let noiseVar = 0.4;
    for (let sweep = 0; sweep < 4; sweep++) {
      for (let g = 0; g < 2; g++) prior[g] = Math.exp(goldenMax((x) => evidence(prior.map((p, j) => (j === g ? Math.exp(x) : p)), noiseVar), Math.log(1e-6), Math.log(1e6)));
      noiseVar = Math.exp(goldenMax((x) => evidence(prior, Math.exp(x)), Math.log(1e-8), Math.log(1e2)));
    }
    for (let g = 0; g < 2; g++) expect(Math.abs(Math.log(got.prior[g] / prior[g])), `λ_${g}`).toBeLessThan(1e-5);
    expect(Math.abs(Math.log(got.noiseVar / noiseVar))).toBeLessThan(1e-5);
    expect(Math.abs(logEvidence(ctx, got) - evidence(Array.from(got.prior), got.noiseVar))).toBeLessThan(1e-9 * Math.abs(evidence(prior, noiseVar)));
  });
});

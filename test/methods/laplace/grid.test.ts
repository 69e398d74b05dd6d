// The validation grid (grid.ts): a full curvature's candidates come from one eigendecomposition
// (full.ts `candidateCovs`), and they must be the covariances each candidate's own factorization
// gives (`covsByPosterior`), up to rounding; the search picks the candidate a brute-force scoring
// of every candidate picks; it reports its batches and stops on an abort.
import { beforeAll, describe, expect, it } from 'vitest';
import { Linearization } from '../../../src/methods/laplace/engine.js';
import { evidenceContext, type Hyper } from '../../../src/methods/laplace/evidence.js';
import { GRID_PRIORS, gridNoises, gridSearch } from '../../../src/methods/laplace/grid.js';
import { STRUCTURES } from '../../../src/methods/laplace/laplace.js';
import { glmMoments } from '../../../src/methods/laplace/predictive.js';
import { layerSubset } from '../../../src/methods/laplace/subset.js';
import { covsByPosterior, type Candidate, type Factors, type Subset } from '../../../src/methods/laplace/types.js';
import type { MethodProgress } from '../../../src/methods/common.js';
import { Mlp } from '../../../src/model/mlp.js';
import type { MlpSpec } from '../../../src/model/spec.js';
import { runSteps } from '../../../src/diagnostics/steps.js';
import { Rng } from '../../../src/random/index.js';
import { gram } from './curvatures.js';
import type { Dataset } from '../../../src/data/dataset.js';

// 4 → 6 → 3 outputs (tanh): 30 + 21 = 51 weights over both layers.
const spec: MlpSpec = { inputs: 4, hidden: [6], outputs: 3, activation: 'tanh', likelihood: 'gaussian' };

let mlp: Mlp;
let sub: Subset;
let theta: Float32Array;
let factors: Factors;
let val: Dataset;
beforeAll(async () => {
  mlp = await Mlp.create(spec);
  sub = layerSubset(mlp.layout, 'all', [0, 1]);
  theta = mlp.init(3);
  const d = sub.indices.length;
  // Rank 40 of 51: the singular directions are held by the prior alone.
  factors = STRUCTURES.full.restore(sub, new Linearization(spec, mlp.arena, 1, 1, 0), mlp.arena, { H: gram(40, d, new Rng(5)) });
  const rng = new Rng(9);
  const n = 300;
  val = { x: Float32Array.from({ length: n * 4 }, () => rng.normal()), y: Float32Array.from({ length: n * 3 }, () => rng.normal()), n, inputs: 4, targets: 3 };
});

/** The batch's Jacobian rows in a Linearization, as the grid makes them (unit output vectors). */
function linearized(rows: number): Linearization {
  const K = spec.outputs;
  const lin = new Linearization(spec, mlp.arena, rows, K, 0);
  const pTheta = mlp.arena.putF32(theta);
  const px = mlp.arena.putF32(val.x.subarray(0, rows * 4));
  lin.forward(pTheta, px, rows);
  const v = mlp.arena.f32(lin.v, K * rows * K);
  v.fill(0);
  for (let c = 0; c < K; c++) for (let n = 0; n < rows; n++) v[(c * rows + n) * K + c] = 1;
  lin.backward(pTheta, rows);
  return lin;
}

describe('full curvature, candidates by one eigendecomposition', () => {
  // λ = 1e-4 against a curvature of rank 40 scaled up to 7× (condition ~1e7): rounding of order ε·κ.
  it("gives each candidate's covariances as its own factorization does (relative 1e-8)", () => {
    const candidates: Candidate[] = [1e-4, 0.03, 1, 250, 1e4].flatMap((lam) => [0.2, 1, 7].map((s) => ({ prior: Float64Array.of(lam, lam), s })));
    const mark = mlp.arena.mark();
    try {
      const lin = linearized(17);
      const fast = runSteps(runSteps(factors.candidateCovs(candidates))(lin, 17));
      const slow = runSteps(runSteps(covsByPosterior(factors, candidates))(lin, 17));
      let worst = 0;
      fast.forEach((cov, i) => {
        const scale = Math.max(...slow[i].map(Math.abs));
        cov.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - slow[i][j]) / scale)));
      });
      expect(worst).toBeLessThan(1e-8);
    } finally {
      mlp.arena.reset(mark);
    }
  });

  it('takes each candidate\'s own factorization for per-layer priors (the same bits)', () => {
    const candidates: Candidate[] = [{ prior: Float64Array.of(0.5, 3), s: 1.5 }, { prior: Float64Array.of(2, 2), s: 1 }];
    const mark = mlp.arena.mark();
    try {
      const lin = linearized(5);
      const a = runSteps(runSteps(factors.candidateCovs(candidates))(lin, 5));
      const b = runSteps(runSteps(covsByPosterior(factors, candidates))(lin, 5));
      expect(a.map((c) => Array.from(c))).toEqual(b.map((c) => Array.from(c)));
    } finally {
      mlp.arena.reset(mark);
    }
  });
});

describe('gridSearch', () => {
  const start: Hyper = { prior: Float64Array.of(1, 1), noiseVar: 0.8 };
  const ctx = () => evidenceContext(factors, sub, { n: 300, rss: 240, nll: 0 }, theta, true, 3, 1);

  it('picks the candidate that scoring every candidate by its own factorization picks, and reports its batches', async () => {
    const progress: MethodProgress[] = [];
    const best = await gridSearch(mlp, theta, ctx(), start, true, val, { onProgress: (p) => progress.push(p) });
    // Brute force: each candidate's Gaussian, the predictive's moments, the gaussian NLL.
    let want: Hyper | undefined;
    let wantNll = Infinity;
    for (const lam of GRID_PRIORS) {
      for (const noiseVar of gridNoises(start.noiseVar)) {
        const prior = Float64Array.of(lam, lam);
        const { mean, cov } = glmMoments(spec, mlp.arena, theta, sub, factors.posterior(prior, 1 / noiseVar), val.x);
        let nll = 0;
        for (let i = 0; i < val.n * 3; i++) {
          const v = cov[i * 3 + (i % 3)] + noiseVar;
          nll += 0.5 * Math.log(2 * Math.PI * v) + (val.y[i] - mean[i]) ** 2 / (2 * v);
        }
        if (nll < wantNll) [want, wantNll] = [{ prior, noiseVar }, nll];
      }
    }
    expect(Array.from(best.prior)).toEqual(Array.from(want!.prior));
    expect(best.noiseVar).toBe(want!.noiseVar);
    // 300 rows: batches of 256 and 44.
    expect(progress.every((p) => p.phase === 'prior' && p.epochs === 2)).toBe(true);
    expect(progress.map((p) => p.epoch)).toEqual([0, 1, 2]);
  });

  it('stops with E_ABORTED on an aborted signal, leaving the arena as it was', async () => {
    const mark = mlp.arena.mark();
    const ac = new AbortController();
    ac.abort();
    await expect(gridSearch(mlp, theta, ctx(), start, true, val, { signal: ac.signal })).rejects.toMatchObject({ code: 'E_ABORTED' });
    expect(mlp.arena.mark()).toBe(mark);
  });
});

describe('full curvature, prepareSteps', () => {
  it('yields many times, and the log dets after it are the bits of those without it', async () => {
    const wide: MlpSpec = { inputs: 20, hidden: [20], outputs: 1, activation: 'tanh', likelihood: 'gaussian' };
    const net = await Mlp.create(wide);
    const all = layerSubset(net.layout, 'all', [0, 1]);
    const d = all.indices.length;
    const H = gram(300, d, new Rng(11));
    const lin = new Linearization(wide, net.arena, 1, 1, 0);
    const prepared = STRUCTURES.full.restore(all, lin, net.arena, { H });
    const fresh = STRUCTURES.full.restore(all, lin, net.arena, { H });
    const mark = net.arena.mark();
    let steps = 0;
    for (const g = prepared.prepareSteps(); !g.next().done; ) steps++;
    expect(net.arena.mark()).toBe(mark);
    expect(steps).toBeGreaterThan(3);
    for (const [lam, s] of [[1e-3, 1], [0.5, 2], [40, 0.1]]) {
      const p = Float64Array.of(lam, lam);
      expect(Object.is(prepared.logdet(p, s), fresh.logdet(p, s))).toBe(true);
    }
  });
});

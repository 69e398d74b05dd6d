/**
 * Laplace benchmark: last-layer KFAC on a 784-256-256-10 network (synthetic data, 2000 rows, one
 * training epoch — the Laplace part is what is timed): curvature at the MAP (fit_s), evidence
 * tuning of the prior precision (tune_s), the linearized probit predictive on the 2000 rows
 * (predict_s), and the wasm memory the run grew to (memory_mb).
 */
import { makeDataset } from '../src/data/dataset.js';
import { engineFor } from '../src/methods/common.js';
import { computeCurvature } from '../src/methods/laplace/curvature.js';
import { evidenceContext, logEvidence, maximizeEvidence } from '../src/methods/laplace/evidence.js';
import { STRUCTURES } from '../src/methods/laplace/laplace.js';
import { LaplacePosterior } from '../src/methods/laplace/posterior.js';
import { layerSubset } from '../src/methods/laplace/subset.js';
import { Rng } from '../src/random/index.js';
import { fit } from '../src/train/fit.js';

export interface LaplaceBench {
  fit_s: number;
  tune_s: number;
  predict_s: number;
  memory_mb: number;
}

export async function benchLaplace(rows = 2000): Promise<LaplaceBench> {
  const rng = new Rng(1);
  const x = new Float32Array(rows * 784);
  for (let i = 0; i < x.length; i++) x[i] = rng.uniform();
  const labels = Array.from({ length: rows }, (_, i) => Math.floor(10 * x[i * 784]) % 10);
  const data = makeDataset({ data: x, cols: 784 }, labels);
  const spec = { inputs: 784, hidden: [256, 256], outputs: 10, activation: 'relu' as const, likelihood: 'categorical' as const };
  const mlp = await engineFor(spec);
  const r = await fit(mlp, data, { epochs: 1, batchSize: 128 });
  const sub = layerSubset(mlp.layout, 'last-layer', [mlp.layout.layers.length - 1]);

  let t = performance.now();
  const { factors, fit: dataFit } = await computeCurvature(mlp, r.params, data, sub, STRUCTURES.kron, 'ggn');
  const fit_s = (performance.now() - t) / 1000;

  t = performance.now();
  const ctx = evidenceContext(factors, sub, dataFit, r.params, false, 10, 1);
  const hyper = maximizeEvidence(ctx, { prior: new Float64Array([1]), noiseVar: 1 }, { perLayer: false, selectNoise: false });
  const tune_s = (performance.now() - t) / 1000;

  const post = new LaplacePosterior({ spec, theta: r.params, hessian: 'kron', curvature: 'ggn', sub, factors, hyper, logEvidence: logEvidence(ctx, hyper), predictive: 'glm', link: 'probit', mlp });
  t = performance.now();
  await post.predict(x);
  const predict_s = (performance.now() - t) / 1000;
  return { fit_s, tune_s, predict_s, memory_mb: mlp.arena.memory.buffer.byteLength / 1024 ** 2 };
}

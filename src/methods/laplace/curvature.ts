/**
 * Runs a structure's accumulator over the data at the MAP, and the data fit the evidence needs
 * (residual sum of squares for a gaussian likelihood, the NLL otherwise).
 */
import type { Dataset } from '../../data/dataset.js';
import type { Mlp } from '../../model/mlp.js';
import { Linearization, setOutputVectors, type Curvature } from './engine.js';
import type { Factors, Structure, Subset } from './types.js';

export interface DataFit {
  n: number;
  /** Σ (f − y)² over examples and targets (gaussian), else 0. */
  rss: number;
  /** Σ NLL (classification), else 0. */
  nll: number;
}

/** Batch rows per pass of the engine. */
const BATCH = 256;

/** The curvature of `structure` over `sub` at θ (standardized data), and the data fit there. */
export function computeCurvature(mlp: Mlp, theta: Float32Array, data: Dataset, sub: Subset, structure: Structure, kind: Curvature): { factors: Factors; fit: DataFit } {
  const arena = mlp.arena;
  const spec = mlp.spec;
  const K = mlp.layout.outputWidth;
  const C = kind === 'ef' ? 1 : K;
  const mark = arena.mark();
  try {
    const B = Math.min(BATCH, data.n);
    const lin = new Linearization(spec, arena, B, C, Math.min(...sub.layers));
    const acc = structure.accumulator(sub, lin, arena);
    const pTheta = arena.putF32(theta);
    const px = arena.allocF32(B * spec.inputs);
    const fit: DataFit = { n: data.n, rss: 0, nll: 0 };
    const tW = data.targets;
    for (let s = 0; s < data.n; s += B) {
      const b = Math.min(B, data.n - s);
      arena.putF32(data.x.subarray(s * spec.inputs, (s + b) * spec.inputs), px);
      const out = arena.getF32(lin.forward(pTheta, px, b), b * K);
      const y = data.y.subarray(s * tW, (s + b) * tW);
      addFit(fit, spec.likelihood, out, y, b, K);
      setOutputVectors(lin, kind, out, y, b);
      lin.backward(pTheta, b);
      acc.add(lin, b);
    }
    return { factors: acc.finish(data.n), fit };
  } finally {
    arena.reset(mark);
  }
}

function addFit(fit: DataFit, lik: string, out: Float32Array, y: Float32Array, b: number, K: number): void {
  for (let n = 0; n < b; n++) {
    if (lik === 'gaussian') {
      for (let c = 0; c < K; c++) fit.rss += (out[n * K + c] - y[n * K + c]) ** 2;
    } else if (lik === 'bernoulli') {
      for (let c = 0; c < K; c++) {
        const f = out[n * K + c];
        // −log σ(±f) stably.
        const t = y[n * K + c] > 0.5 ? f : -f;
        fit.nll += Math.max(-t, 0) + Math.log1p(Math.exp(-Math.abs(t)));
      }
    } else {
      let mx = -Infinity;
      for (let c = 0; c < K; c++) mx = Math.max(mx, out[n * K + c]);
      let z = 0;
      for (let c = 0; c < K; c++) z += Math.exp(out[n * K + c] - mx);
      fit.nll += mx + Math.log(z) - out[n * K + y[n]];
    }
  }
}

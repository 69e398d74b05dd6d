/**
 * Runs a structure's accumulator over the data at the MAP, and the data fit the evidence needs
 * (residual sum of squares for a gaussian likelihood, the NLL otherwise).
 */
import type { Dataset } from '../../data/dataset.js';
import { BdlError } from '../../errors.js';
import type { Mlp } from '../../model/mlp.js';
import { macrotask } from '../../signal.js';
import type { MethodProgress } from '../common.js';
import { Linearization, setOutputVectors, type Curvature } from './engine.js';
import type { Factors, Structure, Subset } from './types.js';
import * as exact from '../../random/exact-math.js';

export interface DataFit {
  n: number;
  /** Σ (f − y)² over examples and targets (gaussian), else 0. */
  rss: number;
  /** Σ NLL (classification), else 0. */
  nll: number;
}

/** Batch rows per pass of the engine. */
const BATCH = 256;

/** Longest stretch of work between two yields to the event loop (a Ctrl-C handler, an abort). */
const YIELD_MS = 50;

/** How a long accumulation reports and stops: rows passed through so far (`phase: 'curvature'`), and cancellation. */
export interface CurvatureRun {
  signal?: AbortSignal;
  onProgress?: (p: MethodProgress) => void;
}

/**
 * The curvature of `structure` over `sub` at θ (standardized data), and the data fit there. A full
 * GGN over 50,000 rows and a thousand weights is seconds of work: between batches it yields to the
 * event loop every YIELD_MS, reports the rows done and stops with E_ABORTED once `run.signal` is
 * aborted. The network's arena is held throughout: nothing else may use `mlp` until it resolves.
 */
export async function computeCurvature(mlp: Mlp, theta: Float32Array, data: Dataset, sub: Subset, structure: Structure, kind: Curvature, run: CurvatureRun = {}): Promise<{ factors: Factors; fit: DataFit }> {
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
    let lastYield = performance.now();
    // Gives the thread back once YIELD_MS of work have passed: between batches, and between a batch's
    // own steps (a full structure's batch over thousands of weights is seconds of work).
    const pause = async (row: number) => {
      if (performance.now() - lastYield <= YIELD_MS) return;
      run.onProgress?.({ epoch: row, epochs: data.n, loss: NaN, phase: 'curvature' });
      await macrotask();
      lastYield = performance.now();
      if (run.signal?.aborted) throw new BdlError('E_ABORTED', `laplace: cancelled while accumulating the curvature (row ${row} of ${data.n}).`);
    };
    for (let s = 0; s < data.n; s += B) {
      await pause(s);
      if (run.signal?.aborted) throw new BdlError('E_ABORTED', `laplace: cancelled while accumulating the curvature (row ${s} of ${data.n}).`);
      const b = Math.min(B, data.n - s);
      arena.putF32(data.x.subarray(s * spec.inputs, (s + b) * spec.inputs), px);
      const out = arena.getF32(lin.forward(pTheta, px, b), b * K);
      const y = data.y.subarray(s * tW, (s + b) * tW);
      addFit(fit, spec.likelihood, out, y, b, K);
      setOutputVectors(lin, kind, out, y, b);
      lin.backward(pTheta, b);
      for (const _ of acc.add(lin, b)) await pause(s);
    }
    run.onProgress?.({ epoch: data.n, epochs: data.n, loss: NaN, phase: 'curvature' });
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
        fit.nll += Math.max(-t, 0) + exact.log1p(exact.exp(-Math.abs(t)));
      }
    } else {
      let mx = -Infinity;
      for (let c = 0; c < K; c++) mx = Math.max(mx, out[n * K + c]);
      let z = 0;
      for (let c = 0; c < K; c++) z += exact.exp(out[n * K + c] - mx);
      fit.nll += mx + exact.log(z) - out[n * K + y[n]];
    }
  }
}

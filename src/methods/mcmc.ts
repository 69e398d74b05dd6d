/**
 * Full-batch HMC and NUTS over the network's weights: the gold-standard (and slowest) posterior.
 *
 * Data are standardized as for every method (the standardizer `fit` computes). The observation noise
 * of the 'gaussian' likelihood is NOT sampled: unless `noise` is given, a MAP network is fitted
 * first with `fit` and its mean squared training residual (standardized units) is used as the known
 * noise variance — an empirical-Bayes plug-in that keeps the target a fixed, smooth density on θ
 * alone. Chains start from the network's usual initialization (not the MAP), so R̂ still compares
 * independent starts. Defaults are sized for UCI data (n ≈ 300–1600, 1×50 units): 4 chains ×
 * (500 warmup + 500 draws), keeping 100 evenly thinned draws per chain for the predictive.
 */
import { argError, describe } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import type { Pool } from '../pool/types.js';
import type { KernelSpec } from '../samplers/chain.js';
import { sampleChains } from '../samplers/sample-chains.js';
import { fit } from '../train/fit.js';
import { engineFor, fitOptionsOf, specFor, type MethodOptions } from './common.js';
import { residualVariance } from './map.js';
import { SamplesPosterior } from './samples.js';
import type { Posterior } from '../posterior/types.js';
import { applyStandardizer } from '../data/standardize.js';

export interface McmcOptions extends MethodOptions {
  /** Chains (default 4), warmup iterations (default 500) and sampling iterations (default 500) per chain. */
  chains?: number;
  warmup?: number;
  draws?: number;
  /** Draws kept per chain for the predictive, evenly thinned (default 100). */
  keep?: number;
  /** Observation noise σ in target units ('gaussian'); default: the MAP's residual standard deviation. */
  noise?: number;
  /** Static HMC only: leapfrog steps per transition (default 32) and step-size jitter (default 0.1). */
  steps?: number;
  jitter?: number;
  /** NUTS only: maximum tree depth (default 10). */
  maxTreeDepth?: number;
  /** Run the chains on this pool; default a pool of `poolSize` workers (default one per core). */
  pool?: Pool;
  poolSize?: number;
}

/** NUTS over the network weights (see the module comment). */
export function trainNuts(train: Dataset, opts: McmcOptions = {}): Promise<Posterior> {
  return trainMcmc(train, opts, 'nuts', { type: 'nuts', ...(opts.maxTreeDepth !== undefined ? { maxTreeDepth: opts.maxTreeDepth } : {}) });
}

/** Static HMC with a jittered step size over the network weights (see the module comment). */
export function trainHmc(train: Dataset, opts: McmcOptions = {}): Promise<Posterior> {
  return trainMcmc(train, opts, 'hmc', { type: 'hmc', steps: opts.steps ?? 32, jitter: opts.jitter ?? 0.1 });
}

async function trainMcmc(train: Dataset, opts: McmcOptions, method: 'nuts' | 'hmc', kernel: KernelSpec): Promise<Posterior> {
  const spec = specFor(train, opts);
  const draws = opts.draws ?? 500;
  const keep = opts.keep ?? 100;
  if (!Number.isInteger(keep) || keep < 1) throw argError('E_ARG', 'keep', 'a positive integer', describe(opts.keep), 'Omit it to keep 100 draws per chain.');
  const thin = Math.max(1, Math.floor(draws / keep));
  // The MAP fit gives the standardizer (and, when needed, the plug-in noise).
  const mlp = await engineFor(spec);
  const map = await fit(mlp, train, { ...fitOptionsOf(opts), onProgress: undefined });
  const standardizer = map.standardizer;
  const data = standardizer ? applyStandardizer(standardizer, train) : train;
  let noiseVar = 1;
  if (spec.likelihood === 'gaussian') {
    const ys = standardizer?.yStd?.[0] ?? 1;
    noiseVar = opts.noise !== undefined ? (opts.noise / ys) ** 2 : residualVariance(mlp, map.params, data);
  }
  const done = new Array<number>(opts.chains ?? 4).fill(0);
  const r = await sampleChains(
    { type: 'bnn', spec, data, priorPrecision: opts.priorPrecision ?? 1, noiseVar },
    {
      chains: opts.chains ?? 4, warmup: opts.warmup ?? 500, draws, thin, seed: opts.seed ?? 0, kernel, keep: 'draws',
      pool: opts.pool, poolSize: opts.poolSize,
      signal: opts.signal as AbortSignal | undefined,
      // One bar for the whole run: iterations summed over chains; `loss` carries the reporting chain's step size.
      onProgress: opts.onProgress && ((p) => {
        done[p.chain] = p.iteration;
        opts.onProgress!({ task: p.chain, epoch: done.reduce((a, b) => a + b, 0), epochs: done.length * p.total, loss: p.stepSize });
      }),
    },
  );
  const P = r.dim;
  const S = r.chains * r.count;
  const theta = new Float32Array(S * P);
  r.draws!.forEach((d, c) => theta.set(d, c * r.count * P));
  const d = r.diagnostics;
  // A trace for the report: the weight norm ‖θ‖ of each kept draw, per chain.
  const trace = r.draws!.map((chain) =>
    Array.from({ length: r.count }, (_, k) => {
      let s = 0;
      for (let i = k * P; i < (k + 1) * P; i++) s += chain[i] * chain[i];
      return Math.sqrt(s);
    }),
  );
  const info = {
    trace,
    traceLabel: '‖θ‖ (weight norm)',
    chains: r.chains,
    keptPerChain: r.count,
    thin,
    stepSize: r.stepSize,
    divergences: r.divergences.reduce((a, b) => a + b, 0),
    gradEvals: r.gradEvals.reduce((a, b) => a + b, 0),
    rhatMax: d ? Math.max(...d.rhat) : NaN,
    essBulkMin: d ? Math.min(...d.essBulk) : NaN,
    samplingSeconds: r.seconds,
    noiseStd: Math.sqrt(noiseVar) * (standardizer?.yStd?.[0] ?? 1),
  };
  return new SamplesPosterior(method, spec, theta, standardizer, noiseVar, info, mlp);
}

/**
 * Full-batch HMC and NUTS over the network's weights: the gold-standard (and slowest) posterior.
 *
 * Data are standardized as for every method (the standardizer `fit` computes). The observation noise
 * of the 'gaussian' likelihood is NOT sampled: unless `noise` is given, MAP's default is fitted first
 * (map.ts `fitMap`: early stopping, σ from held-out rows) and its σ² (standardized units) is used as
 * the known noise variance — an empirical-Bayes plug-in that keeps the target a fixed, smooth density
 * on θ alone. (A MAP of a fixed 40 epochs did this before: 360 Adam steps on yacht, a σ several
 * times too large and a predictive interval to match.) Chains start from the network's usual
 * initialization (not the MAP), so R̂ still compares independent starts. Defaults are sized for UCI data (n ≈ 300–1600, 1×50 units): 4 chains ×
 * (500 warmup + 500 draws), keeping 100 evenly thinned draws per chain for the predictive.
 *
 * Convergence is also judged where it matters, on the predictive: at a few inputs x* the chains
 * record f(x*) per kept draw, and `info.traces` holds those traces with their R̂ and ESS. (R̂ over
 * the weights of a network stays far above 1 for any affordable chain: hidden units can be permuted
 * and many modes give the same function.)
 */
import { argError, describe } from '../../errors.js';
import type { Dataset } from '../../data/dataset.js';
import type { KernelSpec } from '../../samplers/chain.js';
import { sampleChains } from '../../samplers/sample-chains.js';
import { checkRun, engineFor, specFor, METHOD_OPTIONS, POOL } from '../common.js';
import { layoutOf, taskOf } from '../../model/spec.js';
import { fitMap } from '../map.js';
import { pretrainProgress, samplesPosterior, type SamplesPosterior } from '../samples.js';
import { noiseInfo, noiseVariance, targetScale } from '../../posterior/source.js';
import type { TaskOf } from '../../posterior/types.js';
import { applyStandardizer, fitStandardizer, standardizeX, type Standardizer } from '../../data/standardize.js';
import { essBulk, essTail, rankNormalizedRhat } from '../../diagnostics/index.js';
import type { MlpSpec, TaskKind } from '../../model/spec.js';
import { custom, int, num, type Infer } from '../../options/schema.js';
import { chainFields, KEEP_FIELD, KERNEL_FIELDS } from '../../options/mcmc.js';
import { checkMemory, estimateMcmc } from '../memory.js';
import { MAX_WORKERS } from '../../pool/pool.js';
import { NOISE_MAX } from '../noise.js';
import * as exact from '../../random/exact-math.js';

export const MCMC_OPTIONS = METHOD_OPTIONS.extend('trainMcmc', {
  ...chainFields({ chains: 4, warmup: 500, draws: 500 }),
  ...KEEP_FIELD,
  ...KERNEL_FIELDS,
  noise: num({ gt: 0, max: NOISE_MAX, defaultText: "MAP's default σ (held-out rows)", help: "observation noise σ in target units ('gaussian')" }),
  traceAt: custom<Float32Array>({ expected: 'a Float32Array of rows × inputs', valid: (v) => v instanceof Float32Array, defaultText: 'the first 3 training rows', help: 'inputs x* (original units; at most 8 rows) where f(x*) is traced per draw' }),
  /** Default a pool of `poolSize` workers. */
  ...POOL,
  poolSize: int({ min: 0, max: MAX_WORKERS, defaultText: 'one worker per core; 0 where the runtime has no Worker', flag: 'workers', help: 'workers of the default pool (0 = in-thread)' }),
});
export type McmcOptions = Infer<typeof MCMC_OPTIONS>;
/** One schema for both kernels (each ignores the other's fields), so one options object runs either. */
export const NUTS_OPTIONS = MCMC_OPTIONS.extend('trainNuts', {});
export const HMC_OPTIONS = MCMC_OPTIONS.extend('trainHmc', {});

/** NUTS over the network weights (see the module comment). */
export async function trainNuts<O extends McmcOptions>(train: Dataset, opts: O = {} as O): Promise<SamplesPosterior<TaskOf<O>>> {
  opts = checkRun(NUTS_OPTIONS, train, opts);
  return trainMcmc<TaskOf<O>>(train, opts, 'nuts', { type: 'nuts', ...(opts.maxTreeDepth !== undefined ? { maxTreeDepth: opts.maxTreeDepth } : {}) });
}

/** Static HMC with a jittered step size over the network weights (see the module comment). */
export async function trainHmc<O extends McmcOptions>(train: Dataset, opts: O = {} as O): Promise<SamplesPosterior<TaskOf<O>>> {
  opts = checkRun(HMC_OPTIONS, train, opts);
  return trainMcmc<TaskOf<O>>(train, opts, 'hmc', { type: 'hmc', steps: HMC_OPTIONS.value(opts, 'steps'), jitter: HMC_OPTIONS.value(opts, 'jitter') });
}

async function trainMcmc<T extends TaskKind>(train: Dataset, opts: McmcOptions, method: 'nuts' | 'hmc', kernel: KernelSpec): Promise<SamplesPosterior<T>> {
  checkMemory(estimateMcmc(method, train, opts), opts.memoryBudget);
  const o = MCMC_OPTIONS;
  const spec = specFor(train, opts);
  const draws = o.value(opts, 'draws');
  const keep = o.value(opts, 'keep');
  const probes = traceInputs(train, opts.traceAt);
  const thin = Math.max(1, Math.floor(draws / keep));
  // The plug-in noise of a 'gaussian' likelihood is MAP's default σ (map.ts `fitMap`: held-out rows);
  // the chains start from the network's initialization, so nothing else needs a MAP.
  const mlp = await engineFor(spec);
  const standardizer = fitStandardizer(train, taskOf(spec) === 'regression');
  let noiseVar = 1;
  if (spec.likelihood === 'gaussian') {
    noiseVar = opts.noise !== undefined ? noiseVariance(opts.noise, standardizer) : (await fitMap(mlp, train, { ...opts, onProgress: pretrainProgress(opts.onProgress) })).noiseVar;
  }
  const data = applyStandardizer(standardizer, train);
  const done = new Array<number>(o.value(opts, 'chains')).fill(0);
  const divergent = new Array<number>(done.length).fill(0);
  const r = await sampleChains(
    { type: 'bnn', spec, data, priorPrecision: opts.priorPrecision ?? 1, noiseVar, xTest: standardizer ? standardizeX(standardizer, probes) : probes },
    {
      chains: o.value(opts, 'chains'), warmup: o.value(opts, 'warmup'), draws, thin, seed: opts.seed ?? 0, kernel, returns: 'both',
      metric: o.value(opts, 'metric'),
      pool: opts.pool, poolSize: opts.poolSize,
      signal: opts.signal,
      // One bar for the whole run: iterations summed over chains, labelled by phase; `loss` carries the reporting chain's step size.
      onProgress: opts.onProgress && ((p) => {
        done[p.chain] = p.iteration;
        divergent[p.chain] = p.divergences;
        const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);
        opts.onProgress!({ task: p.chain, epoch: sum(done), epochs: done.length * p.total, loss: p.stepSize, phase: p.phase, stepSize: p.stepSize, acceptance: p.acceptance, divergences: sum(divergent) });
      }),
      // Then one for the diagnostics (weights and traced outputs), which on a wide network can take as long as the chains.
      onDiagnostics: opts.onProgress && ((p) => opts.onProgress!({ epoch: p.done, epochs: p.total, loss: NaN, phase: 'diagnostics' })),
    },
  );
  const P = r.dim;
  const S = r.chains * r.count;
  const theta = new Float32Array(S * P);
  r.draws!.forEach((d, c) => theta.set(d, c * r.count * P));
  const d = r.diagnostics;
  const traces = predictiveTraces(r.predictive!, r.count, spec, standardizer);
  const info = {
    traces,
    rhatPredictive: Math.max(...traces.map((t) => t.rhat)),
    essPredictive: Math.min(...traces.map((t) => t.essBulk)),
    chains: r.chains,
    keptPerChain: r.count,
    thin,
    stepSize: r.stepSize,
    divergences: r.divergences.reduce((a, b) => a + b, 0),
    gradEvals: r.gradEvals.reduce((a, b) => a + b, 0),
    // Over the weights (see the module comment for why these stay poor); folded, not spread: a
    // network of 130k+ weights would overflow the stack with that many arguments.
    rhatMax: d ? d.rhat.reduce((m, v) => Math.max(m, v), -Infinity) : NaN,
    essBulkMin: d ? d.essBulk.reduce((m, v) => Math.min(m, v), Infinity) : NaN,
    samplingSeconds: r.seconds,
    ...noiseInfo(spec, noiseVar, standardizer),
  };
  return samplesPosterior(method, { spec, standardizer, noiseVar, mlp }, theta, info);
}

/** Most probe inputs traced: each costs one forward pass per kept draw and one chart in the report. */
const MAX_TRACE_INPUTS = 8;

/** The checked trace inputs, or the first 3 training rows. */
function traceInputs(train: Dataset, at: Float32Array | undefined): Float32Array {
  if (at === undefined) return train.x.slice(0, Math.min(3, train.n) * train.inputs);
  if (!(at instanceof Float32Array) || at.length === 0 || at.length % train.inputs !== 0 || at.length / train.inputs > MAX_TRACE_INPUTS) {
    throw argError('E_SHAPE', 'traceAt', `a Float32Array of 1–${MAX_TRACE_INPUTS} rows × ${train.inputs} inputs`, describe(at), 'Flatten a few test rows, or omit it.');
  }
  return at;
}

/** One traced predictive quantity: its draws per chain and their convergence diagnostics. */
export interface PredictiveTrace {
  /** What is traced, e.g. "mean f(x*₁)" or "p(class 3 | x*₁)". */
  label: string;
  /** Per chain, the quantity at each kept draw. */
  chains: number[][];
  /** Rank-normalized split R̂ and bulk / tail ESS of the quantity (NaN with fewer than 4 draws per chain). */
  rhat: number;
  essBulk: number;
  essTail: number;
}

/**
 * Turns the network outputs recorded per draw at the probe inputs into one interpretable quantity
 * per input: the predictive mean in target units (regression), or the probability of the class the
 * whole posterior predicts there (classification; raw logits drift along the softmax's shift
 * direction without changing any prediction, so their R̂ would mislead).
 */
function predictiveTraces(perChain: readonly Float64Array[], count: number, spec: MlpSpec, standardizer: Standardizer | undefined): PredictiveTrace[] {
  const W = layoutOf(spec).outputWidth;
  const rows = perChain[0].length / count / W;
  const out: PredictiveTrace[] = [];
  for (let j = 0; j < rows; j++) {
    const at = (c: number, k: number) => perChain[c].subarray((k * rows + j) * W, (k * rows + j + 1) * W);
    let chains: number[][];
    let label: string;
    if (spec.likelihood === 'categorical') {
      const probs = perChain.map((_, c) => Array.from({ length: count }, (_, k) => softmax(at(c, k))));
      const mean = new Float64Array(W);
      for (const chain of probs) for (const p of chain) for (let i = 0; i < W; i++) mean[i] += p[i];
      const cls = mean.indexOf(Math.max(...mean));
      chains = probs.map((chain) => chain.map((p) => p[cls]));
      label = `p(class ${cls} | x*${j + 1})`;
    } else {
      const ym = standardizer?.yMean?.[0] ?? 0;
      const ys = targetScale(standardizer);
      chains = perChain.map((_, c) => Array.from({ length: count }, (_, k) => ym + ys * at(c, k)[0]));
      label = `mean f(x*${j + 1})`;
    }
    const enough = count >= 4;
    out.push({ label, chains, rhat: enough ? rankNormalizedRhat(chains) : NaN, essBulk: enough ? essBulk(chains) : NaN, essTail: enough ? essTail(chains) : NaN });
  }
  return out;
}

function softmax(z: ArrayLike<number>): Float64Array {
  const m = Math.max(...Array.from(z));
  const e = Float64Array.from(z, (v) => exact.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

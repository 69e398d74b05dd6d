/**
 * Many chains at once: each chain is a 'chain' task in the worker pool, keyed by (seed, chain), so the
 * draws are bit-identical whatever the pool size, and a chain whose worker dies resumes from its
 * last checkpoint with the same draws. Returns the draws (or f(x*) per draw) with convergence
 * diagnostics.
 */
import { argError, BdlError, describe } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import { allFinite } from '../diagnostics/chains.js';
import { runStepsYielding, type YieldingOptions } from '../diagnostics/steps.js';
import { summarize, summaryOf, summaryRowSteps, type SummaryRow, type SummaryWarning } from '../diagnostics/summary.js';
import { macrotask } from '../signal.js';
import type { MlpSpec } from '../model/spec.js';
import { fanOut } from '../pool/fan-out.js';
import { registerTask } from '../pool/registry.js';
import type { Pool, RestartEvent, TaskData } from '../pool/types.js';
import { BNN_TARGET_SPEC, CHAIN_TASK_OPTIONS, MODULE_TARGET_SPEC, runChainTask, type ChainTaskOptions, type ChainTaskResult } from './chain-task.js';
import { BNN_TARGET_OPTIONS, checkLabels } from './bnn-target.js';
import { checkArgument, custom, enumOf, int, required, variants, type Infer } from '../options/schema.js';
import type { ChainProgress } from './chain.js';
import { MAX_WORKERS } from '../pool/pool.js';

/** The target of a multi-chain run. */
export type SampleTarget =
  | {
      type: 'bnn';
      spec: MlpSpec;
      /** Used as given (standardize beforehand if wanted). */
      data: Dataset;
      priorPrecision?: number | number[];
      /** Known noise variance of the 'gaussian' likelihood (default spec.noise², 1). */
      noiseVar?: number;
      temperature?: number;
      init?: 'network' | { normal: number };
      /** Test inputs (rows × spec.inputs) at which to record f(x*) per draw. */
      xTest?: Float32Array;
    }
  | { type: 'module'; url: string };

const isFunction = (v: unknown): boolean => typeof v === 'function';

/** sampleChains' target: a chain task's, with the BNN's data (and test inputs) given here rather than shared by the run. */
const SAMPLE_TARGET = required(variants<SampleTarget>('type', {
  bnn: BNN_TARGET_SPEC.extend('sampleChains target', {
    data: BNN_TARGET_OPTIONS.fields.data,
    xTest: custom<Float32Array>({ expected: 'a Float32Array of rows × spec.inputs', valid: (v) => v instanceof Float32Array, defaultText: 'none', help: 'test inputs at which to record f(x*) per draw' }),
  }),
  module: MODULE_TARGET_SPEC,
}, { hint: 'Describe what to sample.', help: 'what to sample' }));

/** sampleChains's options, checked before any work: the 'chain' task's (CHAIN_TASK_OPTIONS) with what a run adds. */
export const SAMPLE_CHAINS_OPTIONS = CHAIN_TASK_OPTIONS.omit('sampleChains', 'target').extend('sampleChains', {
  chains: int({ min: 1, default: 4, help: 'Markov chains, one pool task each (4 for R̂)' }),
  seed: int({ min: 0, default: 0, help: 'seed of every chain (each chain is its stream)' }),
  metric: enumOf(['diag', 'dense', 'auto'] as const, { defaultText: "adapt.metric, else 'auto'", help: 'the metric NUTS and HMC adapt in warmup (docs/sampling.md); shorthand for adapt.metric' }),
  returns: enumOf(['draws', 'predictive', 'both'] as const, {
    defaultText: "'predictive' when the target has xTest, else 'draws'", help: "per kept draw: the position ('draws'), f(x*) at xTest ('predictive'), or both",
  }),
  pool: custom<Pool>({ expected: 'a Pool', valid: (v) => typeof (v as Pool | null)?.run === 'function', defaultText: 'a new pool of poolSize workers, closed afterwards', help: 'a pool to run on' }),
  poolSize: int({ min: 0, max: MAX_WORKERS, defaultText: 'one worker per core; 0 where the runtime has no Worker', help: 'workers of the pool made for this run (0: in-thread)' }),
  onProgress: custom<(p: SampleProgress) => void>({ expected: 'a function', valid: isFunction, help: "each chain's progress" }),
  onDiagnostics: custom<(p: DiagnosticsProgress) => void>({ expected: 'a function', valid: isFunction, help: 'the progress of the diagnostics after the chains: quantities done of total' }),
  onRestart: custom<(e: RestartEvent) => void>({ expected: 'a function', valid: isFunction, help: 'a chain restarted from its checkpoint after its worker died' }),
  signal: custom<AbortSignal>({ expected: 'an AbortSignal', valid: (v) => typeof v === 'object' && v !== null, help: 'cancels every chain (fanOut checks it is a real AbortSignal)' }),
});
/** Options of `sampleChains`: each one's meaning, range and default is its field of SAMPLE_CHAINS_OPTIONS. */
export type SampleChainsOptions = Infer<typeof SAMPLE_CHAINS_OPTIONS>;

/** Progress of one chain: the part of a chain's own progress (samplers/chain.ts) the pool forwards. */
export type SampleProgress = Pick<ChainProgress, 'chain' | 'iteration' | 'total' | 'phase' | 'stepSize' | 'acceptance' | 'divergences'>;

/**
 * What sampleChains's `onDiagnostics` gets after the chains: R̂ and ESS are done for `done` of
 * `total` quantities, counting the parameters (when draws are kept) and then the predictive
 * quantities f(x*) (when those are kept) as one sequence; once with done = 0 before the first
 * quantity, then after each. On a wide posterior this phase can outlast the sampling (per quantity
 * a sort and 32 FFTs), so a caller can show a bar with an ETA rather than a silent wait. A callback
 * of its own, not another `onProgress` event: callers of `onProgress` read chain fields unchecked;
 * `phase` lets one handler take both.
 */
export interface DiagnosticsProgress {
  phase: 'diagnostics';
  done: number;
  total: number;
}

/** Per-quantity convergence diagnostics (rank-normalized split R̂, bulk and tail ESS). */
export interface Diagnostics {
  rhat: number[];
  essBulk: number[];
  essTail: number[];
  warnings: SummaryWarning[];
}

export interface SampleChainsResult {
  dim: number;
  names: string[] | null;
  chains: number;
  /** Kept draws per chain. */
  count: number;
  /** Per chain, count × dim (row-major), or null when only predictive summaries were kept. */
  draws: Float64Array[] | null;
  /** Per chain, count × predictSize values of f(x*), or null. */
  predictive: Float64Array[] | null;
  predictSize: number;
  /** Over the parameters when draws were kept, else null. */
  diagnostics: Diagnostics | null;
  /** Over the predictive quantities f(x*) when kept, else null. */
  predictiveDiagnostics: Diagnostics | null;
  stepSize: number[];
  /** The target acceptance each chain's step size was adapted to: 0.8 by default, raised in warmup after divergences (docs/sampling.md). */
  targetAccept: number[];
  /** The metric each chain sampled with ('dense' or 'diag'; 'auto' decides per chain). */
  metric: ('diag' | 'dense')[];
  divergences: number[];
  gradEvals: number[];
  /** Wall seconds per chain, and of the whole run. */
  chainSeconds: number[];
  seconds: number;
  /** Per-chain sampler records, as returned by the tasks. */
  results: ChainTaskResult[];
}

/** Refuses test inputs that are not finite (f(x*) at them came back NaN, in silence), naming the value. */
function checkTestInputs(xTest: Float32Array | undefined, inputs: number): void {
  if (!xTest) return;
  for (let i = 0; i < xTest.length; i++) {
    if (!Number.isFinite(xTest[i])) throw argError('E_NONFINITE', `target.xTest[${Math.floor(i / inputs)}][${i % inputs}]`, 'a finite number', describe(xTest[i]), 'Impute or drop that row.');
  }
}

/** Runs `chains` chains of the target in the pool; see the module comment. */
export async function sampleChains(target: SampleTarget, opts: SampleChainsOptions = {}): Promise<SampleChainsResult> {
  opts = SAMPLE_CHAINS_OPTIONS.check(opts);
  const chains = SAMPLE_CHAINS_OPTIONS.value(opts, 'chains');
  const seed = SAMPLE_CHAINS_OPTIONS.value(opts, 'seed');
  target = checkArgument(SAMPLE_TARGET, target, 'sampleChains', 'target');
  let data: TaskData = {};
  let spec: ChainTaskOptions['target'];
  if (target.type === 'bnn') {
    checkTestInputs(target.xTest, target.spec.inputs);
    checkLabels(target.data.y, target.spec, 'target.data.y');
    data = { x: target.data.x, y: target.data.y, ...(target.xTest ? { xTest: target.xTest } : {}) };
    spec = { type: 'bnn', spec: target.spec, priorPrecision: target.priorPrecision, noiseVar: target.noiseVar, temperature: target.temperature, init: target.init };
  } else {
    spec = { type: 'module', url: target.url };
  }
  const returns = opts.returns ?? (target.type === 'bnn' && target.xTest ? 'predictive' : 'draws');
  const metric = opts.metric ?? opts.adapt?.metric;
  const adapt = metric !== undefined ? { ...opts.adapt, metric } : opts.adapt;
  const base: ChainTaskOptions = {
    target: spec, warmup: opts.warmup, draws: opts.draws, thin: opts.thin, kernel: opts.kernel, adapt,
    initRadius: opts.initRadius, checkpointEvery: opts.checkpointEvery, returns,
  };
  registerTask('chain', runChainTask);
  const tasks = Array.from({ length: chains }, (_, c) => ({ kind: 'chain', seed, stream: c, options: { ...base } }));
  const t0 = performance.now();
  const results = await fanOut<ChainTaskResult>(tasks, {
    pool: opts.pool ?? { size: opts.poolSize },
    data,
    signal: opts.signal,
    onRestart: opts.onRestart,
    onProgress: opts.onProgress && ((e) => {
      const p = e.payload as Pick<SampleProgress, 'chain' | 'phase' | 'stepSize' | 'acceptance' | 'divergences'>;
      opts.onProgress!({ chain: p.chain, iteration: e.step, total: e.total, phase: p.phase, stepSize: p.stepSize, acceptance: p.acceptance, divergences: p.divergences });
    }),
  });
  const seconds = (performance.now() - t0) / 1000;
  // In-thread, the last chain's final stretch of work ends here: give the loop a turn before the diagnostics.
  await macrotask();
  const first = results[0];
  const count = first.count;
  if (results.some((r) => r.count !== count)) throw new BdlError('E_WORKER', 'sampleChains: chains returned different numbers of draws.');
  const sampler = { divergent: results.map((r) => r.divergent), treedepth: results.map((r) => r.treeDepth), energy: results.map((r) => r.energy), maxTreedepth: opts.kernel?.type === 'nuts' ? opts.kernel.maxTreeDepth : undefined };
  const draws = first.draws ? results.map((r) => r.draws!) : null;
  const predictive = first.predictive ? results.map((r) => r.predictive!) : null;
  const diagnosed = count >= 4;
  const quantities = diagnosed ? (draws ? first.dim : 0) + (predictive ? first.predictSize : 0) : 0;
  // The parameters' quantities, then the predictive ones, counted as one sequence.
  const after = (before: number) => opts.onDiagnostics && ((done: number) => opts.onDiagnostics!({ phase: 'diagnostics', done: before + done, total: quantities }));
  if (quantities > 0) opts.onDiagnostics?.({ phase: 'diagnostics', done: 0, total: quantities });
  return {
    dim: first.dim,
    names: first.names,
    chains,
    count,
    draws,
    predictive,
    predictSize: first.predictSize,
    diagnostics: draws && diagnosed ? await diagnoseYielding(draws, count, first.dim, first.names ?? undefined, sampler, opts.signal, { onQuantity: after(0) }) : null,
    predictiveDiagnostics: predictive && diagnosed ? await diagnoseYielding(predictive, count, first.predictSize, undefined, sampler, opts.signal, { onQuantity: after(draws ? first.dim : 0) }) : null,
    stepSize: results.map((r) => r.stepSize),
    targetAccept: results.map((r) => r.targetAccept),
    metric: results.map((r) => r.metric),
    divergences: results.map((r) => r.divergences),
    gradEvals: results.map((r) => r.gradEvals),
    chainSeconds: results.map((r) => r.seconds),
    seconds,
    results,
  };
}

/** Summarizes per-chain row-major (count × width) arrays. */
export function diagnose(
  perChain: readonly Float64Array[], count: number, width: number, names?: string[],
  sampler?: Parameters<typeof summarize>[2],
): Diagnostics {
  const nested = perChain.map((a) => Array.from({ length: count }, (_, i) => a.subarray(i * width, (i + 1) * width)));
  const s = summarize(nested, names, sampler);
  return { rhat: s.rows.map((r) => r.rhat), essBulk: s.rows.map((r) => r.essBulk), essTail: s.rows.map((r) => r.essTail), warnings: s.warnings };
}

/** What diagnoseYielding reports and how often it gives the thread back. */
export interface DiagnoseYieldingOptions extends Pick<YieldingOptions, 'budgetMs' | 'onYield'> {
  /** Called after each quantity with the number of quantities done (1 … width). */
  onQuantity?: (done: number) => void;
}

/**
 * `diagnose` with the thread given back whenever `budgetMs` (default 10) of work has passed, also
 * inside one quantity (its sorts and autocovariances yield every few thousand elements), stopping
 * with E_ABORTED once `signal` is aborted. Same results. Only each quantity's finiteness is kept
 * past its row (the warnings need no more): a 15,000-parameter run's draws by quantity would be a
 * second copy of all of them.
 */
export async function diagnoseYielding(
  perChain: readonly Float64Array[], count: number, width: number, names: string[] | undefined,
  sampler: Parameters<typeof summarize>[2], signal: AbortSignal | undefined,
  opts: DiagnoseYieldingOptions = {},
): Promise<Diagnostics> {
  const { onQuantity, ...yielding } = opts;
  const rows: SummaryRow[] = [];
  const finite: boolean[] = [];
  for (let k = 0; k < width; k++) {
    const chains = perChain.map((a) => {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = a[i * width + k];
      return out;
    });
    finite.push(allFinite(chains));
    await macrotask();
    const abortMessage = `sampleChains: cancelled during the diagnostics (quantity ${k + 1} of ${width}).`;
    if (signal?.aborted) throw new BdlError('E_ABORTED', abortMessage);
    rows.push(await runStepsYielding(summaryRowSteps(chains, names?.[k] ?? `theta[${k}]`), { ...yielding, signal, abortMessage }));
    onQuantity?.(k + 1);
  }
  await macrotask();
  const s = summaryOf(rows, finite, sampler);
  return { rhat: s.rows.map((r) => r.rhat), essBulk: s.rows.map((r) => r.essBulk), essTail: s.rows.map((r) => r.essTail), warnings: s.warnings };
}

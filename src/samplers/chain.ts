/**
 * One Markov chain from start to finish: initialization, warmup, sampling, draws streamed out in
 * chunks, progress, cancellation, and checkpoints from which a resumed run continues with
 * bit-identical draws (iteration t always draws from counter t + 1 of key (seed, chain), and the
 * checkpoint holds everything else: position, gradient, adaptation state, counters).
 */
import { argError, BdlError, describe } from '../errors.js';
import { macrotask } from '../signal.js';
import { linalg } from '../linalg/bound.js';
import { Arena } from '../wasm/arena.js';
import { concatChunks, ChunkWriter, type DrawChunk } from './draws.js';
import { Hamiltonian } from './hamiltonian.js';
import { hmc } from './hmc.js';
import { initialState } from './init.js';
import { Interrupter } from './interrupt.js';
import { philoxRng } from './rng.js';
import { nuts } from './nuts.js';
import type { Kernel, KernelState, RngFactory, Target } from './types.js';
import { AUTO_DENSE_MAX_DIM, type MetricKind } from './metric.js';
import { searchStepSize, Warmup, type MetricLinalg, type WarmupOptions, type WarmupState } from './warmup.js';

/** Which kernel to run (plain data, so checkpoints and worker tasks can carry it). */
export type KernelSpec =
  | { type: 'nuts'; maxTreeDepth?: number; maxDeltaH?: number }
  | { type: 'hmc'; steps: number; jitter?: number; maxDeltaH?: number };

/** Progress of a chain, reported every `progressEvery` iterations and at the end of each phase. */
export interface ChainProgress {
  chain: number;
  /** Iterations completed (warmup included). */
  iteration: number;
  total: number;
  phase: 'warmup' | 'sampling';
  stepSize: number;
  /** Mean acceptance statistic over the current phase so far. */
  acceptance: number;
  /** Divergent transitions after warmup. */
  divergences: number;
  warmupDivergences: number;
  /** Gradient evaluations so far (leapfrog steps; initialization and step-size searches excluded). */
  gradEvals: number;
}

/** Everything needed to continue a chain exactly. Plain data: JSON and structured clone keep it intact. */
export interface ChainCheckpoint {
  version: 1;
  dim: number;
  seed: number;
  chain: number;
  warmup: number;
  draws: number;
  thin: number;
  kernel: KernelSpec;
  /** Iterations completed; the resumed run starts with this one. */
  iteration: number;
  position: number[];
  logDensity: number;
  grad: number[];
  adaptation: WarmupState;
  /** Kept draws delivered through onDraws before this checkpoint (the resumed run re-delivers from here). */
  drawsEmitted: number;
  divergences: number;
  warmupDivergences: number;
  gradEvals: number;
  acceptSum: number;
  acceptCount: number;
}

/** Options of `runChain`. */
export interface ChainOptions {
  /** Counter-based generator factory (default: the library's Philox, philoxRng). */
  rng?: RngFactory;
  /** Non-negative integer seed shared by all chains of a run. */
  seed: number;
  /** Chain index: the generator's stream. Default 0. */
  chain?: number;
  /** Warmup iterations (adaptation; not returned). Default 1000. */
  warmup?: number;
  /** Sampling iterations after warmup. Default 1000. */
  draws?: number;
  /** Keep every thin-th sampling iteration. Default 1. */
  thin?: number;
  /** Default NUTS with Stan's settings. */
  kernel?: KernelSpec;
  /** Warmup adaptation (Stan's defaults; the metric defaults to 'auto' here). */
  adapt?: WarmupOptions;
  /** Step size before the initial search (Stan: 1). */
  initStepSize?: number;
  /** Initial position; default target.init(rng) if the target has one, else uniform in (−initRadius, initRadius)^dim, retried up to 100 times. */
  init?: ArrayLike<number>;
  /** Default 2, Stan's. */
  initRadius?: number;
  /** Kept draws per chunk passed to onDraws. Default 100. */
  chunkSize?: number;
  /** Receives the kept draws chunk by chunk, in order. */
  onDraws?: (chunk: DrawChunk) => void;
  /** Also return all kept draws of this call in the result. Default true. */
  keepDraws?: boolean;
  onProgress?: (p: ChainProgress) => void;
  /** Iterations between progress reports. Default ⌈total / 100⌉. */
  progressEvery?: number;
  /** Iterations between checkpoints (0 = none). Pending draws are flushed before each checkpoint. */
  checkpointEvery?: number;
  onCheckpoint?: (c: ChainCheckpoint) => void;
  /** Continue from a checkpoint of a run with the same seed, chain, lengths, thinning and kernel. */
  resumeFrom?: ChainCheckpoint;
  /**
   * The wasm core NUTS keeps its trajectory vectors in (default the target's `arena` when it has one,
   * else a fresh instance).
   */
  arena?: Arena;
  /** Checked before every gradient evaluation; returning true aborts with BdlError E_ABORTED. */
  shouldStop?: () => boolean;
  /**
   * Milliseconds of work between yields to the event loop, so messages (a cancel, a Ctrl-C handler)
   * get through: between iterations, and inside an iteration that runs longer (interrupt.ts; the
   * draws are unchanged). Default 50; 0 = never.
   */
  yieldEveryMs?: number;
}

/** What a finished chain returns. */
export interface ChainResult {
  chain: number;
  /** Final (adapted) step size and inverse metric (its diagonal when the metric is dense). */
  stepSize: number;
  invMetric: Float64Array;
  /** The metric sampling used, and the dense inverse metric (row-major dim²) when it is dense, else null. */
  metric: 'diag' | 'dense';
  denseInvMetric: Float64Array | null;
  /** The kept draws of this call (from the resume point when resumed), or null with keepDraws false. */
  samples: DrawChunk | null;
  divergences: number;
  warmupDivergences: number;
  gradEvals: number;
}

/** The kernel of `spec`; NUTS keeps its trajectory in `arena`. */
function makeKernel(target: Target, spec: KernelSpec, arena: () => Promise<Arena>): Promise<Kernel> | Kernel {
  if (spec.type === 'nuts') return arena().then((a) => nuts(target, spec, a));
  if (spec.type === 'hmc') return hmc(target, spec);
  throw argError('E_ARG', 'kernel.type', '"nuts" or "hmc"', describe((spec as { type: unknown }).type), 'Choose NUTS unless you need a fixed trajectory length.');
}

function intOption(name: string, v: number | undefined, def: number, min: number): number {
  const x = v ?? def;
  if (!Number.isSafeInteger(x) || x < min) {
    throw argError('E_ARG', name, `an integer ≥ ${min}`, describe(v), `Omit it for the default ${def}.`);
  }
  return x;
}

function checkTarget(target: Target): void {
  if (target == null || typeof target.logDensity !== 'function') {
    throw argError('E_ARG', 'target', 'an object with dim and logDensity(theta, grad)', describe(target), 'Wrap your model as { dim, logDensity }.');
  }
  if (!Number.isInteger(target.dim) || target.dim < 1) {
    throw argError('E_ARG', 'target.dim', 'a positive integer', describe(target.dim), 'Set dim to the number of parameters.');
  }
}

function checkResume(cp: ChainCheckpoint, expect: Omit<ChainCheckpoint, 'version' | 'iteration' | 'position' | 'logDensity' | 'grad' | 'adaptation' | 'drawsEmitted' | 'divergences' | 'warmupDivergences' | 'gradEvals' | 'acceptSum' | 'acceptCount'>): void {
  if (cp == null || cp.version !== 1) {
    throw argError('E_FORMAT', 'resumeFrom', 'a version 1 chain checkpoint', describe(cp), 'Pass an object produced by onCheckpoint.');
  }
  for (const k of ['dim', 'seed', 'chain', 'warmup', 'draws', 'thin'] as const) {
    if (cp[k] !== expect[k]) {
      throw argError('E_ARG', `resumeFrom.${k}`, `${expect[k]} as in these options`, describe(cp[k]), 'Resume with the options of the run that wrote the checkpoint.');
    }
  }
  if (canonical(cp.kernel) !== canonical(expect.kernel)) {
    throw argError('E_ARG', 'resumeFrom.kernel', canonical(expect.kernel), canonical(cp.kernel), 'Resume with the kernel of the run that wrote the checkpoint.');
  }
}

/** JSON with sorted keys, so that key order does not matter when comparing specs. */
function canonical(spec: KernelSpec): string {
  return spec == null || typeof spec !== 'object' ? String(spec) : JSON.stringify(spec, Object.keys(spec).sort());
}

/**
 * Runs one chain of `warmup` adaptation iterations and `draws` sampling iterations on `target`.
 * Kept draws stream out through `onDraws`; the promise resolves with the adapted parameters, counts and
 * (unless keepDraws is false) all kept draws. Rejects with BdlError E_ABORTED when `shouldStop()`
 * returns true, and E_NONFINITE when no valid start or step size exists.
 */
export async function runChain(target: Target, opts: ChainOptions): Promise<ChainResult> {
  checkTarget(target);
  if (opts?.rng !== undefined && typeof opts.rng !== 'function') {
    throw argError('E_ARG', 'rng', 'a counter-based RngFactory', describe(opts.rng), "Omit it for the library's Philox generator.");
  }
  const seed = intOption('seed', opts.seed, 0, 0);
  const chain = intOption('chain', opts.chain, 0, 0);
  const nWarmup = intOption('warmup', opts.warmup, 1000, 0);
  const nDraws = intOption('draws', opts.draws, 1000, 0);
  const thin = intOption('thin', opts.thin, 1, 1);
  const chunkSize = intOption('chunkSize', opts.chunkSize, 100, 1);
  const checkpointEvery = intOption('checkpointEvery', opts.checkpointEvery, 0, 0);
  const total = nWarmup + nDraws;
  const progressEvery = intOption('progressEvery', opts.progressEvery, Math.max(1, Math.ceil(total / 100)), 1);
  const yieldEveryMs = opts.yieldEveryMs ?? 50;
  const initRadius = opts.initRadius ?? 2;
  if (!(initRadius > 0 && Number.isFinite(initRadius))) {
    throw argError('E_ARG', 'initRadius', 'a positive number', describe(opts.initRadius), 'Stan uses 2.');
  }
  const initStep = opts.initStepSize ?? 1;
  if (!(initStep > 0 && Number.isFinite(initStep))) {
    throw argError('E_ARG', 'initStepSize', 'a positive number', describe(opts.initStepSize), 'Stan starts from 1.');
  }
  const spec: KernelSpec = opts.kernel ?? { type: 'nuts' };
  if (!(Number.isFinite(yieldEveryMs) && yieldEveryMs >= 0)) {
    throw argError('E_ARG', 'yieldEveryMs', 'a number of milliseconds ≥ 0', describe(opts.yieldEveryMs), 'Omit it for 50.');
  }
  const stopped = opts.shouldStop ?? (() => false);
  // The kernels see the target through the interrupter, so a long transition can yield (interrupt.ts).
  let t = 0;
  const stoppedError = () => new BdlError('E_ABORTED', `chain ${chain}: stopped at iteration ${t} of ${total} on request. Resume from the last checkpoint to continue with identical draws.`);
  const gate = new Interrupter(target, yieldEveryMs, stopped, macrotask, stoppedError);
  // One core for NUTS's trajectory and the metric's factorizations: the caller's, the target's, or a fresh one.
  let core: Arena | undefined = opts.arena ?? (target as { arena?: Arena }).arena;
  const arena = async (): Promise<Arena> => (core ??= await Arena.create());
  const kernel = await makeKernel(gate.target, spec, arena);
  const h = new Hamiltonian(gate.target);
  const dim = target.dim;
  const adapt: WarmupOptions = { ...opts.adapt, metric: opts.adapt?.metric ?? 'auto' };
  const metric = adapt.metric as MetricKind;
  const la: MetricLinalg | undefined = metric === 'dense' || (metric === 'auto' && dim > 1 && dim <= AUTO_DENSE_MAX_DIM) ? linalg(await arena()) : undefined;
  const keepDraws = opts.keepDraws ?? true;
  const makeRng = opts.rng ?? philoxRng;

  let state: KernelState;
  let warmup: Warmup;
  let start = 0;
  let drawsEmitted = 0;
  let divergences = 0;
  let warmupDivergences = 0;
  let gradEvals = 0;
  let acceptSum = 0;
  let acceptCount = 0;
  if (opts.resumeFrom !== undefined) {
    const cp = opts.resumeFrom;
    checkResume(cp, { dim, seed, chain, warmup: nWarmup, draws: nDraws, thin, kernel: spec });
    if ((cp.adaptation?.options?.metric ?? 'diag') !== metric) {
      throw argError('E_ARG', 'resumeFrom.adaptation.options.metric', `'${metric}' as in these options`, describe(cp.adaptation?.options?.metric ?? 'diag'), 'Resume with the metric of the run that wrote the checkpoint.');
    }
    state = { position: Float64Array.from(cp.position), logDensity: cp.logDensity, grad: Float64Array.from(cp.grad) };
    warmup = Warmup.fromJSON(cp.adaptation, la);
    ({ drawsEmitted, divergences, warmupDivergences, gradEvals, acceptSum, acceptCount } = cp);
    start = cp.iteration;
  } else {
    const rng0 = makeRng(seed, chain, 0);
    state = initialState(kernel, rng0, initRadius, opts.init, target.init?.bind(target));
    warmup = new Warmup(dim, nWarmup, adapt, initStep, la);
    if (nWarmup > 0 && (opts.adapt?.adaptStepSize ?? true)) {
      warmup.restartStepSize(searchStepSize(h, state, warmup.params.invMetric, initStep, rng0));
    }
  }

  const chunks: DrawChunk[] = [];
  const writer = new ChunkWriter(chain, dim, chunkSize, drawsEmitted, (c) => {
    if (keepDraws) chunks.push(c);
    opts.onDraws?.(c);
  });
  const firstKept = drawsEmitted;

  const report = (t: number): void => {
    opts.onProgress?.({
      chain, iteration: t, total, phase: t <= nWarmup && nWarmup > 0 ? 'warmup' : 'sampling',
      stepSize: warmup.params.stepSize, acceptance: acceptCount > 0 ? acceptSum / acceptCount : NaN,
      divergences, warmupDivergences, gradEvals,
    });
  };

  t = start;
  for (; t < total; t++) {
    if (stopped()) throw stoppedError();
    const rng = gate.wrapRng(makeRng(seed, chain, t + 1));
    let step = gate.run(state, () => kernel.step(state, rng, warmup.params));
    if (step instanceof Promise) step = await step;
    const { info } = step;
    gradEvals += info.nLeapfrog;
    acceptSum += info.acceptProb;
    acceptCount++;
    if (t < nWarmup) {
      if (info.divergent) warmupDivergences++;
      warmup.learnStepSize(info.acceptProb);
      if (warmup.learnMetric(state.position)) {
        // The search leaves `state` alone and continues this iteration's generator (its replays start from that point).
        let eps = gate.run(undefined, () => searchStepSize(h, state, warmup.params.invMetric, warmup.params.stepSize, rng, warmup.params.dense));
        if (eps instanceof Promise) eps = await eps;
        warmup.restartStepSize(eps);
      }
      if (t === nWarmup - 1) warmup.finish();
    } else {
      if (info.divergent) divergences++;
      if ((t - nWarmup) % thin === 0) writer.push(state, info);
    }

    const done = t + 1;
    if (done % progressEvery === 0 || done === nWarmup || done === total) report(done);
    if (done === nWarmup) {
      acceptSum = 0; // acceptance is reported per phase
      acceptCount = 0;
    }
    if (checkpointEvery > 0 && done % checkpointEvery === 0 && done < total) {
      writer.flush();
      opts.onCheckpoint?.({
        version: 1, dim, seed, chain, warmup: nWarmup, draws: nDraws, thin, kernel: spec,
        iteration: done,
        position: Array.from(state.position), logDensity: state.logDensity, grad: Array.from(state.grad),
        adaptation: warmup.toJSON(),
        drawsEmitted: writer.next, divergences, warmupDivergences, gradEvals, acceptSum, acceptCount,
      });
    }
    const due = gate.maybeYield();
    if (due !== undefined) await due;
  }
  writer.flush();

  return {
    chain,
    stepSize: warmup.params.stepSize,
    invMetric: Float64Array.from(warmup.params.invMetric),
    metric: warmup.metric,
    denseInvMetric: warmup.denseInvMetric ? Float64Array.from(warmup.denseInvMetric) : null,
    samples: keepDraws ? concatChunks(chunks, chain, firstKept, dim) : null,
    divergences,
    warmupDivergences,
    gradEvals,
  };
}

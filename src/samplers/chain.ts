/**
 * One Markov chain from start to finish, as its algorithm reads: initialize (or resume from a
 * checkpoint), then per iteration one kernel transition, followed in warmup by the adaptation and in
 * sampling by the record of the draw; progress, cancellation and checkpoints between iterations. The
 * chain's state between iterations (checkpoint.ts) is all a resumed run needs to continue with
 * bit-identical draws.
 */
import { BdlError } from '../errors.js';
import { CHAIN_RUN_FIELDS } from '../options/mcmc.js';
import { bool, custom, int, num, schema, type Infer } from '../options/schema.js';
import { macrotask } from '../signal.js';
import { linalg } from '../linalg/bound.js';
import { Arena } from '../wasm/arena.js';
import { concatChunks, ChunkWriter, type DrawChunk } from './draws.js';
import { Hamiltonian } from './hamiltonian.js';
import { hmc } from './hmc.js';
import { initialState } from './init.js';
import { Interrupter } from './interrupt.js';
import { chainStreams, philoxRng } from './rng.js';
import { arenaField, nuts } from './nuts.js';
import type { Info, Kernel, RngFactory, SamplerRng, Target } from './types.js';
import { AUTO_DENSE_MAX_DIM, type MetricKind } from './metric.js';
import { searchStepSize, Warmup, type MetricLinalg, type WarmupOptions } from './warmup.js';
import { adaptField, kernelField } from './chain-options.js';
import { guardTarget, MAX_TARGET_DIM } from './checked-target.js';
import { fromCheckpoint, resumeRules, toCheckpoint, type ChainCheckpoint, type ChainState, type KernelSpec, type RunIdentity } from './checkpoint.js';

export type { ChainCheckpoint, KernelSpec };

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

const isFunction = (v: unknown): boolean => typeof v === 'function';
const isObject = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);
const isArrayLike = (v: unknown): boolean => v !== null && typeof v === 'object' && Number.isSafeInteger((v as { length?: unknown }).length);
const callback = <T>(help: string) => custom<T>({ expected: 'a function', valid: isFunction, help });

export { MAX_TARGET_DIM };

/** runChain's fields (CHAIN_OPTIONS adds the rules between them). */
const CHAIN_FIELDS = schema('runChain', {
  rng: custom<RngFactory>({ expected: 'a counter-based RngFactory', valid: isFunction, defaultText: 'Philox (philoxRng)', hint: "Omit it for the library's Philox generator.", help: 'counter-based generator factory' }),
  seed: int({ min: 0, default: 0, help: 'seed shared by all chains of a run' }),
  chain: int({ min: 0, default: 0, help: "chain index: the generator's stream" }),
  // 0 draws is a warmup-only run, which the methods' chain fields (draws ≥ 1) do not offer.
  warmup: int({ min: 0, default: 1000, help: 'warmup (adaptation) iterations; not returned' }),
  draws: int({ min: 0, default: 1000, help: 'sampling iterations after warmup' }),
  thin: CHAIN_RUN_FIELDS.thin,
  kernel: kernelField("NUTS with Stan's settings"),
  adapt: adaptField("Stan's, metric 'auto'"),
  initStepSize: num({ gt: 0, default: 1, help: "step size before the initial search (Stan's 1)" }),
  init: custom<ArrayLike<number>>({ expected: 'an array of dim numbers', valid: isArrayLike, defaultText: 'target.init(rng), else uniform in (−initRadius, initRadius)^dim, retried up to 100 times', help: 'initial position' }),
  initRadius: CHAIN_RUN_FIELDS.initRadius,
  chunkSize: int({ min: 1, default: 100, help: 'kept draws per chunk passed to onDraws' }),
  onDraws: callback<(chunk: DrawChunk) => void>('receives the kept draws chunk by chunk, in order'),
  returnDraws: bool({ default: true, help: 'also return all kept draws of this call in the result (`samples`), besides streaming them to onDraws' }),
  onProgress: callback<(p: ChainProgress) => void>('receives progress every progressEvery iterations and at the end of each phase'),
  progressEvery: int({ min: 1, defaultText: '⌈(warmup + draws) / 100⌉', help: 'iterations between progress reports' }),
  // The chain task checkpoints by default (CHAIN_RUN_FIELDS: 100); a direct call asks for it.
  checkpointEvery: int({ min: 0, default: 0, help: 'iterations between checkpoints (0 = none); pending draws are flushed before each' }),
  onCheckpoint: callback<(c: ChainCheckpoint) => void>('receives each checkpoint'),
  resumeFrom: custom<ChainCheckpoint>({ expected: 'a checkpoint of runChain', valid: isObject, help: 'continue from a checkpoint of a run with the same seed, chain, lengths, thinning, kernel and metric' }),
  arena: arenaField({ defaultText: "the target's arena when it has one, else a fresh instance", hint: "Pass await Arena.create(), or omit it for the target's arena or a fresh one.", help: 'the wasm core NUTS keeps its trajectory vectors in' }),
  shouldStop: callback<() => boolean>('checked before every gradient evaluation; returning true aborts with BdlError E_ABORTED'),
  // Messages (a cancel, a Ctrl-C handler) get through only when the loop yields; interrupt.ts yields
  // inside a long transition too, with the draws unchanged.
  yieldEveryMs: num({ min: 0, default: 50, help: 'milliseconds of work between yields to the event loop (0 = never)' }),
});

/** runChain's options, checked before any work (the chain fields of src/options/mcmc.ts where they match); a checkpoint resumes only its own run. */
export const CHAIN_OPTIONS = CHAIN_FIELDS.refine(...resumeRules((o) => ({ ...identityOf(o as ChainOptions), metric: metricOf(o as ChainOptions) })));

/** The run these options describe, beside its target's dim (a checkpoint carries the same). */
function identityOf(opts: ChainOptions): Omit<RunIdentity, 'dim'> {
  const c = CHAIN_FIELDS;
  return { seed: c.value(opts, 'seed'), chain: c.value(opts, 'chain'), warmup: c.value(opts, 'warmup'), draws: c.value(opts, 'draws'), thin: c.value(opts, 'thin'), kernel: opts.kernel ?? { type: 'nuts' } };
}

const metricOf = (opts: ChainOptions): MetricKind => opts.adapt?.metric ?? 'auto';

/** Options of `runChain`: each one's meaning, range and default is its field of CHAIN_OPTIONS (src/samplers/chain.ts). */
export type ChainOptions = Infer<typeof CHAIN_OPTIONS> & { seed: number };

/** What a finished chain returns. */
export interface ChainResult {
  chain: number;
  /** Final (adapted) step size and inverse metric (its diagonal when the metric is dense). */
  stepSize: number;
  invMetric: Float64Array;
  /** The target acceptance the step size was adapted to (the default 0.8 raised after divergences in warmup; see Warmup). */
  targetAccept: number;
  /** The metric sampling used, and the dense inverse metric (row-major dim²) when it is dense, else null. */
  metric: 'diag' | 'dense';
  denseInvMetric: Float64Array | null;
  /** The kept draws of this call (from the resume point when resumed), or null with returnDraws false. */
  samples: DrawChunk | null;
  divergences: number;
  warmupDivergences: number;
  gradEvals: number;
}

/** The kernel of `spec`; NUTS keeps its trajectory in `arena`. */
function makeKernel(target: Target, spec: KernelSpec, arena: () => Promise<Arena>): Promise<Kernel> | Kernel {
  // The type was checked with the options (CHAIN_OPTIONS' kernel field).
  return spec.type === 'nuts' ? arena().then((a) => nuts(target, spec, a)) : hmc(target, spec);
}

/** The checked options with their defaults, and the target as run (a user's checked at every call: checked-target.ts). */
function resolveOptions(target: Target, opts: ChainOptions) {
  target = guardTarget(target, 'runChain', 'target', { name: 'runChain: target', noun: 'target' });
  const c = CHAIN_OPTIONS;
  opts = c.check(opts);
  const id: RunIdentity = { dim: target.dim, ...identityOf(opts) };
  const chunkSize = c.value(opts, 'chunkSize');
  const checkpointEvery = c.value(opts, 'checkpointEvery');
  const total = id.warmup + id.draws;
  const progressEvery = opts.progressEvery ?? Math.max(1, Math.ceil(total / 100));
  const yieldEveryMs = c.value(opts, 'yieldEveryMs');
  const initRadius = c.value(opts, 'initRadius');
  const initStepSize = c.value(opts, 'initStepSize');
  const adapt: WarmupOptions = { ...opts.adapt, metric: metricOf(opts) };
  return {
    id, chunkSize, checkpointEvery, total, progressEvery, yieldEveryMs, initRadius, initStepSize, adapt,
    metric: adapt.metric as MetricKind,
    stopped: opts.shouldStop ?? (() => false),
    returnDraws: c.value(opts, 'returnDraws'),
    rngAt: chainStreams(opts.rng ?? philoxRng, id.seed, id.chain),
    /** The options as checked: what the rest of the run reads. */
    checked: opts,
    target,
  };
}

/**
 * A fresh chain: its initial point (counter 0), a warmup, and Stan's initial step-size search from it.
 * The search runs through the gate, as transitions do: it is several gradients long (with a 200 ms
 * gradient, a second or more), and a Ctrl-C or cancel must get through. The initial point does not:
 * it is one gradient unless the start is outside the support, and a user's `init(rng)` is not asked
 * to be a pure function of the draws, which a replay would need.
 */
async function initChain(
  kernel: Kernel, h: Hamiltonian, target: Target, o: ReturnType<typeof resolveOptions>, init: ArrayLike<number> | undefined, la: MetricLinalg | undefined, gate: Interrupter,
): Promise<ChainState> {
  const rng0 = gate.wrapRng(o.rngAt(0));
  const state = initialState(kernel, rng0, o.initRadius, init, target.init?.bind(target));
  const warmup = new Warmup(o.id.dim, o.id.warmup, o.adapt, o.initStepSize, la);
  if (o.id.warmup > 0 && (o.adapt.adaptStepSize ?? true)) {
    let eps = gate.run(undefined, () => searchStepSize(h, state, warmup.params.invMetric, o.initStepSize, rng0));
    if (eps instanceof Promise) eps = await eps;
    warmup.restartStepSize(eps);
  }
  const counters = { drawsEmitted: 0, divergences: 0, warmupDivergences: 0, gradEvals: 0, acceptSum: 0, acceptCount: 0 };
  return { iteration: 0, kernel: state, warmup, counters };
}

/**
 * Runs one chain of `warmup` adaptation iterations and `draws` sampling iterations on `target`.
 * Kept draws stream out through `onDraws`; the promise resolves with the adapted parameters, counts and
 * (unless returnDraws is false) all kept draws. Rejects with BdlError E_ABORTED when `shouldStop()`
 * returns true, and E_NONFINITE when no valid start or step size exists.
 */
export async function runChain(target: Target, opts: ChainOptions): Promise<ChainResult> {
  // The caller's own arena, if its target carries one (a BnnTarget's), read before the target is wrapped.
  const targetArena = (target as { arena?: Arena } | null)?.arena;
  const o = resolveOptions(target, opts);
  opts = o.checked;
  target = o.target;
  const { id, total, stopped } = o;
  const { chain, dim, warmup: nWarmup } = id;
  // The kernels see the target through the interrupter, so a long transition can yield (interrupt.ts).
  let t = 0;
  const stoppedError = () => new BdlError('E_ABORTED', `chain ${chain}: stopped at iteration ${t} of ${total} on request. Resume from the last checkpoint to continue with identical draws.`);
  const gate = new Interrupter(target, o.yieldEveryMs, stopped, macrotask, stoppedError);
  // One core for NUTS's trajectory and the metric's factorizations: the caller's, the target's, or a fresh one.
  let core: Arena | undefined = opts.arena ?? targetArena;
  const arena = async (): Promise<Arena> => (core ??= await Arena.create());
  const kernel = await makeKernel(gate.target, id.kernel, arena);
  const h = new Hamiltonian(gate.target);
  const la = o.metric === 'dense' || (o.metric === 'auto' && dim > 1 && dim <= AUTO_DENSE_MAX_DIM) ? linalg(await arena()) : undefined;

  const s: ChainState = opts.resumeFrom !== undefined ? fromCheckpoint(opts.resumeFrom, id, la) : await initChain(kernel, h, target, o, opts.init, la, gate);
  const { warmup, counters: c } = s;
  const chunks: DrawChunk[] = [];
  const firstKept = c.drawsEmitted;
  const writer = new ChunkWriter(chain, dim, o.chunkSize, firstKept, (chunk) => {
    if (o.returnDraws) chunks.push(chunk);
    opts.onDraws?.(chunk);
  });

  const report = (done: number): void => {
    opts.onProgress?.({
      chain, iteration: done, total, phase: done <= nWarmup && nWarmup > 0 ? 'warmup' : 'sampling',
      stepSize: warmup.params.stepSize, acceptance: c.acceptCount > 0 ? c.acceptSum / c.acceptCount : NaN,
      divergences: c.divergences, warmupDivergences: c.warmupDivergences, gradEvals: c.gradEvals,
    });
  };

  /** A warmup iteration's adaptation: dual averaging, the metric windows, and a new step size when the metric changed. */
  const adapt = async (info: Info, rng: SamplerRng): Promise<void> => {
    if (info.divergent) c.warmupDivergences++;
    warmup.learnStepSize(info.acceptProb, info.divergent);
    if (warmup.learnMetric(s.kernel.position)) {
      // The search leaves the state alone and continues this iteration's generator (its replays start from that point).
      const p = warmup.params;
      let eps = gate.run(undefined, () => searchStepSize(h, s.kernel, p.invMetric, p.stepSize, rng, p.dense));
      if (eps instanceof Promise) eps = await eps;
      warmup.restartStepSize(eps);
    }
    if (t === nWarmup - 1) warmup.finish();
  };

  /** A sampling iteration's record: divergences, and the draw when thinning keeps it. */
  const record = (info: Info): void => {
    if (info.divergent) c.divergences++;
    if ((t - nWarmup) % id.thin === 0) writer.push(s.kernel, info);
  };

  // The iteration's generator, read by the one transition closure (made once: the loop allocates nothing of its own).
  let rng: SamplerRng | null = null;
  const transition = () => kernel.step(s.kernel, rng!, warmup.params);
  for (t = s.iteration; t < total; t++) {
    if (stopped()) throw stoppedError();
    rng = gate.wrapRng(o.rngAt(t + 1));
    let step = gate.run(s.kernel, transition);
    if (step instanceof Promise) step = await step;
    const { info } = step;
    c.gradEvals += info.nLeapfrog;
    c.acceptSum += info.acceptProb;
    c.acceptCount++;
    if (t < nWarmup) await adapt(info, rng!);
    else record(info);

    const done = (s.iteration = t + 1);
    if (done % o.progressEvery === 0 || done === nWarmup || done === total) report(done);
    if (done === nWarmup) {
      c.acceptSum = 0; // acceptance is reported per phase
      c.acceptCount = 0;
    }
    if (o.checkpointEvery > 0 && done % o.checkpointEvery === 0 && done < total) {
      writer.flush();
      c.drawsEmitted = writer.next;
      opts.onCheckpoint?.(toCheckpoint(id, s));
    }
    const due = gate.maybeYield();
    if (due !== undefined) await due;
  }
  writer.flush();

  return {
    chain,
    stepSize: warmup.params.stepSize,
    targetAccept: warmup.targetAccept,
    invMetric: Float64Array.from(warmup.params.invMetric),
    metric: warmup.metric,
    denseInvMetric: warmup.denseInvMetric ? Float64Array.from(warmup.denseInvMetric) : null,
    samples: o.returnDraws ? concatChunks(chunks, chain, firstKept, dim) : null,
    divergences: c.divergences,
    warmupDivergences: c.warmupDivergences,
    gradEvals: c.gradEvals,
  };
}

/**
 * 'chain': one Markov chain as a pool task. The runner builds the target inside its thread (the
 * built-in BNN from the spec and the run's data `x`, `y`, or a user module imported by URL), runs
 * `runChain` keyed by (task.seed, task.stream), checkpoints every k iterations (with the output kept
 * since the last one, so a restarted worker returns exactly what an uninterrupted one would), reports progress,
 * stops on cancellation, and returns its draws — or, for big networks, only f(x*) at the run's test
 * inputs `xTest` per draw, so memory stays bounded by draws × test points.
 */
import { argError, describe } from '../errors.js';
import type { MlpSpec } from '../model/spec.js';
import type { TaskContext } from '../pool/types.js';
import { BNN_TARGET_OPTIONS, BnnTarget } from './bnn-target.js';
import { runChain, type ChainCheckpoint } from './chain.js';
import { checkedTarget, MAX_TARGET_DIM } from './checked-target.js';
import { adaptField, kernelField } from './chain-options.js';
import type { DrawChunk } from './draws.js';
import type { SamplerRng, Target } from './types.js';
import { CHAIN_RUN_FIELDS, chainFields } from '../options/mcmc.js';
import { checkArgument, enumOf, required, schema, text, variants, type Infer } from '../options/schema.js';

/** Where a chain's target comes from (plain data: it travels to the worker). */
export type ChainTargetSpec =
  | {
      type: 'bnn';
      spec: MlpSpec;
      priorPrecision?: number | number[];
      noiseVar?: number;
      temperature?: number;
      init?: 'network' | { normal: number };
    }
  | {
      /** A module URL (file: URL in Node) exporting dim, logDensity(theta, grad), and optionally init(rng), names. */
      type: 'module';
      url: string;
    };

/** Least time between two checkpoints sent at the default interval (see runChainTask). */
const DEFAULT_CHECKPOINT_MS = 250;

const { warmup, draws } = chainFields({ chains: 1, warmup: 1000, draws: 1000 });

/** A BNN target as a task carries it: BnnTarget.create's options without what the worker supplies (the run's data, its arena). */
export const BNN_TARGET_SPEC = BNN_TARGET_OPTIONS.omit("'bnn' target", 'data', 'capacity', 'arena').extend("'bnn' target", { type: required(enumOf(['bnn'] as const, { help: 'the built-in BNN posterior over the run data x, y' })) });
/** A user module as a chain's target. */
export const MODULE_TARGET_SPEC = schema("'module' target", {
  type: required(enumOf(['module'] as const, { help: "a user's log density" })),
  url: required(text({ hint: 'Pass a file: or https: URL of an ES module.', help: 'URL of the module exporting dim and logDensity(theta, grad)' })),
});
/** A chain's target option: which fields a target carries depends on its type. */
export const targetField = <T>(table: Record<string, typeof BNN_TARGET_SPEC | typeof MODULE_TARGET_SPEC>) => required(variants<T>('type', table, { help: 'what the chain samples' }));

/** Options of a 'chain' task: the MCMC chain fields of src/options/mcmc.ts, with what the task adds. */
export const CHAIN_TASK_OPTIONS = schema("'chain' task", {
  target: targetField<ChainTargetSpec>({ bnn: BNN_TARGET_SPEC, module: MODULE_TARGET_SPEC }),
  warmup,
  draws,
  ...CHAIN_RUN_FIELDS,
  kernel: kernelField('NUTS'),
  adapt: adaptField("Stan's, metric 'auto'"),
  returns: enumOf(['draws', 'predictive', 'both'] as const, {
    default: 'draws', help: "per kept draw: the position ('draws'), f(x*) at data.xTest ('predictive', BNN only), or both",
  }),
}).refine({
  option: 'returns',
  expected: "'draws' for a 'module' target (f(x*) is the built-in BNN's)",
  hint: "Return the draws, or sample a 'bnn' target.",
  // Schemas without the target option (sampleChains takes it as an argument) leave it to the task.
  holds: (o) => (o.returns ?? 'draws') === 'draws' || o.target === undefined || (o.target as { type?: unknown }).type === 'bnn',
});
/** Options of a 'chain' task (CHAIN_TASK_OPTIONS's type; the target is required). */
export type ChainTaskOptions = Infer<typeof CHAIN_TASK_OPTIONS>;

/** What a chain task returns (typed arrays, transferred back). */
export interface ChainTaskResult {
  chain: number;
  dim: number;
  /** Kept draws. */
  count: number;
  /** count × dim, or null when not kept. */
  draws: Float64Array | null;
  /** count × predictSize values of f(x*) (row-major test rows × output width), or null. */
  predictive: Float64Array | null;
  predictSize: number;
  logDensity: Float64Array;
  acceptProb: Float64Array;
  treeDepth: Uint8Array;
  nLeapfrog: Uint32Array;
  divergent: Uint8Array;
  energy: Float64Array;
  stepSize: number;
  /** The target acceptance the step size was adapted to (see ChainResult). */
  targetAccept: number;
  invMetric: Float64Array;
  metric: 'diag' | 'dense';
  /** Row-major dim² when the metric is dense, else null. */
  denseInvMetric: Float64Array | null;
  divergences: number;
  warmupDivergences: number;
  gradEvals: number;
  /** Wall seconds of the chain (summed over restarts). */
  seconds: number;
  /** Parameter names a user module exports, else null. */
  names: string[] | null;
}

/** One emitted chunk as kept by the task: what `returns` asks for, and the sampler info. */
type Piece = Pick<ChainTaskResult, 'count' | 'draws' | 'predictive' | 'logDensity' | 'acceptProb' | 'treeDepth' | 'nLeapfrog' | 'divergent' | 'energy'>;

/**
 * The checkpoint of a chain task: the driver's state. The kept pieces travel apart, each once, as
 * the items the checkpoint appends to the task's log (a restart gets them back as `resumeLog`):
 * sending every piece so far with each checkpoint would make a long chain's cost quadratic.
 */
export interface ChainTaskState {
  checkpoint: ChainCheckpoint;
  seconds: number;
}

interface UserModule {
  dim: number;
  logDensity(theta: Float64Array, grad: Float64Array): number;
  init?(rng: SamplerRng): ArrayLike<number>;
  names?: string[];
}

/** Imports a user target module (its exports, or a default export object holding them) and checks it. */
export async function loadUserTarget(url: string): Promise<{ target: Target; names: string[] | null }> {
  checkArgument(MODULE_TARGET_SPEC.fields.url, url, 'loadUserTarget', 'url');
  let mod: Record<string, unknown>;
  try {
    mod = (await import(/* @vite-ignore */ /* webpackIgnore: true */ url)) as Record<string, unknown>;
  } catch (e) {
    throw argError('E_ARG', 'target.url', 'an importable ES module', url, `Importing it failed: ${(e as Error).message}`);
  }
  const def = mod.default as Record<string, unknown> | undefined;
  const m = (def && typeof def === 'object' && 'logDensity' in def ? def : mod) as unknown as UserModule;
  if (typeof m.logDensity !== 'function' || !Number.isInteger(m.dim) || m.dim < 1 || m.dim > MAX_TARGET_DIM) {
    throw argError('E_ARG', 'target module', `exports dim (an integer from 1 to ${MAX_TARGET_DIM}) and logDensity(theta, grad)`, `dim ${describe(m.dim)}, logDensity ${typeof m.logDensity}`, 'Export both from the module.');
  }
  if (m.names !== undefined && (!Array.isArray(m.names) || m.names.length !== m.dim || !m.names.every((n) => typeof n === 'string'))) {
    throw argError('E_SHAPE', 'target module names', `${m.dim} names (strings)`, Array.isArray(m.names) && m.names.length === m.dim ? 'a name that is not a string' : describe(m.names), 'Export one name per dimension, or none.');
  }
  return { target: moduleTarget(m, url), names: m.names ? [...m.names] : null };
}

/** A user module as a Target checked at every call (checked-target.ts), named in messages by its URL. */
function moduleTarget(m: UserModule, url: string): Target {
  // A file: URL without the ?sha256= that `bdl sample` pins it with; a long data: URL shortened.
  const shown = url.startsWith('file:') ? url.replace(/\?.*$/, '') : url;
  return checkedTarget(m, { name: `target module ${shown.length > 80 ? shown.slice(0, 80) + '…' : shown}`, noun: 'module' });
}

/** Runs one chain of a 'chain' task (see the module comment). */
export async function runChainTask(ctx: TaskContext<unknown, ChainTaskOptions, ChainTaskState>): Promise<ChainTaskResult> {
  const o = CHAIN_TASK_OPTIONS.parse(ctx.task.options, undefined, 'options.');
  if (o.target.type === 'bnn') {
    const bnn = await bnnTargetOf(ctx, o.target);
    return runChainOn(ctx, bnn, { bnn });
  }
  const { target, names } = await loadUserTarget(o.target.url);
  return runChainOn(ctx, target, { names });
}

/** The BNN posterior of a task's target spec over the run's training data `x`, `y`, in the task's arena. */
export async function bnnTargetOf(ctx: TaskContext, t: Extract<ChainTargetSpec, { type: 'bnn' }>): Promise<BnnTarget> {
  const spec = t.spec;
  const { x, y } = ctx.data;
  if (!(x instanceof Float32Array) || !(y instanceof Float32Array)) {
    throw argError('E_ARG', 'data', 'Float32Arrays x and y (the training set)', describe(x), 'Pass run data { x, y }.');
  }
  const inputs = spec?.inputs;
  const targets = spec?.likelihood === 'categorical' ? 1 : spec?.outputs;
  const n = x.length / inputs;
  return BnnTarget.create({
    spec, data: { x, y, n, inputs, targets }, arena: await ctx.arena(),
    priorPrecision: t.priorPrecision, noiseVar: t.noiseVar, temperature: t.temperature, init: t.init,
  });
}

/**
 * The chain of a task (options checked by CHAIN_TASK_OPTIONS; `target` already built from them) run
 * keyed by (task.seed, task.stream), with its checkpoints, progress and cancellation: what every
 * chain-running task kind shares. `bnn`: the network whose f(x*) `returns` 'predictive' records.
 */
export async function runChainOn(
  ctx: TaskContext<unknown, Omit<ChainTaskOptions, 'target'>, ChainTaskState>,
  target: Target,
  { bnn = null, names = null }: { bnn?: BnnTarget | null; names?: string[] | null } = {},
): Promise<ChainTaskResult> {
  const o = ctx.task.options!;
  const returns = CHAIN_TASK_OPTIONS.value(o, 'returns');
  const t0 = performance.now();
  const wantPred = returns !== 'draws';
  if (wantPred) {
    // A BNN target: CHAIN_TASK_OPTIONS' rule on returns. Its test inputs are run data, not an option.
    const xTest = ctx.data.xTest;
    if (!(xTest instanceof Float32Array)) {
      throw argError('E_ARG', 'data.xTest', `the test inputs (a Float32Array) that returns '${returns}' evaluates f(x*) at`, describe(xTest), 'Pass xTest in the run data, or return the draws.');
    }
    bnn!.setTestInputs(xTest);
  }
  const predictSize = wantPred ? bnn!.predictSize : 0;
  const pieces: Piece[] = ctx.resume ? [...(ctx.resumeLog as Piece[])] : [];
  let logged = pieces.length;
  const secondsBefore = ctx.resume?.seconds ?? 0;

  const onDraws = (c: DrawChunk): void => {
    let predictive: Float64Array | null = null;
    if (wantPred) {
      predictive = new Float64Array(c.count * predictSize);
      for (let i = 0; i < c.count; i++) bnn!.predictInto(c.draws.subarray(i * c.dim, (i + 1) * c.dim), predictive, i * predictSize);
    }
    pieces.push({
      count: c.count, draws: returns === 'predictive' ? null : c.draws, predictive,
      logDensity: c.logDensity, acceptProb: c.acceptProb, treeDepth: c.treeDepth, nLeapfrog: c.nLeapfrog, divergent: c.divergent, energy: c.energy,
    });
  };

  // With the default interval a cheap target reaches a checkpoint every millisecond or so, and each
  // one is a message (its state and pieces cloned): then a checkpoint is sent at most every
  // DEFAULT_CHECKPOINT_MS, its log carrying every piece since the last one sent. An explicit
  // checkpointEvery is kept to the iteration.
  const minCheckpointMs = o.checkpointEvery === undefined ? DEFAULT_CHECKPOINT_MS : 0;
  let lastCheckpoint = -Infinity;
  const r = await runChain(target, {
    arena: await ctx.arena(),
    seed: ctx.task.seed,
    chain: ctx.task.stream,
    warmup: o.warmup,
    draws: o.draws,
    thin: o.thin,
    kernel: o.kernel,
    adapt: o.adapt,
    initRadius: o.initRadius,
    returnDraws: false,
    onDraws,
    checkpointEvery: CHAIN_TASK_OPTIONS.value(o, 'checkpointEvery'),
    resumeFrom: ctx.resume?.checkpoint,
    shouldStop: () => ctx.shouldStop(),
    onProgress: (p) => ctx.progress(p.iteration, p.total, {
      chain: p.chain, phase: p.phase, stepSize: p.stepSize, acceptance: p.acceptance,
      divergences: p.divergences, warmupDivergences: p.warmupDivergences, gradEvals: p.gradEvals,
    }),
    onCheckpoint: (cp) => {
      const now = performance.now();
      if (now - lastCheckpoint < minCheckpointMs) return;
      lastCheckpoint = now;
      // The chunks since the last checkpoint become one piece, here and in the log: a few large arrays
      // instead of eight small ones per 100 draws, for the structured clone, and for the garbage
      // collectors of both threads, which hold them until the chain ends.
      if (pieces.length - logged > 1) pieces.push(concatPieces(pieces.splice(logged), target.dim, predictSize, returns));
      // Recorded synchronously; the check it then runs is repeated by shouldStop, so its outcome is not needed here.
      ctx.checkpoint({ checkpoint: cp, seconds: secondsBefore + (performance.now() - t0) / 1000 }, pieces.slice(logged)).catch(() => {});
      logged = pieces.length;
    },
  });

  return {
    ...concatPieces(pieces, target.dim, predictSize, returns),
    chain: r.chain, dim: target.dim, predictSize,
    stepSize: r.stepSize, targetAccept: r.targetAccept, invMetric: r.invMetric, metric: r.metric, denseInvMetric: r.denseInvMetric, divergences: r.divergences, warmupDivergences: r.warmupDivergences, gradEvals: r.gradEvals,
    seconds: secondsBefore + (performance.now() - t0) / 1000,
    names,
  };
}

function concatPieces(pieces: Piece[], dim: number, predictSize: number, returns: string): Piece {
  const n = pieces.reduce((s, p) => s + p.count, 0);
  const out = {
    count: n,
    draws: returns === 'predictive' ? null : new Float64Array(n * dim),
    predictive: returns === 'draws' ? null : new Float64Array(n * predictSize),
    logDensity: new Float64Array(n), acceptProb: new Float64Array(n), treeDepth: new Uint8Array(n),
    nLeapfrog: new Uint32Array(n), divergent: new Uint8Array(n), energy: new Float64Array(n),
  };
  let at = 0;
  for (const p of pieces) {
    if (out.draws && p.draws) out.draws.set(p.draws, at * dim);
    if (out.predictive && p.predictive) out.predictive.set(p.predictive, at * predictSize);
    out.logDensity.set(p.logDensity, at);
    out.acceptProb.set(p.acceptProb, at);
    out.treeDepth.set(p.treeDepth, at);
    out.nLeapfrog.set(p.nLeapfrog, at);
    out.divergent.set(p.divergent, at);
    out.energy.set(p.energy, at);
    at += p.count;
  }
  return out;
}

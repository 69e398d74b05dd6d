/**
 * Memory estimates before any work: what a method's run will hold at its peak, from the shapes
 * alone (rows, inputs, hidden widths, outputs, members, samples, chains, the Laplace structure),
 * checked against a budget so that an impossible run is refused with E_MEMORY in milliseconds
 * instead of allocating gigabytes and failing halfway. One estimate per method family; each train
 * function calls `checkMemory(estimateX(data, opts))` first.
 *
 * The per-parameter costs were measured (peak RSS growth of a process, Node 20, P ≈ 1e6 and 5e6
 * parameters; docs/RELIABILITY.md) and rounded up: an estimate is meant to be an upper bound of the
 * peak within a small factor, never a precise forecast.
 */
import type { Dataset } from '../data/dataset.js';
import { BdlError } from '../errors.js';
import { formatBytes, WASM32_LIMIT_BYTES } from '../linalg/memory.js';
import { layoutOf, type MlpSpec } from '../model/spec.js';
import { specFor, type MethodOptions } from './common.js';

/** Default bytes a whole run (every thread) may take: 4 GiB. Raise it with the `memoryBudget` option. */
export const DEFAULT_RUN_BUDGET = 4 * 1024 ** 3;

/**
 * Peak bytes per parameter of one network's training (Adam): θ, gradient and moments in the wasm
 * arena, the engine's own θ and gradient, the JavaScript copies in and out. Measured 98–112 for MAP.
 */
export const FIT_BYTES_PER_PARAM = 128;

/** The engine's default batch capacity (`engineFor`): its buffers are capacity × widths. */
const CAPACITY = 256;

export interface MemoryEstimate {
  method: string;
  /** Peak bytes of the whole run, all threads together. */
  bytes: number;
  /** Peak bytes of the largest single wasm memory (bounded by wasm32's 4 GiB). */
  arenaBytes: number;
  /** What the bytes are, for the message. */
  parts: string[];
  /** A cheaper way to the same kind of answer. */
  alternative: string;
}

/** Shape facts every estimate uses. */
interface Shape {
  P: number;
  spec: MlpSpec;
  /** Bytes of the training rows (inputs and targets, f32). */
  data: number;
  /** The engine's and the loop's batch buffers. */
  batch: number;
}

function shapeOf(data: Dataset, o: MethodOptions, extra: Partial<MlpSpec> = {}): Shape {
  const spec = specFor(data, o, extra);
  const layout = layoutOf(spec);
  const widths = layout.layers.reduce((s, l) => s + l.fanOut, 0);
  // The engine's buffers hold `CAPACITY` rows of every layer (twice with dropout: inputs and masks);
  // the loop's minibatch holds min(batch size, n) rows of inputs and targets.
  const drop = layout.layers.some((l) => l.dropout > 0) ? 2 : 0;
  const rows = Math.min(o.batchSize ?? 32, data.n);
  const batch = 4 * (CAPACITY * (spec.inputs * (1 + drop) + 2 * widths + 2 * layout.maxWidth + data.targets) + rows * (data.inputs + data.targets));
  return { P: layout.size, spec, data: 4 * data.n * (data.inputs + data.targets), batch };
}

/** One network trained in one thread: parameters, its copies of the rows (standardized, arena), batches. */
function fitBytes(s: Shape, bytesPerParam = FIT_BYTES_PER_PARAM): number {
  return bytesPerParam * s.P + 2 * s.data + s.batch;
}

/** How many of `count` tasks run at once: the pool's size when given (0 = in-thread, one at a time), else all. */
function concurrency(count: number, opts: object): number {
  const o = opts as { pool?: unknown; poolSize?: unknown };
  const size = (o.pool as { size?: unknown } | undefined)?.size ?? o.poolSize;
  return typeof size === 'number' && size >= 0 ? Math.max(1, Math.min(count, size)) : count;
}

const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback);
const params = (s: Shape) => `a network of ${s.P.toLocaleString('en-US')} parameters`;
const WIDE = 'fewer inputs (e.g. a random projection or PCA of the features) or a narrower first hidden layer';

/** MAP, MC dropout, Concrete dropout (its rate logits are a few numbers; it trains twice the state). */
export function estimateNetwork(method: string, data: Dataset, opts: MethodOptions): MemoryEstimate {
  const o = opts as MethodOptions & Record<string, unknown>;
  const s = shapeOf(data, o, method === 'map' ? {} : { dropout: 0.1 });
  const perParam = method === 'concrete-dropout' ? 2 * FIT_BYTES_PER_PARAM : FIT_BYTES_PER_PARAM;
  const bytes = fitBytes(s, perParam);
  return { method, bytes, arenaBytes: bytes, parts: [`${params(s)} trained at ~${perParam} bytes each`, rowsPart(data, s)], alternative: WIDE };
}

/** Deep ensembles: M members, each a full training in a worker; the M parameter vectors are kept. */
export function estimateEnsemble(data: Dataset, opts: MethodOptions): MemoryEstimate {
  const o = opts as MethodOptions & Record<string, unknown>;
  const s = shapeOf(data, o);
  const M = num(o.members, 5);
  const at = concurrency(M, o);
  const bytes = at * (fitBytes(s) + s.data) + M * 8 * s.P;
  return {
    method: 'ensemble',
    bytes,
    arenaBytes: fitBytes(s),
    parts: [`${M} members of ${params(s)}, ${at} training at once`, rowsPart(data, s)],
    alternative: `fewer members (members: 2), a smaller pool (pool size 1 trains one member at a time), or ${WIDE}`,
  };
}

/** Mean-field VI: μ and ρ (2P) trained with Adam; test-time draws one at a time. */
export function estimateVi(data: Dataset, opts: MethodOptions): MemoryEstimate {
  const o = opts as MethodOptions & Record<string, unknown>;
  const s = shapeOf(data, o);
  const bytes = fitBytes({ ...s, P: 2 * s.P });
  return { method: 'vi', bytes, arenaBytes: bytes, parts: [`${params(s)} (μ and ρ: twice as many trained values)`, rowsPart(data, s)], alternative: `MAP or MC dropout (half the trained state), or ${WIDE}` };
}

/** SWA, SWAG, MultiSWAG and subspace inference: the training plus the moments (mean, squares, rank K deviations). */
export function estimateSwag(method: string, data: Dataset, opts: MethodOptions): MemoryEstimate {
  const o = opts as MethodOptions & Record<string, unknown>;
  const s = shapeOf(data, o);
  const rank = method === 'swa' ? 0 : num(o.rank, 20);
  const members = method === 'multiswag' ? num(o.members, 5) : 1;
  const at = concurrency(members, method === 'multiswag' ? o : { poolSize: 0 });
  const moments = (rank + 4) * 4 * s.P;
  // Subspace inference keeps its chains' draws as full weight vectors for the predictive.
  const draws = method === 'swag-subspace' ? num(o.chains, 2) * num(o.keep, 100) * 4 * s.P : 0;
  const bytes = at * fitBytes(s) + members * moments + draws;
  const parts = [`${params(s)}: training, then ${rank + 4} weight-sized moment vectors${members > 1 ? ` for each of ${members} members` : ''}`, rowsPart(data, s)];
  if (draws) parts.push(`${num(o.chains, 2)} chains × ${num(o.keep, 100)} kept draws of the weights`);
  return { method, bytes, arenaBytes: fitBytes(s) + moments, parts, alternative: `a lower rank (rank: 5), ${method === 'multiswag' ? 'fewer members, ' : ''}SWA (no deviations), or ${WIDE}` };
}

/** Laplace: the MAP's training, then the curvature of the subset in the chosen structure. */
export function estimateLaplace(data: Dataset, opts: MethodOptions): MemoryEstimate {
  const o = opts as MethodOptions & Record<string, unknown>;
  const s = shapeOf(data, o);
  const layers = layoutOf(s.spec).layers;
  const last = layers[layers.length - 1];
  const subset = o.subset ?? 'last-layer';
  const sub = subset === 'all' ? s.P : subset === 'subnetwork' ? subnetworkSize(o.subnetwork, s.P) : (last.fanIn + 1) * last.fanOut;
  const hessian = o.hessian ?? 'kron';
  const inSubset = subset === 'all' ? layers : subset === 'last-layer' ? [last] : layers;
  const structure = hessian === 'full' ? 4 * 8 * sub * sub
    : hessian === 'diag' ? 4 * 8 * sub
      : 3 * 8 * inSubset.reduce((t, l) => t + (l.fanIn + 1) ** 2 + l.fanOut ** 2, 0);
  const bytes = fitBytes(s) + structure;
  return {
    method: 'laplace',
    bytes,
    arenaBytes: bytes,
    parts: [`${params(s)} trained`, `a ${String(hessian)} curvature over ${sub.toLocaleString('en-US')} parameters (${formatBytes(structure)})`, rowsPart(data, s)],
    alternative: `subset 'last-layer' with hessian 'kron' or 'diag', or ${WIDE}`,
  };
}

function subnetworkSize(sn: unknown, P: number): number {
  const given = sn as { size?: unknown; indices?: { length?: unknown } } | undefined;
  const n = given?.indices?.length ?? given?.size;
  return Math.min(P, typeof n === 'number' && n > 0 ? n : 1000);
}

/** NUTS and HMC over all weights: a MAP pretraining, then per chain the sampler's f64 vectors and the kept draws. */
export function estimateMcmc(method: string, data: Dataset, opts: MethodOptions): MemoryEstimate {
  const o = opts as MethodOptions & Record<string, unknown>;
  const s = shapeOf(data, o);
  const chains = num(o.chains, 4);
  const keep = Math.min(num(o.keep, 100), num(o.draws, 500));
  const at = concurrency(chains, o);
  const sampler = 16 * 8 * s.P + 2 * s.data + s.batch;
  const bytes = fitBytes(s) + at * (sampler + s.data) + chains * keep * 4 * s.P;
  return {
    method,
    bytes,
    arenaBytes: Math.max(fitBytes(s), sampler),
    parts: [`${params(s)}`, `${chains} chains (${at} at once) each keeping ${keep} draws`, rowsPart(data, s)],
    alternative: `fewer kept draws (keep: 20) or chains, an SG-MCMC method, or ${WIDE}`,
  };
}

/** SGLD, cyclical SGLD, SGHMC (with or without MH) and SVGD: a pretraining, the kept samples or the particles. */
export function estimateSampled(method: string, data: Dataset, opts: MethodOptions): MemoryEstimate {
  const o = opts as MethodOptions & Record<string, unknown>;
  const s = shapeOf(data, o);
  const svgd = method === 'svgd';
  const count = svgd ? num(o.particles, 20) : num(o.samples, 100);
  // SVGD trains K particles with their gradients, Adam moments and kernel terms (measured ~6.4 weight vectors each).
  const each = svgd ? 7 * 4 * s.P : 4 * s.P;
  const bytes = fitBytes(s) + count * each + 4 * 4 * s.P;
  return {
    method,
    bytes,
    arenaBytes: svgd ? bytes : fitBytes(s) + 4 * 4 * s.P,
    parts: [`${params(s)}`, `${count} ${svgd ? 'particles' : 'kept samples'} of it`, rowsPart(data, s)],
    alternative: `fewer ${svgd ? 'particles (particles: 5)' : 'samples (samples: 20)'}, or ${WIDE}`,
  };
}

function rowsPart(data: Dataset, s: Shape): string {
  return `${data.n.toLocaleString('en-US')} rows × ${data.inputs.toLocaleString('en-US')} inputs (${formatBytes(s.data)} per copy), batch buffers ${formatBytes(s.batch)}`;
}

/**
 * Refuses a run whose estimate exceeds the budget (`memoryBudget`, default DEFAULT_RUN_BUDGET) or
 * whose single wasm memory would pass wasm32's 4 GiB: E_MEMORY naming the estimate, the limit, what
 * the bytes are and a cheaper alternative. Returns the estimate's bytes otherwise.
 */
export function checkMemory(e: MemoryEstimate, budget: unknown): number {
  const limit = budget === undefined ? DEFAULT_RUN_BUDGET : budget;
  if (typeof limit !== 'number' || !(limit > 0)) {
    throw new BdlError('E_ARG', `memoryBudget: expected a positive number of bytes, found ${String(budget)}. Omit it for ${formatBytes(DEFAULT_RUN_BUDGET)}.`, 'memoryBudget');
  }
  if (!(e.bytes <= limit) && Number.isFinite(e.bytes)) throw refusal(e, e.bytes, limit, `memoryBudget; the default is ${formatBytes(DEFAULT_RUN_BUDGET)}`, 'or raise memoryBudget if the machine has the memory');
  if (!(e.arenaBytes <= WASM32_LIMIT_BYTES) && Number.isFinite(e.arenaBytes)) throw refusal(e, e.arenaBytes, WASM32_LIMIT_BYTES, "one thread's wasm memory, where wasm32 addresses end", '');
  return e.bytes;
}

function refusal(e: MemoryEstimate, bytes: number, limit: number, what: string, raise: string): BdlError {
  return new BdlError(
    'E_MEMORY',
    `${e.method}: expected at most ${formatBytes(limit)} (${what}), found an estimated ${formatBytes(bytes)} before starting: ` +
      `${e.parts.join('; ')}. Use ${e.alternative}${raise ? `, ${raise}` : ''}.`,
    'memoryBudget',
  );
}

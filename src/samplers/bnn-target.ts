/**
 * The built-in BNN posterior as a sampler target: log p(θ | D) = (log-likelihood + log prior) / T,
 * full batch, with the network's forward and backward passes in the wasm engine.
 *
 * Precision split (as the design asks): the network runs in f32 (θ is rounded to f32 once per call),
 * the energy is accumulated in f64 across chunks, and the gradient is converted to f64 before the
 * prior's f64 gradient is added. Everything is allocated at construction: a call allocates nothing.
 */
import { argError, describe } from '../errors.js';
import type { Dataset } from '../data/dataset.js';
import { Mlp } from '../model/mlp.js';
import { checkSpec, type MlpSpec } from '../model/spec.js';
import type { Arena } from '../wasm/arena.js';
import { custom, int, list, num, required, schema, union, type Field } from '../options/schema.js';
import { trustTarget } from './checked-target.js';
import type { SamplerRng, Target } from './types.js';

export interface BnnTargetOptions {
  spec: MlpSpec;
  /** Training data, used exactly as given (standardize beforehand if wanted). */
  data: Dataset;
  /**
   * Gaussian prior precision λ (θ ~ N(0, 1/λ)): one number for every parameter, or one per weight
   * layer (applied to that layer's weights and biases). Default 1.
   */
  priorPrecision?: number | readonly number[];
  /** Known observation noise variance of the 'gaussian' likelihood. Default spec.noise² (1). */
  noiseVar?: number;
  /** Temperature T > 0: the target is p(θ | D)^(1/T). Default 1. */
  temperature?: number;
  /** Rows per engine call (default min(n, 1024)): the data are processed in chunks of this size. */
  capacity?: number;
  /** Arena to allocate in (e.g. a pool worker's); default a fresh instance of the core. */
  arena?: Arena;
  /** How init(rng) draws a start: the network's He/Glorot initialization (default), or N(0, initScale²) per parameter. */
  init?: 'network' | { normal: number };
}

const isObject = (v: unknown): boolean => v !== null && typeof v === 'object' && !Array.isArray(v);
const isDataset = (v: unknown): boolean => {
  const d = v as Dataset;
  return isObject(v) && d.x instanceof Float32Array && d.y instanceof Float32Array && d.n >= 1;
};
const INIT_NORMAL = schema('BnnTarget.create', { normal: required(num({ gt: 0, help: 'standard deviation of every parameter' })) });

/** BnnTarget.create's options, checked before any work (the chain task's BNN target is these without the run's data). */
export const BNN_TARGET_OPTIONS = schema('BnnTarget.create', {
  spec: required(custom<MlpSpec>({ expected: 'an MlpSpec { inputs, hidden, outputs, activation, likelihood }', valid: isObject, inner: (v, _where, path) => void checkSpec(v as MlpSpec, path), help: 'the network' })),
  data: required(custom<Dataset>({ expected: 'a Dataset { x, y, n, inputs, targets }', valid: isDataset, hint: 'Build it with makeDataset.', help: 'training data, used exactly as given' })),
  priorPrecision: union(num({ min: 0, help: '' }), list(num({ min: 0, help: '' }), { minItems: 1, help: '' }), {
    default: 1, hint: 'Use 1 for N(0, 1) priors.', help: 'Gaussian prior precision λ: one for every parameter, or one per weight layer',
  }),
  noiseVar: num({ gt: 0, defaultText: 'spec.noise² (1)', hint: 'Pass σ², e.g. 0.25 for σ = 0.5.', help: "known observation noise variance of the 'gaussian' likelihood" }),
  temperature: num({ gt: 0, default: 1, hint: 'Omit it for T = 1 (the exact posterior).', help: 'the target is p(θ | D)^(1/T)' }),
  capacity: int({ min: 1, defaultText: 'min(n, 1024)', help: 'rows per engine call' }),
  arena: custom<Arena>({ expected: 'an Arena', valid: isObject, defaultText: 'a fresh instance of the core', help: 'the wasm core to allocate in' }),
  init: custom<'network' | { normal: number }>({
    expected: "'network' or { normal: scale > 0 }", valid: (v) => v === 'network' || isObject(v), inner: (v, where, path) => (v !== 'network' ? INIT_NORMAL.check(v, where, path + '.') : undefined),
    default: 'network', help: "init(rng)'s start: the network's initialization, or N(0, scale²) per parameter",
  }),
} satisfies { [K in keyof Required<BnnTargetOptions>]: Field<Required<BnnTargetOptions>[K]> });

/**
 * Refuses targets a classification likelihood cannot hold: a 'bernoulli' network sampled any real
 * target in silence, and a 'categorical' one found no finite start and blamed the log density.
 */
export function checkLabels(y: ArrayLike<number>, spec: MlpSpec, argument = 'data.y'): void {
  if (spec.likelihood !== 'categorical' && spec.likelihood !== 'bernoulli') return;
  const K = spec.outputs;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    const ok = spec.likelihood === 'bernoulli' ? v === 0 || v === 1 : Number.isInteger(v) && v >= 0 && v < K;
    if (ok) continue;
    const expected = spec.likelihood === 'bernoulli' ? "a label 0 or 1 (the 'bernoulli' likelihood)" : `a class index 0…${K - 1} (the 'categorical' likelihood of ${K} outputs)`;
    throw argError('E_ARG', `${argument}[${i}]`, expected, describe(v), "Pass class labels, or use the 'gaussian' likelihood for a regression.");
  }
}

/** Philox stream of the network initialization used by init(rng): distinct from chains' streams. */
const INIT_STREAM = 0x1b;

/** A BNN posterior target: implements the samplers' Target, plus the network function at test inputs. */
export class BnnTarget implements Target {
  readonly dim: number;
  readonly mlp: Mlp;
  readonly spec: MlpSpec;
  /** The wasm core the network runs in (samplers keep their own vectors there too). */
  readonly arena: Arena;
  private readonly n: number;
  private readonly xPtr: number;
  private readonly yPtr: number;
  private readonly thetaPtr: number;
  private readonly gradPtr: number;
  private readonly lambda: Float64Array;
  private readonly lambdaPtr: number;
  private readonly invT: number;
  private readonly lossOpts: { scale: number; noiseVar: number };
  private readonly initMode: 'network' | { normal: number };
  private thetaView: Float32Array;
  private gradView: Float32Array;
  /** The buffer the two views above are on. */
  private viewsOn: ArrayBufferLike;
  /** The last θ and ∇ arrays logDensity was given, the memory then, and whether they were in it. */
  private readonly seen: { theta: Float64Array | null; grad: Float64Array | null; mem: ArrayBufferLike | null; inCore: boolean } = { theta: null, grad: null, mem: null, inCore: false };
  private testPtr = 0;
  private testRows = 0;

  private constructor(mlp: Mlp, o: BnnTargetOptions, lambda: Float64Array, noiseVar: number, T: number) {
    trustTarget(this);
    this.mlp = mlp;
    this.spec = mlp.spec;
    this.arena = mlp.arena;
    this.dim = mlp.size;
    this.n = o.data.n;
    this.xPtr = this.arena.putF32(o.data.x);
    this.yPtr = this.arena.putF32(o.data.y);
    this.thetaPtr = this.arena.allocF32(this.dim);
    this.gradPtr = this.arena.allocF32(this.dim);
    this.thetaView = this.arena.f32(this.thetaPtr, this.dim);
    this.gradView = this.arena.f32(this.gradPtr, this.dim);
    this.viewsOn = this.arena.memory.buffer;
    this.lambda = lambda;
    this.lambdaPtr = this.arena.putF64(lambda);
    this.invT = 1 / T;
    this.lossOpts = { scale: 1, noiseVar };
    this.initMode = o.init ?? 'network';
  }

  /** Builds the target: checks the options, creates the engine and copies the data into wasm memory once. */
  static async create(o: BnnTargetOptions): Promise<BnnTarget> {
    o = BNN_TARGET_OPTIONS.check(o);
    const spec = checkSpec(o.spec);
    const d = o.data;
    const targets = spec.likelihood === 'categorical' ? 1 : spec.outputs;
    if (d.inputs !== spec.inputs || d.targets !== targets || d.x.length !== d.n * d.inputs || d.y.length !== d.n * d.targets) {
      throw argError('E_SHAPE', 'data', `${spec.inputs} inputs and ${targets} target column(s) per row, as the spec implies`, `${d.inputs} inputs, ${d.targets} targets`, 'Match the spec to the data.');
    }
    checkLabels(d.y, spec);
    const T = BNN_TARGET_OPTIONS.value(o, 'temperature');
    const noiseVar = o.noiseVar ?? (spec.noise ?? 1) ** 2;
    const capacity = o.capacity ?? Math.min(d.n, 1024);
    const mlp = await Mlp.create(spec, { arena: o.arena, capacity });
    return new BnnTarget(mlp, o, precisionVector(mlp, o.priorPrecision ?? 1), noiseVar, T);
  }

  /** Fills grad with ∇ log p(θ | D) and returns log p(θ | D) (up to a constant: the prior's normalizer is dropped). */
  logDensity(theta: Float64Array, grad: Float64Array): number {
    const P = this.dim;
    const mem = this.refreshViews();
    if (this.n <= this.mlp.capacity && this.inCore(theta, grad, mem)) {
      // θ and ∇ are views of this core's memory (NUTS keeps its trajectory there): the conversion
      // and the prior run in wasm, with the same arithmetic as the loops below.
      const k = this.arena.k;
      k.f64_to_f32(this.thetaPtr, theta.byteOffset, P);
      const nll = this.mlp.lossAndGradAt(this.thetaPtr, this.gradPtr, this.xPtr, this.yPtr, this.n, this.lossOpts);
      const quad = k.bnn_prior_grad_f64(grad.byteOffset, this.gradPtr, theta.byteOffset, this.lambdaPtr, this.invT, P);
      return -(nll + 0.5 * quad) * this.invT;
    }
    const th = this.thetaView;
    const g32 = this.gradView;
    for (let i = 0; i < P; i++) th[i] = theta[i];
    const cap = this.mlp.capacity;
    const inW = this.spec.inputs;
    const tW = this.mlp.targetWidth;
    const lam = this.lambda;
    const invT = this.invT;
    let nll = 0;
    let quad = 0;
    for (let s = 0; s < this.n; s += cap) {
      const b = Math.min(cap, this.n - s);
      nll += this.mlp.lossAndGradAt(this.thetaPtr, this.gradPtr, this.xPtr + 4 * s * inW, this.yPtr + 4 * s * tW, b, this.lossOpts);
      if (s + cap < this.n) {
        if (s === 0) for (let i = 0; i < P; i++) grad[i] = g32[i];
        else for (let i = 0; i < P; i++) grad[i] += g32[i];
        continue;
      }
      // The last chunk: its gradient, the prior's and the temperature in one pass.
      const first = s === 0;
      for (let i = 0; i < P; i++) {
        const t = theta[i];
        quad += lam[i] * t * t;
        grad[i] = -((first ? g32[i] : grad[i] + g32[i]) + lam[i] * t) * invT;
      }
    }
    return -(nll + 0.5 * quad) * invT;
  }

  /** A start: the network's initialization from a seed drawn from rng, or small normals. */
  init(rng: SamplerRng): Float64Array {
    if (this.initMode === 'network') {
      const seed = Math.floor(rng.uniform() * 2 ** 32) >>> 0;
      return Float64Array.from(this.mlp.init(seed, INIT_STREAM));
    }
    const q = new Float64Array(this.dim);
    rng.normal(q);
    const s = this.initMode.normal;
    for (let i = 0; i < q.length; i++) q[i] *= s;
    return q;
  }

  /** Copies test inputs (rows × inputs) into wasm memory once, for `predictInto`. */
  setTestInputs(x: Float32Array): void {
    if (!(x instanceof Float32Array) || x.length === 0 || x.length % this.spec.inputs !== 0) {
      throw argError('E_SHAPE', 'xTest', `a non-empty Float32Array of rows × ${this.spec.inputs}`, describe(x), 'Flatten the test rows.');
    }
    this.testPtr = this.arena.putF32(x);
    this.testRows = x.length / this.spec.inputs;
    this.refreshViews();
  }

  /** Number of values `predictInto` writes: test rows × the network's output width. */
  get predictSize(): number {
    return this.testRows * this.mlp.layout.outputWidth;
  }

  /** Writes the network output f(x*) at the test inputs for parameters θ into out[offset …]. */
  predictInto(theta: ArrayLike<number>, out: Float32Array | Float64Array, offset: number): void {
    this.refreshViews();
    const th = this.thetaView;
    for (let i = 0; i < this.dim; i++) th[i] = theta[i];
    const cap = this.mlp.capacity;
    const W = this.mlp.layout.outputWidth;
    for (let s = 0; s < this.testRows; s += cap) {
      const b = Math.min(cap, this.testRows - s);
      const o = this.mlp.forwardAt(this.thetaPtr, this.testPtr + 4 * s * this.spec.inputs, b);
      out.set(this.arena.f32(o, b * W), offset + s * W);
    }
  }

  /**
   * Views of θ and ∇ in wasm memory, re-made only if the memory grew (which detaches old views).
   * Returns the memory's buffer. (Reading `.buffer` of a Memory or a view costs a call into the
   * engine, ≈ 35 ns: a gradient reads it once.)
   */
  private refreshViews(): ArrayBufferLike {
    const mem = this.arena.memory.buffer;
    if (mem !== this.viewsOn) {
      this.thetaView = this.arena.f32(this.thetaPtr, this.dim);
      this.gradView = this.arena.f32(this.gradPtr, this.dim);
      this.viewsOn = mem;
    }
    return mem;
  }

  /** Whether θ and ∇ are views of this core's memory `mem`; remembered for the last pair of arrays seen (a view's buffer never changes). */
  private inCore(theta: Float64Array, grad: Float64Array, mem: ArrayBufferLike): boolean {
    const seen = this.seen;
    if (theta !== seen.theta || grad !== seen.grad || mem !== seen.mem) {
      seen.theta = theta;
      seen.grad = grad;
      seen.mem = mem;
      seen.inCore = theta.buffer === mem && grad.buffer === mem;
    }
    return seen.inCore;
  }
}

/** Per-parameter precision from a scalar or one value per weight layer (weights and biases alike). */
function precisionVector(mlp: Mlp, p: number | readonly number[]): Float64Array {
  const layers = mlp.layout.layers;
  const lam = new Float64Array(mlp.size);
  const vals = typeof p === 'number' ? layers.map(() => p) : p;
  if (!Array.isArray(vals) || vals.length !== layers.length) {
    throw argError('E_SHAPE', 'priorPrecision', `a number or ${layers.length} numbers (one per weight layer)`, describe(p), 'E.g. priorPrecision: 1.');
  }
  // Each value was checked by BNN_TARGET_OPTIONS; the count depends on the network.
  layers.forEach((L, l) => lam.fill(vals[l], L.w, L.b + L.fanOut));
  return lam;
}

/** Builds a BNN target (see BnnTarget.create). */
export function bnnTarget(o: BnnTargetOptions): Promise<BnnTarget> {
  return BnnTarget.create(o);
}

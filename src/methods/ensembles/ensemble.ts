/**
 * Deep ensembles (Lakshminarayanan et al. 2017): M networks from independent initializations and
 * shuffles (member m trains with Philox stream m), combined as a uniform mixture. With the
 * 'heteroscedastic' likelihood each member predicts a mean and a variance: aleatoric = the mean of
 * the members' variances, epistemic = the variance of their means; away from the training inputs a
 * member's variance reverts towards its typical level (posterior/support.ts; `revertOffData`).
 * With 'gaussian', each member's homoscedastic noise is fitted by EM during its training.
 *
 * Each member is one 'train-member' task (./train-member.ts) run through the worker pool:
 * the caller's `pool` if given (left open), else — when the run is big enough to repay starting
 * workers (epochs·N·P·M ≥ 2·10⁸ multiply-adds, ~0.1 s of work) — a default pool (one worker per core)
 * created here and closed after; smaller runs go in-thread (a size-0 pool). The members are bit-for-bit
 * the same either way.
 */
import type { Dataset } from '../../data/dataset.js';
import type { Standardizer } from '../../data/standardize.js';
import { BdlError } from '../../errors.js';
import type { Mlp } from '../../model/mlp.js';
import { layoutOf, taskOf, type MlpSpec } from '../../model/spec.js';
import { mixturePredictive } from '../../posterior/network.js';
import { inputSupport, type InputSupport } from '../../posterior/support.js';
import { encodePosterior, registerPosteriorFormat } from '../../posterior/serialize.js';
import type { Posterior, PredictOptions, Predictive } from '../../posterior/types.js';
import { fanOut } from '../../pool/fan-out.js';
import { registerTask } from '../../pool/registry.js';
import type { Pool } from '../../pool/types.js';
import { runTrainMember, type MemberOptions, type MemberResult } from './train-member.js';
import { defaultEpochs, engineFor, memberProgress, specFor, type MethodOptions } from '../common.js';
import { betaNllOf, intOption, noiseFor, numOption, predictiveNoiseVar, standardized, varianceFloorOf, type BetaNllOption, type PredictiveNoiseOption } from '../noise.js';

export interface EnsembleOptions extends MethodOptions, PredictiveNoiseOption, BetaNllOption {
  /** Number of members (default 5). */
  members?: number;
  /** Observation noise σ in target units (gaussian likelihood); default: fitted per member. */
  noise?: number;
  /** Pool to train the members in (not closed here). Default: see the module comment. */
  pool?: Pool;
  /**
   * Heteroscedastic members: off the training inputs, raise each member's predicted variance towards
   * its mean variance on the training rows (posterior/support.ts). Default true; false keeps the
   * variance head's extrapolation, which can reach ~0 far from the data.
   */
  revertOffData?: boolean;
  /**
   * Adversarial training of each member (the paper's; ./adversarial.ts): ε as a fraction of each
   * input's range on the training set, e.g. 0.01 as Lakshminarayanan et al. Default: off.
   */
  adversarial?: number;
}

/** Work below which an ensemble trains in-thread rather than starting workers (multiply-adds). */
const WORKER_THRESHOLD = 2e8;

/** Trains M members and returns their mixture. */
export async function trainEnsemble(train: Dataset, opts: EnsembleOptions = {}): Promise<EnsemblePosterior> {
  const spec = specFor(train, opts);
  const M = intOption(opts.members, 'members', 5);
  if (typeof opts.learningRate === 'function') {
    throw new BdlError('E_ARG', 'learningRate: expected a number for an ensemble (members are serializable tasks), found a schedule function. Pass a constant rate.', 'learningRate');
  }
  const { data, standardizer } = standardized(train, taskOf(spec) === 'regression');
  const fixed = noiseFor(spec.likelihood, opts.noise, standardizer);
  const options: MemberOptions = {
    epochs: intOption(opts.epochs, 'epochs', defaultEpochs(data.n, opts.batchSize ?? 32)),
    batchSize: intOption(opts.batchSize, 'batchSize', 32),
    learningRate: numOption(opts.learningRate as number | undefined, 'learningRate', 1e-3, 0, Infinity, true),
    priorPrecision: numOption(opts.priorPrecision, 'priorPrecision', 1, 0, Infinity),
    noiseVar: fixed?.fixed ? fixed.variance : undefined,
    betaNll: betaNllOf(spec.likelihood, opts.betaNll),
    adversarial: opts.adversarial === undefined ? undefined : inputRanges(data, numOption(opts.adversarial, 'adversarial', 0.01, 0, Infinity)),
  };
  const seed = opts.seed ?? 0;
  registerTask('train-member', runTrainMember);
  const tasks = Array.from({ length: M }, (_, m) => ({ kind: 'train-member', spec, options, seed, stream: m }));
  const work = options.epochs * data.n * layoutOf(spec).size * M;
  const results = await fanOut<MemberResult>(tasks, {
    pool: opts.pool ?? (work >= WORKER_THRESHOLD ? {} : { size: 0 }),
    data: { x: data.x, y: data.y },
    signal: opts.signal,
    onProgress: memberProgress(opts.onProgress),
  });
  const het = spec.likelihood === 'heteroscedastic';
  const noiseVars = Float64Array.from(results, (r) => (het ? r.noiseVar : predictiveNoiseVar(spec.likelihood, opts.predictiveNoise, standardizer, r.noiseVar)));
  const members = results.map((r) => r.theta);
  const floor = het ? varianceFloorOf(opts.predictiveNoise, standardizer) : 0;
  if (!het || opts.revertOffData === false) return new EnsemblePosterior(spec, members, noiseVars, standardizer, floor);
  const mlp = await engineFor(spec);
  return new EnsemblePosterior(spec, members, noiseVars, standardizer, floor, offDataOf(mlp, members, data.x), mlp);
}

export class EnsemblePosterior implements Posterior {
  readonly method = 'ensemble';
  constructor(
    readonly spec: MlpSpec,
    readonly members: Float32Array[],
    /** Per-member noise variance, standardized units (unused for non-gaussian likelihoods). */
    readonly noiseVars: Float64Array,
    readonly standardizer: Standardizer | undefined,
    /** Heteroscedastic members: variance added to each member's predicted one (standardized units). */
    readonly varianceFloor = 0,
    /** Heteroscedastic members: the training inputs' support and each member's level off it (support.ts). */
    readonly offData?: OffData,
    private mlp?: Mlp,
  ) {}

  get info(): Record<string, unknown> {
    const ys = this.standardizer?.yStd?.[0] ?? 1;
    return { members: this.members.length, noiseStd: this.spec.likelihood === 'gaussian' ? Array.from(this.noiseVars, (v) => Math.sqrt(v) * ys) : undefined };
  }

  /** The uniform mixture of the members (deterministic: `samples` and `seed` are not used). */
  async predict(x: Float32Array, opts: PredictOptions = {}): Promise<Predictive> {
    this.mlp ??= await engineFor(this.spec);
    const T = this.spec.outputs;
    const level = this.offData?.levels;
    return mixturePredictive(
      this.mlp,
      this.standardizer,
      x,
      this.members.length,
      (s) => ({ theta: this.members[s], noiseVar: this.noiseVars[s], varianceFloor: this.varianceFloor, offDataVariance: level?.subarray(s * T, (s + 1) * T) }),
      { signal: opts.signal, support: this.offData?.support },
    );
  }

  /** The members' weights, cycled when n exceeds M. */
  async sampleWeights(n: number): Promise<Float32Array[]> {
    return Array.from({ length: n }, (_, i) => this.members[i % this.members.length].slice());
  }

  toBytes(): Uint8Array {
    const arrays: Record<string, Float32Array | Float64Array> = { noiseVars: this.noiseVars, varianceFloor: Float64Array.of(this.varianceFloor) };
    this.members.forEach((t, m) => (arrays[`theta${m}`] = t));
    const o = this.offData;
    if (o) Object.assign(arrays, { supportRows: o.support.rows, offDataLevels: o.levels, supportRange: Float64Array.of(o.support.near, o.support.far) });
    return encodePosterior({ method: this.method, spec: this.spec, standardizer: this.standardizer, state: { members: this.members.length }, arrays });
  }
}

registerPosteriorFormat('ensemble', async (p) => {
  const M = p.state!.members as number;
  const members = Array.from({ length: M }, (_, m) => p.arrays[`theta${m}`] as Float32Array);
  const floor = p.arrays.varianceFloor as Float64Array | undefined;
  const rows = p.arrays.supportRows as Float32Array | undefined;
  const range = p.arrays.supportRange as Float64Array | undefined;
  const offData = rows && range && { support: { rows, inputs: p.spec.inputs, near: range[0], far: range[1] }, levels: p.arrays.offDataLevels as Float64Array };
  return new EnsemblePosterior(p.spec, members, p.arrays.noiseVars as Float64Array, p.standardizer, floor ? floor[0] : 0, offData);
});

/** ε per input: `fraction` × that input's range over the (standardized) training rows. */
function inputRanges(data: Dataset, fraction: number): Float32Array {
  const eps = new Float32Array(data.inputs);
  for (let j = 0; j < data.inputs; j++) {
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < data.n; i++) {
      const v = data.x[i * data.inputs + j];
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    eps[j] = fraction * (hi - lo);
  }
  return eps;
}

/** Heteroscedastic members off the data: where the training inputs are, and each member's level (M × outputs). */
export interface OffData {
  support: InputSupport;
  levels: Float64Array;
}

/** The support of the (standardized) training inputs and each member's mean predicted variance on them. */
function offDataOf(mlp: Mlp, members: Float32Array[], x: Float32Array): OffData {
  const T = mlp.spec.outputs;
  const N = x.length / mlp.spec.inputs;
  // No standardizer: x is already in the network's space and the variances stay standardized.
  const p = mixturePredictive(mlp, undefined, x, members.length, (s) => ({ theta: members[s] }));
  const v = (p as { members: { variance: Float32Array } }).members.variance;
  const levels = new Float64Array(members.length * T);
  for (let s = 0; s < members.length; s++) {
    for (let i = 0; i < N; i++) for (let t = 0; t < T; t++) levels[s * T + t] += v[(s * N + i) * T + t] / N;
  }
  return { support: inputSupport(x, mlp.spec.inputs), levels };
}

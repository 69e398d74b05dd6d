/**
 * Deep ensembles (Lakshminarayanan et al. 2017): M networks from independent initializations and
 * shuffles (member m trains with Philox stream m), combined as a uniform mixture. With the
 * 'heteroscedastic' likelihood each member predicts a mean and a variance: aleatoric = the mean of
 * the members' variances, epistemic = the variance of their means. With 'gaussian', each member's
 * homoscedastic noise is fitted by EM during its training.
 *
 * Each member is one 'train-member' task (src/tasks/train-member.ts). Until the worker pool is on
 * this branch, members train one after another in this thread.
 */
import type { Dataset } from '../data/dataset.js';
import type { Standardizer } from '../data/standardize.js';
import { BdlError } from '../errors.js';
import type { Mlp } from '../model/mlp.js';
import { taskOf, type MlpSpec } from '../model/spec.js';
import { mixturePredictive } from '../posterior/network.js';
import { encodePosterior, registerPosteriorFormat } from '../posterior/serialize.js';
import type { Posterior, PredictOptions, Predictive } from '../posterior/types.js';
import { trainMember, type MemberOptions } from '../tasks/train-member.js';
import { engineFor, specFor, type MethodOptions } from './common.js';
import { intOption, noiseFor, numOption, standardized } from './noise.js';

export interface EnsembleOptions extends MethodOptions {
  /** Number of members (default 5). */
  members?: number;
  /** Observation noise σ in target units (gaussian likelihood); default: fitted per member. */
  noise?: number;
}

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
    epochs: intOption(opts.epochs, 'epochs', 40),
    batchSize: intOption(opts.batchSize, 'batchSize', 32),
    learningRate: numOption(opts.learningRate as number | undefined, 'learningRate', 1e-3, 0, Infinity, true),
    priorPrecision: numOption(opts.priorPrecision, 'priorPrecision', 1, 0, Infinity),
    noiseVar: fixed?.fixed ? fixed.variance : undefined,
  };
  const seed = opts.seed ?? 0;
  const thetas: Float32Array[] = [];
  const noiseVars: number[] = [];
  for (let m = 0; m < M; m++) {
    const r = await trainMember(spec, options, seed, m, { x: data.x, y: data.y }, {
      signal: opts.signal,
      onProgress: opts.onProgress && ((p) => opts.onProgress!({ task: m, ...p })),
    });
    thetas.push(r.theta);
    noiseVars.push(r.noiseVar);
  }
  return new EnsemblePosterior(spec, thetas, Float64Array.from(noiseVars), standardizer);
}

export class EnsemblePosterior implements Posterior {
  readonly method = 'ensemble';
  constructor(
    readonly spec: MlpSpec,
    readonly members: Float32Array[],
    /** Per-member noise variance, standardized units (unused for non-gaussian likelihoods). */
    readonly noiseVars: Float64Array,
    readonly standardizer: Standardizer | undefined,
    private mlp?: Mlp,
  ) {}

  get info(): Record<string, unknown> {
    const ys = this.standardizer?.yStd?.[0] ?? 1;
    return { members: this.members.length, noiseStd: this.spec.likelihood === 'gaussian' ? Array.from(this.noiseVars, (v) => Math.sqrt(v) * ys) : undefined };
  }

  /** The uniform mixture of the members (deterministic: `samples` and `seed` are not used). */
  async predict(x: Float32Array, opts: PredictOptions = {}): Promise<Predictive> {
    this.mlp ??= await engineFor(this.spec);
    return mixturePredictive(this.mlp, this.standardizer, x, this.members.length, (s) => ({ theta: this.members[s], noiseVar: this.noiseVars[s] }), { signal: opts.signal });
  }

  /** The members' weights, cycled when n exceeds M. */
  async sampleWeights(n: number): Promise<Float32Array[]> {
    return Array.from({ length: n }, (_, i) => this.members[i % this.members.length].slice());
  }

  toBytes(): Uint8Array {
    const arrays: Record<string, Float32Array | Float64Array> = { noiseVars: this.noiseVars };
    this.members.forEach((t, m) => (arrays[`theta${m}`] = t));
    return encodePosterior({ method: this.method, spec: this.spec, standardizer: this.standardizer, state: { members: this.members.length }, arrays });
  }
}

registerPosteriorFormat('ensemble', async (p) => {
  const M = p.state!.members as number;
  const members = Array.from({ length: M }, (_, m) => p.arrays[`theta${m}`] as Float32Array);
  return new EnsemblePosterior(p.spec, members, p.arrays.noiseVars as Float64Array, p.standardizer);
});

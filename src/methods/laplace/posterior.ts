/** The Laplace posterior: predictive (linearized or sampled), weight draws, and its binary form. */
import { signalOption } from '../../signal.js';
import type { Standardizer } from '../../data/standardize.js';
import { standardizeX } from '../../data/standardize.js';
import type { Mlp } from '../../model/mlp.js';
import type { MlpSpec } from '../../model/spec.js';
import { layoutOf, type Layout, type TaskKind } from '../../model/spec.js';
import { checkFinite } from '../../posterior/finite.js';
import { checkPredictiveSize, mixtureSteps, toInputs } from '../../posterior/network.js';
import { withInterval } from '../../posterior/network-posterior.js';
import { f32, f64, formatError, stateNumber } from '../../posterior/parts.js';
import { registerPosteriorFormat } from '../../posterior/restore.js';
import { encodePosterior, type PosteriorParts } from '../../posterior/serialize.js';
import { sampleCount, noiseStd } from '../../posterior/source.js';
import type { Inputs, Posterior, Prediction, PredictOptions, Predictive } from '../../posterior/types.js';
import { keyOf } from '../../random/index.js';
import { engineFor } from '../common.js';
import { diag } from './diag.js';
import { Linearization, type Curvature } from './engine.js';
import type { Hyper } from './evidence.js';
import { full } from './full.js';
import { kron } from './kron.js';
import { indexSubset } from './subset.js';
import { glmClassificationSteps, glmMomentSteps, LAPLACE_RNG_TAG } from './predictive.js';
import type { Factors, Gaussian, Hessian, Structure, Subset } from './types.js';
import { checkPredictOptions } from '../../posterior/predict-options.js';
import { holdArena } from '../../posterior/arena-hold.js';
import { runSteps, runYielding, throwIfAborted, type Steps } from '../../posterior/yielding.js';

const RESTORE: Record<Hessian, Structure> = { full, kron, diag };

export interface LaplaceParts {
  spec: MlpSpec;
  theta: Float32Array;
  standardizer?: Standardizer;
  hessian: Hessian;
  curvature: Curvature;
  sub: Subset;
  factors: Factors;
  hyper: Hyper;
  logEvidence: number;
  predictive: 'glm' | 'mc';
  link: 'probit' | 'mc';
  mlp?: Mlp;
}

/** Default posterior samples where sampling is used (the reference implementations' 100). */
const DEFAULT_SAMPLES = 100;

export class LaplacePosterior<T extends TaskKind = TaskKind> implements Posterior<T> {
  readonly method: string;
  readonly spec: MlpSpec;
  /** Log marginal likelihood at the chosen hyperparameters (original target units for regression). */
  readonly logEvidence: number;
  private gauss?: Gaussian;
  private creating?: Promise<Mlp>;

  constructor(private readonly p: LaplaceParts) {
    this.method = `laplace-${p.hessian}`;
    this.spec = p.spec;
    this.logEvidence = p.logEvidence;
  }

  /** The Gaussian over the subset (built on first use). */
  get gaussian(): Gaussian {
    return (this.gauss ??= runSteps(this.gaussianSteps()));
  }

  private gaussianSteps(): Steps<Gaussian> {
    const { hyper, curvature } = this.p;
    const s = this.spec.likelihood === 'gaussian' ? hyper.noiseVar ** -(curvature === 'ef' ? 2 : 1) : 1;
    return this.p.factors.posteriorSteps(hyper.prior, s);
  }

  /**
   * The Gaussian, built on first use as steps that give the thread back every ~50 ms and stop with
   * E_ABORTED once `signal` is aborted (a full structure's factorization is seconds at a few thousand
   * weights). Its factorization keeps arena memory across those yields, so it holds the engine's arena
   * (the factors live on that arena); a second caller waits for it and takes its result.
   */
  private async gaussianYielding(mlp: Mlp, signal: AbortSignal | undefined, what: string, onShare?: (share: number) => void): Promise<Gaussian> {
    if (this.gauss) return this.gauss;
    return holdArena(mlp.arena, signal, what, async () => (this.gauss ??= await runYielding(this.gaussianSteps(), signal, what, onShare)));
  }

  /**
   * Builds the Gaussian now (as the first `predict` would), giving the thread back every ~50 ms,
   * telling `onShare` the share of the factorization done (0..1) and stopping with E_ABORTED once
   * `signal` is aborted: a full structure over a few thousand weights is seconds of work, which a
   * caller can show as progress instead of a silent first prediction. A no-op once built.
   */
  async prepare(opts: { signal?: AbortSignal; onShare?: (share: number) => void } = {}): Promise<void> {
    signalOption(opts.signal);
    throwIfAborted(opts.signal, 'laplace: building the posterior');
    await this.gaussianYielding(await this.engine(), opts.signal, 'laplace: building the posterior', opts.onShare);
  }

  /** The MAP θ*. */
  get theta(): Float32Array {
    return this.p.theta;
  }

  /** θ indices the Gaussian covers. */
  get subsetIndices(): Int32Array {
    return this.p.sub.indices;
  }

  get info(): Record<string, unknown> {
    const { hyper, sub, hessian, curvature } = this.p;
    const jitter = this.gaussian.jitter;
    return {
      hessian,
      subset: sub.kind,
      parameters: sub.indices.length,
      curvature,
      priorPrecision: sub.layers.length === 1 || hyper.prior.every((v) => v === hyper.prior[0]) ? hyper.prior[0] : Array.from(hyper.prior),
      ...(this.spec.likelihood === 'gaussian' ? { noiseStd: noiseStd(hyper.noiseVar, this.p.standardizer) } : {}),
      logEvidence: this.logEvidence,
      jitter,
      ...(jitter > 0 ? { warning: `the posterior precision was not positive definite; ${jitter.toExponential(2)}·I was added to its diagonal` } : {}),
    };
  }

  private engine(): Promise<Mlp> {
    if (this.p.mlp) return Promise.resolve(this.p.mlp);
    return (this.creating ??= engineFor(this.spec).then(
      (mlp) => (this.p.mlp ??= mlp),
      (e: unknown) => {
        this.creating = undefined;
        throw e;
      },
    ));
  }

  /**
   * The linearized (GLM) predictive, or the network at sampled weights ('mc'); checked finite. It
   * gives the thread back every ~50 ms of work and stops with E_ABORTED once `opts.signal` is
   * aborted. The GLM moments keep arena memory across those yields (a batch's Jacobians while its
   * covariances are computed in steps), so they hold the engine's arena: concurrent GLM predicts run
   * one after the other. The 'mc' draws are plain arrays: they hold nothing.
   */
  async predict(x: Inputs, opts: PredictOptions = {}): Promise<Prediction<T>> {
    opts = checkPredictOptions(opts);
    signalOption(opts.signal);
    const rows = toInputs(x, this.spec.inputs);
    const S = sampleCount(opts.samples, 'samples', DEFAULT_SAMPLES);
    // The samples are kept per row by the 'mc' predictive and by a classification's (the entropy split); a linearized regression keeps none.
    checkPredictiveSize(this.spec, rows.length / this.spec.inputs, this.p.predictive === 'mc' || this.spec.likelihood === 'categorical' || this.spec.likelihood === 'bernoulli' ? S : 1);
    throwIfAborted(opts.signal, 'predict');
    const mlp = await this.engine();
    await this.gaussianYielding(mlp, opts.signal, 'predict');
    const seed = opts.seed ?? 0;
    const p =
      this.p.predictive === 'mc'
        ? await runYielding(this.mcSteps(mlp, rows, S, seed, opts.signal), opts.signal, 'predict')
        : await holdArena(mlp.arena, opts.signal, 'predict', () => runYielding(this.glmSteps(mlp, rows, S, seed), opts.signal, 'predict'));
    return withInterval(checkFinite(p, rows, this.spec.inputs)) as Prediction<T>;
  }

  /** The network averaged over S draws of the weights (drawn one per step, then the mixture's own steps). */
  private *mcSteps(mlp: Mlp, x: Float32Array, S: number, seed: number, signal: AbortSignal | undefined): Steps<Predictive> {
    const draws: Float32Array[] = [];
    for (let s = 0; s < S; s++) {
      draws.push(this.drawWeights(mlp, s, s + 1, seed)[0]);
      yield;
    }
    return yield* mixtureSteps(mlp, this.p.standardizer, x, S, (s) => ({ theta: draws[s] }), { noiseVar: this.p.hyper.noiseVar, signal });
  }

  /** The linearized predictive: output moments batch by batch, then the likelihood's predictive. */
  private *glmSteps(mlp: Mlp, x: Float32Array, S: number, seed: number): Steps<Predictive> {
    const noiseVar = this.p.hyper.noiseVar;
    const N = x.length / this.spec.inputs;
    const K = mlp.layout.outputWidth;
    let xs = x;
    if (this.p.standardizer) {
      xs = standardizeX(this.p.standardizer, x);
      yield;
    }
    const { mean, cov } = yield* glmMomentSteps(this.spec, mlp.arena, this.p.theta, this.p.sub, this.gaussian, xs);
    if (this.spec.likelihood === 'gaussian') {
      const ym = this.p.standardizer?.yMean;
      const ysd = this.p.standardizer?.yStd;
      const out = { kind: 'regression' as const, mean: new Float64Array(N * K), variance: new Float64Array(N * K), aleatoric: new Float64Array(N * K), epistemic: new Float64Array(N * K) };
      for (let n = 0; n < N; n++) {
        for (let t = 0; t < K; t++) {
          const sd = ysd ? ysd[t] : 1;
          const i = n * K + t;
          out.mean[i] = mean[i] * sd + (ym ? ym[t] : 0);
          out.epistemic[i] = cov[(n * K + t) * K + t] * sd * sd;
          out.aleatoric[i] = noiseVar * sd * sd;
          out.variance[i] = out.epistemic[i] + out.aleatoric[i];
        }
      }
      return out;
    }
    return yield* glmClassificationSteps(mlp.arena, mean, cov, N, K, this.spec.likelihood === 'bernoulli', S, seed, this.p.link);
  }

  /** n draws θ = θ* + R·z over the subset (other weights at the MAP). */
  async sampleWeights(n: number, seed = 0): Promise<Float32Array[]> {
    const mlp = await this.engine();
    await this.gaussianYielding(mlp, undefined, 'sampleWeights');
    return this.drawWeights(mlp, 0, n, seed);
  }

  /** Draws from..to−1 of `sampleWeights` at `seed` (draw s uses counter s: any split gives the same bits). */
  private drawWeights(mlp: Mlp, from: number, to: number, seed: number): Float32Array[] {
    const d = this.p.sub.indices.length;
    const [k0, k1] = keyOf(seed, 0);
    const a = mlp.arena;
    const mark = a.mark();
    try {
      const pz = a.allocF64(d);
      return Array.from({ length: to - from }, (_, i) => {
        a.k.rng_normal_f64(pz, d, k0, k1, from + i, 1, LAPLACE_RNG_TAG);
        const delta = this.gaussian.sample(a.getF64(pz, d));
        const theta = this.p.theta.slice();
        this.p.sub.indices.forEach((j, k) => (theta[j] += delta[k]));
        return theta;
      });
    } finally {
      a.reset(mark);
    }
  }

  toBytes(): Uint8Array<ArrayBuffer> {
    const { spec, theta, standardizer, hessian, curvature, sub, factors, hyper } = this.p;
    const arrays: Record<string, Float32Array | Float64Array> = { theta, indices: Float64Array.from(sub.indices), prior: hyper.prior };
    for (const [k, v] of Object.entries(factors.arrays())) arrays[`f_${k}`] = v;
    return encodePosterior({
      method: this.method,
      spec,
      standardizer,
      state: { hessian, curvature, subset: sub.kind, noiseVar: hyper.noiseVar, logEvidence: this.logEvidence, predictive: this.p.predictive, link: this.p.link },
      arrays,
    });
  }
}

/** The factor arrays each structure keeps, with their lengths for a subset (checked before restoring). */
const FACTOR_SIZES: Record<Hessian, (sub: Subset, layout: Layout) => [string, number][]> = {
  full: (sub) => [['H', sub.indices.length ** 2]],
  diag: (sub) => [['h', sub.indices.length]],
  kron: (sub, layout) => sub.layers.flatMap((l, g): [string, number][] => [[`A${g}`, (layout.layers[l].fanIn + 1) ** 2], [`G${g}`, layout.layers[l].fanOut ** 2]]),
};

const oneOf = <V extends string>(p: PosteriorParts, key: string, values: readonly V[]): V => {
  const v = p.state?.[key];
  if (!values.includes(v as V)) throw formatError(`${p.method}: state "${key}" is ${JSON.stringify(v)?.slice(0, 40)}, not one of ${values.join(', ')}`);
  return v as V;
};

/** A Laplace file's parts, every size checked against the spec before the engine is built. */
function laplaceParts(parts: PosteriorParts, hessian: Hessian) {
  const layout = layoutOf(parts.spec);
  const theta = f32(parts, 'theta', layout.size);
  const indices = f64(parts, 'indices');
  let sub: Subset;
  try {
    sub = indexSubset(layout, indices, oneOf(parts, 'subset', ['last-layer', 'all', 'subnetwork'] as const));
  } catch (e) {
    throw formatError(`${parts.method}: the subset's indices do not fit the network (${(e as Error).message})`);
  }
  // The factors and the prior are the file's: a non-finite factor or a negative prior precision is
  // E_FORMAT here, not a message about the caller's priorPrecision when the Gaussian is built.
  const factors = Object.fromEntries(FACTOR_SIZES[hessian](sub, layout).map(([k, n]) => [k, f64(parts, `f_${k}`, n, 'finite')]));
  return {
    theta,
    sub,
    factors,
    prior: f64(parts, 'prior', sub.layers.length, hessian === 'full' ? 'nonnegative' : 'positive'),
    noiseVar: stateNumber(parts, 'noiseVar', 'positive'),
    logEvidence: (typeof parts.state?.logEvidence === 'number' ? parts.state.logEvidence : NaN) as number,
    curvature: oneOf(parts, 'curvature', ['ggn', 'ef'] as const),
    predictive: oneOf(parts, 'predictive', ['glm', 'mc'] as const),
    link: oneOf(parts, 'link', ['probit', 'mc'] as const),
  };
}

for (const hessian of Object.keys(RESTORE) as Hessian[]) {
  registerPosteriorFormat(`laplace-${hessian}`, async (parts) => {
    const p = laplaceParts(parts, hessian);
    const mlp = await engineFor(parts.spec);
    const lin = new Linearization(parts.spec, mlp.arena, 1, 1, mlp.layout.layers.length - 1);
    return new LaplacePosterior({
      spec: parts.spec,
      theta: p.theta,
      standardizer: parts.standardizer,
      hessian,
      curvature: p.curvature,
      sub: p.sub,
      factors: RESTORE[hessian].restore(p.sub, lin, mlp.arena, p.factors),
      hyper: { prior: p.prior, noiseVar: p.noiseVar },
      logEvidence: p.logEvidence,
      predictive: p.predictive,
      link: p.link,
      mlp,
    });
  });
}

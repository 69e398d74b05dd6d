/** The Laplace posterior: predictive (linearized or sampled), weight draws, and its binary form. */
import { signalOption } from '../../signal.js';
import type { Standardizer } from '../../data/standardize.js';
import { standardizeX } from '../../data/standardize.js';
import type { Mlp } from '../../model/mlp.js';
import type { MlpSpec } from '../../model/spec.js';
import { classificationPredictive } from '../../posterior/aggregate.js';
import { checkInputs, mixturePredictive } from '../../posterior/network.js';
import { encodePosterior, registerPosteriorFormat } from '../../posterior/serialize.js';
import type { ClassificationPredictive, Posterior, PredictOptions, Predictive } from '../../posterior/types.js';
import { keyOf } from '../../random/index.js';
import { engineFor } from '../common.js';
import { diag } from './diag.js';
import { Linearization, type Curvature } from './engine.js';
import type { Hyper } from './evidence.js';
import { full } from './full.js';
import { kron } from './kron.js';
import { indexSubset } from './subset.js';
import { glmMoments, LAPLACE_RNG_TAG, probitProbs, sampledProbs } from './predictive.js';
import type { Factors, Gaussian, Hessian, Structure, Subset, SubsetKind } from './types.js';

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

export class LaplacePosterior implements Posterior {
  readonly method: string;
  readonly spec: MlpSpec;
  /** Log marginal likelihood at the chosen hyperparameters (original target units for regression). */
  readonly logEvidence: number;
  private gauss?: Gaussian;

  constructor(private readonly p: LaplaceParts) {
    this.method = `laplace-${p.hessian}`;
    this.spec = p.spec;
    this.logEvidence = p.logEvidence;
  }

  /** The Gaussian over the subset (built on first use). */
  get gaussian(): Gaussian {
    const { hyper, curvature } = this.p;
    const s = this.spec.likelihood === 'gaussian' ? hyper.noiseVar ** -(curvature === 'ef' ? 2 : 1) : 1;
    return (this.gauss ??= this.p.factors.posterior(hyper.prior, s));
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
    const ys = this.p.standardizer?.yStd?.[0] ?? 1;
    return {
      hessian,
      subset: sub.kind,
      parameters: sub.indices.length,
      curvature,
      priorPrecision: sub.layers.length === 1 || hyper.prior.every((v) => v === hyper.prior[0]) ? hyper.prior[0] : Array.from(hyper.prior),
      ...(this.spec.likelihood === 'gaussian' ? { noiseStd: Math.sqrt(hyper.noiseVar) * ys } : {}),
      logEvidence: this.logEvidence,
      jitter,
      ...(jitter > 0 ? { warning: `the posterior precision was not positive definite; ${jitter.toExponential(2)}·I was added to its diagonal` } : {}),
    };
  }

  private async engine(): Promise<Mlp> {
    return (this.p.mlp ??= await engineFor(this.spec));
  }

  async predict(x: Float32Array, opts: PredictOptions = {}): Promise<Predictive> {
    signalOption(opts.signal);
    const mlp = await this.engine();
    checkInputs(x, this.spec.inputs);
    const S = opts.samples ?? DEFAULT_SAMPLES;
    const seed = opts.seed ?? 0;
    const noiseVar = this.p.hyper.noiseVar;
    if (this.p.predictive === 'mc') {
      const draws = await this.sampleWeights(S, seed);
      return mixturePredictive(mlp, this.p.standardizer, x, S, (s) => ({ theta: draws[s] }), { noiseVar, signal: opts.signal });
    }
    const xs = this.p.standardizer ? standardizeX(this.p.standardizer, x) : x;
    const N = x.length / this.spec.inputs;
    const K = mlp.layout.outputWidth;
    const { mean, cov } = glmMoments(this.spec, mlp.arena, this.p.theta, this.p.sub, this.gaussian, xs);
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
    const bern = this.spec.likelihood === 'bernoulli';
    const Kp = bern ? 2 : K;
    const sampled = classificationPredictive(sampledProbs(mlp.arena, mean, cov, N, K, bern, S, seed), S, Kp);
    if (this.p.link === 'mc') return sampled;
    // Probit: the averaged probabilities in closed form; the entropy split keeps the sampled E[H].
    return withProbs(sampled, probitProbs(mean, cov, N, K, bern), Kp);
  }

  /** n draws θ = θ* + R·z over the subset (other weights at the MAP). */
  async sampleWeights(n: number, seed = 0): Promise<Float32Array[]> {
    const mlp = await this.engine();
    const d = this.p.sub.indices.length;
    const [k0, k1] = keyOf(seed, 0);
    const a = mlp.arena;
    const mark = a.mark();
    try {
      const pz = a.allocF64(d);
      return Array.from({ length: n }, (_, s) => {
        a.k.rng_normal_f64(pz, d, k0, k1, s, 1, LAPLACE_RNG_TAG);
        const delta = this.gaussian.sample(a.getF64(pz, d));
        const theta = this.p.theta.slice();
        this.p.sub.indices.forEach((i, k) => (theta[i] += delta[k]));
        return theta;
      });
    } finally {
      a.reset(mark);
    }
  }

  toBytes(): Uint8Array {
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

function withProbs(p: ClassificationPredictive, probs: Float32Array, K: number): ClassificationPredictive {
  const N = probs.length / K;
  const avg = Float64Array.from(probs);
  const entropy = new Float64Array(N);
  const mutualInformation = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    let h = 0;
    for (let c = 0; c < K; c++) if (avg[n * K + c] > 0) h -= avg[n * K + c] * Math.log(avg[n * K + c]);
    entropy[n] = h;
    mutualInformation[n] = Math.max(0, h - p.expectedEntropy[n]);
  }
  return { ...p, probs: avg, entropy, mutualInformation };
}

for (const hessian of Object.keys(RESTORE) as Hessian[]) {
  registerPosteriorFormat(`laplace-${hessian}`, async (parts) => {
    const st = parts.state!;
    const mlp = await engineFor(parts.spec);
    const sub = { ...indexSubset(mlp.layout, parts.arrays.indices, st.subset as SubsetKind) };
    const lin = new Linearization(parts.spec, mlp.arena, 1, 1, mlp.layout.layers.length - 1);
    const arrays: Record<string, Float64Array> = {};
    for (const [k, v] of Object.entries(parts.arrays)) if (k.startsWith('f_')) arrays[k.slice(2)] = v as Float64Array;
    return new LaplacePosterior({
      spec: parts.spec,
      theta: parts.arrays.theta as Float32Array,
      standardizer: parts.standardizer,
      hessian,
      curvature: st.curvature as Curvature,
      sub,
      factors: RESTORE[hessian].restore(sub, lin, mlp.arena, arrays),
      hyper: { prior: parts.arrays.prior as Float64Array, noiseVar: st.noiseVar as number },
      logEvidence: st.logEvidence as number,
      predictive: st.predictive as 'glm' | 'mc',
      link: st.link as 'probit' | 'mc',
      mlp,
    });
  });
}

/**
 * A Bayesian head on features: the user brings an N×D feature matrix (from any extractor) and gets
 *  - regression: exact Bayesian linear regression y = [φ, 1]·w + ε, w ~ N(0, α⁻¹I), ε ~ N(0, β⁻¹),
 *    with α and β set by MacKay's evidence fixed point (Bishop PRML §3.5.2), one pair per target;
 *  - classification: a logistic (one output) or softmax head, MAP then Laplace over all its weights
 *    with the prior precision tuned by the Laplace evidence (MAP and evidence alternated).
 * Both return the usual Posterior (predict with the aleatoric/epistemic split, toBytes/restore).
 */
import type { Dataset } from '../../data/dataset.js';
import { argError, describe } from '../../errors.js';
import { eigh } from '../../linalg/index.js';
import { checkSpec, type MlpSpec } from '../../model/spec.js';
import { checkFinite } from '../../posterior/finite.js';
import { toInputs } from '../../posterior/network.js';
import { withInterval } from '../../posterior/network-posterior.js';
import { f64, stateNumber, type PosteriorParts } from '../../posterior/parts.js';
import { registerPosteriorFormat } from '../../posterior/restore.js';
import { encodePosterior } from '../../posterior/serialize.js';
import type { Inputs, Posterior, PredictOptions, RegressionPrediction, RegressionPredictive } from '../../posterior/types.js';
import { fit } from '../../train/fit.js';
import { Arena } from '../../wasm/index.js';
import { int, schema, type Field } from '../../options/schema.js';
import { checkRun, engineFor, METHOD_OPTIONS } from '../common.js';
import { laplaceAt, type LaplacePosterior } from '../laplace/index.js';
import { checkPredictOptions } from '../../posterior/predict-options.js';
import { rowsPerStep, runYielding, throwIfAborted, type Steps } from '../../posterior/yielding.js';
import * as exact from '../../random/exact-math.js';

export interface HeadOptions {
  /** 'regression' (default) or 'classification' (targets are class indices 0…K−1). */
  task?: 'regression' | 'classification';
  /** Classes (default: the largest label + 1; 2 gives a logistic head). */
  classes?: number;
  /** Evidence iterations at most (default 500 for regression, 4 MAP/evidence rounds for classification). */
  iterations?: number;
  seed?: number;
}

/** bayesianHead's options, checked before any work. */
export const HEAD_OPTIONS = schema('bayesianHead', {
  task: METHOD_OPTIONS.fields.task,
  classes: int({ min: 2, defaultText: 'the largest label + 1', help: 'classes (2 gives a logistic head)' }),
  iterations: int({ min: 1, defaultText: '500 for regression, 4 MAP/evidence rounds for classification', help: 'evidence iterations at most' }),
  seed: METHOD_OPTIONS.fields.seed,
} satisfies { [K in keyof Required<HeadOptions>]: Field<Required<HeadOptions>[K]> });

/** The Bayesian head for features `train.x` and targets `train.y` (see the module comment). */
export async function bayesianHead(train: Dataset, opts: HeadOptions = {}): Promise<Posterior> {
  opts = checkRun(HEAD_OPTIONS, train, opts);
  const task = HEAD_OPTIONS.value(opts, 'task');
  if (!train || !(train.x instanceof Float32Array)) throw argError('E_ARG', 'train', 'a Dataset of features (makeDataset(features, y))', describe(train), 'Build one with makeDataset.');
  return task === 'regression' ? linearHead(train, opts.iterations ?? 500) : laplaceHead(train, opts);
}

/** Regression head: exact conjugate posterior at the evidence-maximizing α, β (per target). */
async function linearHead(d: Dataset, iterations: number): Promise<BayesianLinearHead> {
  const P = d.inputs + 1;
  const N = d.n;
  const T = d.targets;
  const G = new Float64Array(P * P);
  const phi = new Float64Array(P);
  const B = new Float64Array(T * P);
  const yy = new Float64Array(T);
  for (let n = 0; n < N; n++) {
    features(d.x, n, d.inputs, phi);
    for (let i = 0; i < P; i++) for (let j = 0; j <= i; j++) G[i * P + j] += phi[i] * phi[j];
    for (let t = 0; t < T; t++) {
      const y = d.y[n * T + t];
      yy[t] += y * y;
      for (let i = 0; i < P; i++) B[t * P + i] += phi[i] * y;
    }
  }
  for (let i = 0; i < P; i++) for (let j = 0; j < i; j++) G[j * P + i] = G[i * P + j];
  const arena = await Arena.create();
  const { values, vectors: V } = eigh(arena, G, P, { name: 'ΦᵀΦ' });
  const lam = values.map((v) => Math.max(v, 0));
  const alpha = new Float64Array(T);
  const beta = new Float64Array(T);
  const mean = new Float64Array(T * P);
  const logEvidence = new Float64Array(T);
  for (let t = 0; t < T; t++) {
    // c = Vᵀ Φᵀy: the evidence and the posterior mean in the eigenbasis of ΦᵀΦ.
    const c = new Float64Array(P);
    for (let k = 0; k < P; k++) for (let i = 0; i < P; i++) c[k] += V[i * P + k] * B[t * P + i];
    const ym = sumCol(d.y, t, T, N) / N;
    let a = 1;
    let b = 1 / Math.max(yy[t] / N - ym * ym, 1e-12);
    let s = evidenceTerms(a, b, lam, c, yy[t], N);
    for (let it = 0; it < iterations; it++) {
      const a2 = s.gamma / Math.max(s.mm, 1e-300);
      const b2 = (N - s.gamma) / Math.max(s.rss, 1e-300);
      const done = Math.abs(a2 - a) <= 1e-12 * a && Math.abs(b2 - b) <= 1e-12 * b;
      a = a2;
      b = b2;
      s = evidenceTerms(a, b, lam, c, yy[t], N);
      if (done) break;
    }
    alpha[t] = a;
    beta[t] = b;
    logEvidence[t] = s.logEvidence;
    for (let i = 0; i < P; i++) {
      let m = 0;
      for (let k = 0; k < P; k++) m += V[i * P + k] * s.u[k];
      mean[t * P + i] = m;
    }
  }
  return new BayesianLinearHead(d.inputs, T, V, lam, mean, alpha, beta, logEvidence);
}

/** For one target at (α, β): γ, mᵀm, the residual sum of squares, the log evidence and u = Vᵀm. */
function evidenceTerms(a: number, b: number, lam: Float64Array, c: Float64Array, yy: number, N: number) {
  const P = lam.length;
  const u = new Float64Array(P);
  let gamma = 0;
  let mm = 0;
  let cu = 0;
  let lu = 0;
  let logdet = 0;
  for (let k = 0; k < P; k++) {
    const den = a + b * lam[k];
    u[k] = (b * c[k]) / den;
    gamma += (b * lam[k]) / den;
    mm += u[k] * u[k];
    cu += c[k] * u[k];
    lu += lam[k] * u[k] * u[k];
    logdet += exact.log(den);
  }
  const rss = Math.max(yy - 2 * cu + lu, 0);
  const logEvidence = 0.5 * (P * exact.log(a) + N * exact.log(b) - b * rss - a * mm - logdet - N * exact.log(2 * Math.PI));
  return { u, gamma, mm, rss, logEvidence };
}

function features(x: Float32Array, n: number, D: number, out: Float64Array): void {
  for (let i = 0; i < D; i++) out[i] = x[n * D + i];
  out[D] = 1;
}

function sumCol(y: Float32Array, t: number, T: number, N: number): number {
  let s = 0;
  for (let n = 0; n < N; n++) s += y[n * T + t];
  return s;
}

/** The conjugate regression head's posterior: N(m_t, (α_t I + β_t ΦᵀΦ)⁻¹) per target, kept in ΦᵀΦ's eigenbasis. */
export class BayesianLinearHead implements Posterior<'regression'> {
  readonly method = 'bayesian-linear-head';
  readonly spec: MlpSpec;
  constructor(
    readonly features: number,
    readonly targets: number,
    /** Eigenvectors of ΦᵀΦ (P × P, columns) and its eigenvalues, P = features + 1 (the bias). */
    private readonly V: Float64Array,
    private readonly lam: Float64Array,
    /** Posterior means, targets × P (the bias last). */
    readonly mean: Float64Array,
    readonly alpha: Float64Array,
    readonly beta: Float64Array,
    readonly logEvidence: Float64Array,
  ) {
    this.spec = checkSpec({ inputs: features, hidden: [], outputs: targets, activation: 'identity', likelihood: 'gaussian' });
  }

  get info(): Record<string, unknown> {
    return { priorPrecision: Array.from(this.alpha), noiseStd: Array.from(this.beta, (b) => 1 / Math.sqrt(b)), logEvidence: Array.from(this.logEvidence) };
  }

  /** The closed-form predictive at rows x; it gives the thread back every ~50 ms of work and stops with E_ABORTED once `opts.signal` is aborted (no arena is used). */
  async predict(rows: Inputs, opts?: PredictOptions): Promise<RegressionPrediction> {
    opts = checkPredictOptions(opts);
    const x = toInputs(rows, this.features);
    throwIfAborted(opts?.signal, 'predict');
    const out = await runYielding(this.steps(x), opts?.signal, 'predict');
    return withInterval(checkFinite(out, x, this.features)) as RegressionPrediction;
  }

  private *steps(x: Float32Array): Steps<RegressionPredictive> {
    const D = this.features;
    const P = D + 1;
    const T = this.targets;
    const N = x.length / D;
    const out: RegressionPredictive = { kind: 'regression', mean: new Float64Array(N * T), variance: new Float64Array(N * T), aleatoric: new Float64Array(N * T), epistemic: new Float64Array(N * T) };
    const phi = new Float64Array(P);
    const u = new Float64Array(P);
    const step = rowsPerStep(P * (P + 2 * T));
    for (let n = 0; n < N; n++) {
      if (n > 0 && n % step === 0) yield;
      features(x, n, D, phi);
      u.fill(0);
      for (let i = 0; i < P; i++) for (let k = 0; k < P; k++) u[k] += this.V[i * P + k] * phi[i];
      for (let t = 0; t < T; t++) {
        let m = 0;
        for (let i = 0; i < P; i++) m += phi[i] * this.mean[t * P + i];
        let v = 0;
        for (let k = 0; k < P; k++) v += (u[k] * u[k]) / (this.alpha[t] + this.beta[t] * this.lam[k]);
        const j = n * T + t;
        out.mean[j] = m;
        out.epistemic[j] = v;
        out.aleatoric[j] = 1 / this.beta[t];
        out.variance[j] = v + 1 / this.beta[t];
      }
    }
    return out;
  }

  toBytes(): Uint8Array<ArrayBuffer> {
    return encodePosterior({
      method: this.method,
      spec: this.spec,
      state: { features: this.features, targets: this.targets },
      arrays: { V: this.V, lam: this.lam, mean: this.mean, alpha: this.alpha, beta: this.beta, logEvidence: this.logEvidence },
    });
  }
}

registerPosteriorFormat('bayesian-linear-head', async (p: PosteriorParts) => {
  const D = stateNumber(p, 'features', 'integer');
  const T = stateNumber(p, 'targets', 'integer');
  const P = D + 1;
  const at = (name: string, n: number, values?: 'positive') => f64(p, name, n, values);
  // α and β are precisions: one ≤ 0 would give a negative or infinite variance.
  return new BayesianLinearHead(D, T, at('V', P * P), at('lam', P), at('mean', T * P), at('alpha', T, 'positive'), at('beta', T, 'positive'), at('logEvidence', T));
});

/** Classification head: a network without hidden layers, MAP and Laplace evidence alternated. */
async function laplaceHead(d: Dataset, opts: HeadOptions): Promise<LaplacePosterior> {
  if (d.targets !== 1) throw argError('E_SHAPE', 'train.targets', '1 column of class indices', String(d.targets), 'Give one label per row.');
  let max = 0;
  for (let i = 0; i < d.n; i++) {
    const c = d.y[i];
    if (!Number.isInteger(c) || c < 0) throw argError('E_ARG', `train.y[${i}]`, 'a class index 0…K−1', describe(c), 'Encode classes as 0…K−1.');
    max = Math.max(max, c);
  }
  const K = opts.classes ?? max + 1;
  if (!Number.isInteger(K) || K < 2 || K <= max) throw argError('E_ARG', 'classes', `an integer ≥ 2 above the largest label ${max}`, describe(K), 'Omit it to use the largest label + 1.');
  const spec = checkSpec({ inputs: d.inputs, hidden: [], outputs: K === 2 ? 1 : K, activation: 'identity', likelihood: K === 2 ? 'bernoulli' : 'categorical' });
  const mlp = await engineFor(spec);
  const rounds = opts.iterations ?? 4;
  const steps = 3000;
  const batchSize = Math.min(d.n, 256);
  const epochs = Math.max(20, Math.ceil(steps / Math.ceil(d.n / batchSize)));
  let prior = 1;
  let theta: Float32Array | undefined;
  let post: LaplacePosterior | undefined;
  // The Laplace evidence is evaluated at the MAP of the current prior: alternate until λ settles.
  for (let r = 0; r < rounds; r++) {
    const res = await fit(mlp, d, { epochs, batchSize, learningRate: 0.01, priorPrecision: prior, seed: opts.seed ?? 0, standardize: false, init: theta });
    theta = res.params;
    post = await laplaceAt(mlp, theta, d, { subset: 'all', hessian: mlp.size <= 4000 ? 'full' : 'kron', priorPrecisionMode: 'marglik', priorPrecision: prior });
    const next = (post.info as { priorPrecision: number }).priorPrecision;
    const settled = Math.abs(exact.log(next / prior)) < 0.01;
    prior = next;
    if (settled) break;
  }
  return post!;
}

/**
 * What every method produces (a Posterior) and what every posterior predicts (a Predictive). Metrics,
 * the command line, the report and the benchmarks only ever see these two shapes.
 */
import type { MlpSpec } from '../model/spec.js';

/** Per test point, in original target units. Totals split as variance = aleatoric + epistemic. */
export interface RegressionPredictive {
  readonly kind: 'regression';
  /** N × T (T targets; usually 1). */
  mean: Float64Array;
  variance: Float64Array;
  /** Expected noise variance E_θ[σ²(x; θ)]. */
  aleatoric: Float64Array;
  /** Variance of the mean over the posterior Var_θ[μ(x; θ)]. */
  epistemic: Float64Array;
  /**
   * The S posterior samples' own Gaussian predictives (S × N·T each, original units), so the exact
   * mixture log-likelihood can be computed. Absent for closed-form predictives (e.g. linearized Laplace).
   */
  members?: { mean: Float32Array; variance: Float32Array; count: number };
}

/** Per test point: averaged class probabilities and the entropy decomposition (Houlsby et al. 2011). */
export interface ClassificationPredictive {
  readonly kind: 'classification';
  /** N × K, averaged over posterior samples. */
  probs: Float64Array;
  classes: number;
  /** Entropy of the averaged probabilities (total uncertainty). */
  entropy: Float64Array;
  /** Mean entropy of the samples' probabilities (aleatoric). */
  expectedEntropy: Float64Array;
  /** entropy − expectedEntropy: the mutual information between label and weights (epistemic, BALD). */
  mutualInformation: Float64Array;
}

export type Predictive = RegressionPredictive | ClassificationPredictive;

export interface PredictOptions {
  /** Posterior samples at test time (each method documents its default). */
  samples?: number;
  /** Seed of test-time randomness (weight draws, dropout masks). Default 0. */
  seed?: number;
  signal?: AbortSignal;
}

export interface Posterior {
  /** 'map', 'ensemble', 'mc-dropout', 'swag', 'laplace-kron', 'nuts', ... */
  readonly method: string;
  readonly spec: MlpSpec;
  /** Predictive at input rows x (n × spec.inputs, row-major, original units). */
  predict(x: Float32Array, opts?: PredictOptions): Promise<Predictive>;
  /** n weight vectors drawn from the posterior, when it has weights to draw. */
  sampleWeights?(n: number, seed?: number): Promise<Float32Array[]>;
  /** A versioned binary form; `posteriorFromBytes` restores it exactly. */
  toBytes(): Uint8Array;
  /** Method-specific facts worth reporting (learned dropout rates, tuned prior precision, ...). */
  readonly info?: Record<string, unknown>;
}

/**
 * What every method produces (a Posterior) and what every posterior predicts (a Predictive). Metrics,
 * the command line, the report and the benchmarks only ever see these two shapes.
 */
import type { MatrixLike } from '../data/dataset.js';
import type { MlpSpec, TaskKind } from '../model/spec.js';

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

/** The predictive of a task: `PredictiveOf<'regression'>` has `mean`, `PredictiveOf<'classification'>` has `probs`. */
export type PredictiveOf<T extends TaskKind> = T extends 'regression' ? RegressionPredictive : ClassificationPredictive;

/** Central predictive intervals, N × T each, in original target units. */
export interface Interval {
  lower: Float64Array;
  upper: Float64Array;
}

/** A regression predictive that also gives its central intervals (exact mixture quantiles where it is a mixture). */
export interface RegressionPrediction extends RegressionPredictive {
  /** Central `level` interval per point in original units (default 0.95). */
  interval(level?: number): Interval;
}

/** What the library's posteriors' `predict` returns for a task: regression predictives carry `interval()`. */
export type Prediction<T extends TaskKind> = PredictiveOf<T> & (T extends 'regression' ? RegressionPrediction : ClassificationPredictive);

/**
 * The task a method's options select: 'classification' when `task: 'classification'`, 'regression'
 * when the task is 'regression' or left out, either when the options' type leaves it open.
 */
export type TaskOf<O> = 'task' extends keyof O
  ? [O['task']] extends ['classification']
    ? 'classification'
    : [O['task']] extends ['regression' | undefined]
      ? 'regression'
      : TaskKind
  : 'regression';

/** Test inputs as `predict` takes them: a flat Float32Array of rows × inputs, or what `makeDataset` takes (rows, or `{ data, cols }`). */
export type Inputs = Float32Array | MatrixLike;

export interface PredictOptions {
  /** Posterior samples at test time (each method documents its default). */
  samples?: number;
  /** Seed of test-time randomness (weight draws, dropout masks). Default 0. */
  seed?: number;
  /**
   * Cancels the prediction: `predict` gives the thread back every ~50 ms of work, so an abort from a
   * timer, a message or a Ctrl-C handler lands mid-run and rejects it with E_ABORTED.
   */
  signal?: AbortSignal;
}

export interface Posterior<T extends TaskKind = TaskKind> {
  /** 'map', 'ensemble', 'mc-dropout', 'swag', 'laplace-kron', 'nuts', ... */
  readonly method: string;
  readonly spec: MlpSpec;
  /** Predictive at input rows x (n × spec.inputs: a flat row-major Float32Array, or rows; original units). */
  predict(x: Inputs, opts?: PredictOptions): Promise<PredictiveOf<T>>;
  /** n weight vectors drawn from the posterior, when it has weights to draw. */
  sampleWeights?(n: number, seed?: number): Promise<Float32Array[]>;
  /** A versioned binary form; `posteriorFromBytes` restores it exactly (a fresh ArrayBuffer: it goes to fetch, Blob, a file or a transfer as it is). */
  toBytes(): Uint8Array<ArrayBuffer>;
  /** Method-specific facts worth reporting (learned dropout rates, tuned prior precision, ...). */
  readonly info?: Record<string, unknown>;
}

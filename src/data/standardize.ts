/**
 * Standardization fitted on training data only and remembered, so that predictions come back in
 * original units: inputs z = (x − μ)/σ per column; targets likewise (regression only). A zero σ
 * becomes 1 (a constant column passes through centred).
 */
import type { Dataset } from './dataset.js';

export interface Standardizer {
  readonly xMean: Float64Array;
  readonly xStd: Float64Array;
  /** Absent for classification (labels are not scaled). */
  readonly yMean?: Float64Array;
  readonly yStd?: Float64Array;
}

/** Column means and standard deviations (population) of the training set. */
export function fitStandardizer(train: Dataset, scaleTargets: boolean): Standardizer {
  const x = moments(train.x, train.n, train.inputs);
  if (!scaleTargets) return { xMean: x.mean, xStd: x.std };
  const y = moments(train.y, train.n, train.targets);
  return { xMean: x.mean, xStd: x.std, yMean: y.mean, yStd: y.std };
}

/** A standardized copy of the dataset (the input is not touched). */
export function applyStandardizer(s: Standardizer, ds: Dataset): Dataset {
  return {
    ...ds,
    x: scale(ds.x, ds.inputs, s.xMean, s.xStd),
    y: s.yMean && s.yStd ? scale(ds.y, ds.targets, s.yMean, s.yStd) : ds.y.slice(),
  };
}

/** Standardizes input rows (n × inputs). */
export function standardizeX(s: Standardizer, x: Float32Array): Float32Array {
  return scale(x, s.xMean.length, s.xMean, s.xStd);
}

/** Maps a predictive mean back to original target units (in place on a copy: returns new array). */
export function unscaleMean(s: Standardizer, mean: ArrayLike<number>, targets = 1): Float64Array {
  const out = Float64Array.from(mean);
  if (!s.yMean || !s.yStd) return out;
  for (let i = 0; i < out.length; i++) out[i] = out[i] * s.yStd[i % targets] + s.yMean[i % targets];
  return out;
}

/** Maps a predictive variance back to original target units (× σ_y²). */
export function unscaleVariance(s: Standardizer, variance: ArrayLike<number>, targets = 1): Float64Array {
  const out = Float64Array.from(variance);
  if (!s.yStd) return out;
  for (let i = 0; i < out.length; i++) out[i] *= s.yStd[i % targets] ** 2;
  return out;
}

function moments(data: Float32Array, n: number, cols: number): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(cols);
  const m2 = new Float64Array(cols);
  // Welford: stable for columns with a large offset.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < cols; j++) {
      const v = data[i * cols + j];
      const d = v - mean[j];
      mean[j] += d / (i + 1);
      m2[j] += d * (v - mean[j]);
    }
  }
  const std = new Float64Array(cols);
  for (let j = 0; j < cols; j++) {
    const s = Math.sqrt(m2[j] / n);
    std[j] = s > 1e-12 * Math.max(1, Math.abs(mean[j])) ? s : 1;
  }
  return { mean, std };
}

function scale(data: Float32Array, cols: number, mean: Float64Array, std: Float64Array): Float32Array {
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const j = i % cols;
    out[i] = (data[i] - mean[j]) / std[j];
  }
  return out;
}

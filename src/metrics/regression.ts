/**
 * Regression metrics on predictive means and variances (in original target units): RMSE, Gaussian and
 * mixture log-likelihoods, and the coverage and width of central Gaussian prediction intervals.
 */
import { argError } from '../errors.js';
import { normalQuantile } from '../diagnostics/special.js';
import { finiteVector, matrixRows, type SampleMatrix, positiveVector, sameLength } from './validate.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** Root mean squared error of the predictive mean. */
export function rmse(mean: ArrayLike<number>, y: ArrayLike<number>): number {
  finiteVector(mean, 'mean');
  finiteVector(y, 'y');
  sameLength(mean, 'mean', y, 'y');
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (mean[i] - y[i]) ** 2;
  return Math.sqrt(s / y.length);
}

/** The checks of a Gaussian predictive against targets: finite means and targets, positive variances, one length. */
function checkGaussian(mean: ArrayLike<number>, variance: ArrayLike<number>, y: ArrayLike<number>): void {
  finiteVector(mean, 'mean');
  positiveVector(variance, 'variance');
  finiteVector(y, 'y');
  sameLength(mean, 'mean', variance, 'variance');
  sameLength(mean, 'mean', y, 'y');
}

/** Mean over points of log N(y | mean, variance) (nats per point). */
export function gaussianLogLik(mean: ArrayLike<number>, variance: ArrayLike<number>, y: ArrayLike<number>): number {
  checkGaussian(mean, variance, y);
  let s = 0;
  for (let i = 0; i < y.length; i++) s -= 0.5 * (LOG_2PI + Math.log(variance[i]) + (y[i] - mean[i]) ** 2 / variance[i]);
  return s / y.length;
}

/**
 * Mean over points of the log-likelihood of the equally weighted Gaussian mixture of S posterior
 * samples: log((1/S) Σ_s N(y | μ_s, σ²_s)), by log-sum-exp (no underflow however far the samples
 * are). The UCI protocol's test log-likelihood for sampled predictives. Means and variances are
 * S×N, flat row-major (one row per sample) or as an array of S rows.
 */
export function mixtureLogLik(sampleMeans: SampleMatrix, sampleVars: SampleMatrix, y: ArrayLike<number>): number {
  finiteVector(y, 'y');
  const n = y.length;
  const m = matrixRows(sampleMeans, n, 'sampleMeans');
  const v = matrixRows(sampleVars, n, 'sampleVars');
  if (m.rows !== v.rows) {
    throw argError('E_SHAPE', 'sampleVars', `${m.rows} rows like sampleMeans`, `${v.rows}`, 'Pass one mean row and one variance row per posterior sample.');
  }
  if (m.rows === 0) throw argError('E_EMPTY', 'sampleMeans', 'at least one sample', '0 rows', 'Draw at least one posterior sample.');
  positiveVector(v.data, 'sampleVars');
  const S = m.rows;
  const terms = new Float64Array(S);
  let total = 0;
  for (let i = 0; i < n; i++) {
    let mx = -Infinity;
    for (let s = 0; s < S; s++) {
      const vs = v.data[s * n + i];
      terms[s] = -0.5 * (LOG_2PI + Math.log(vs) + (y[i] - m.data[s * n + i]) ** 2 / vs);
      if (terms[s] > mx) mx = terms[s];
    }
    let acc = 0;
    for (let s = 0; s < S; s++) acc += Math.exp(terms[s] - mx);
    total += mx + Math.log(acc) - Math.log(S);
  }
  return total / n;
}

function zFor(level: number): number {
  if (!(level > 0 && level < 1)) {
    throw argError('E_ARG', 'level', 'a coverage level in (0, 1)', String(level), 'Use e.g. 0.95 for a 95% interval.');
  }
  return normalQuantile((1 + level) / 2);
}

/**
 * Prediction-interval coverage probability: the fraction of y inside the central Gaussian interval
 * mean ± z·√variance with z = Φ⁻¹((1 + level)/2) (ends included). Well calibrated ≈ level.
 */
export function picp(mean: ArrayLike<number>, variance: ArrayLike<number>, y: ArrayLike<number>, level = 0.95): number {
  const z = zFor(level);
  checkGaussian(mean, variance, y);
  let inside = 0;
  for (let i = 0; i < y.length; i++) if (Math.abs(y[i] - mean[i]) <= z * Math.sqrt(variance[i])) inside++;
  return inside / y.length;
}

/** Mean width 2·z·√variance of the central Gaussian prediction intervals at `level` (target units). */
export function intervalWidth(variance: ArrayLike<number>, level = 0.95): number {
  const z = zFor(level);
  positiveVector(variance, 'variance');
  let s = 0;
  for (let i = 0; i < variance.length; i++) s += 2 * z * Math.sqrt(variance[i]);
  return s / variance.length;
}

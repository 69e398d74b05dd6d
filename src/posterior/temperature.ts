/**
 * Temperature scaling of a classification predictive (Guo et al. 2017), applied to the posterior's
 * averaged probabilities ("pool, then calibrate": Rahaman & Thiery 2021 found it the better order
 * for ensembles): p̃ = softmax(log p̄ / T). One positive number, fitted by the held-out NLL; a
 * monotone map of each row's log-probabilities, so the most probable class never changes.
 */
import { argError, BdlError, describe } from '../errors.js';
import type { ClassificationPredictive } from './types.js';
import * as exact from '../random/exact-math.js';

/** The search interval of β = 1/T: from nearly uniform to nearly one-hot. */
const LOG_BETA_MIN = exact.log(1e-3);
const LOG_BETA_MAX = exact.log(1e3);
/** Probabilities are floored here before the log, so a class the posterior gave 0 stays finite. */
const P_FLOOR = 1e-300;

/**
 * The temperature T > 0 that minimizes the NLL of `probs` (N × K, averaged class probabilities) on
 * the labels `y` once tempered. The NLL is convex in β = 1/T (a log-sum-exp minus a linear term), so
 * its derivative Σ_i (E_p̃[ℓ_i] − ℓ_{i,y_i}) is increasing in β and bisection on its sign finds the
 * minimum; T = 1 is returned when tempering does not lower the NLL (never a worse fit than none),
 * and when the rows are separated at every temperature (held-out rows all classified correctly: the
 * NLL falls towards T → 0 and does not determine T).
 */
export function fitTemperature(probs: ArrayLike<number>, y: ArrayLike<number>, classes: number): number {
  const K = classes;
  const N = y.length;
  if (!(Number.isInteger(K) && K >= 2)) throw argError('E_ARG', 'classes', 'an integer ≥ 2', describe(classes), 'Pass the predictive’s classes.');
  if (N < 1 || probs.length !== N * K) throw argError('E_SHAPE', 'probs', `${N} rows × ${K} classes (one row per label)`, `${probs.length} values`, 'Pass the predictive of the labelled rows.');
  const logp = new Float64Array(N * K);
  for (let i = 0; i < N; i++) {
    const c = y[i];
    if (!(Number.isInteger(c) && c >= 0 && c < K)) throw argError('E_ARG', `y[${i}]`, `a class index in 0…${K - 1}`, describe(c), 'Encode the classes as 0…K−1.');
    for (let k = 0; k < K; k++) logp[i * K + k] = exact.log(Math.max(probs[i * K + k], P_FLOOR));
  }
  return temperatureOfScores(logp, y, K);
}

/**
 * The NLL of rows whose class scores are `scores` (N × K: log-probabilities or logits, which differ
 * per row by a constant) at the temperature that minimizes it (`fitTemperature`'s): what the rows
 * will score once the predictive is tempered. Early stopping's score under `calibrate: 'temperature'`
 * (train/fit.ts `EarlyStopping.tempered`). Labels are not checked here (the training loop's are).
 */
export function temperedNll(scores: Float64Array, y: ArrayLike<number>, K: number): number {
  return nllAt(scores, y, K, 1 / temperatureOfScores(scores, y, K));
}

/** fitTemperature on finite log-scores. */
function temperatureOfScores(logp: Float64Array, y: ArrayLike<number>, K: number): number {
  const N = y.length;
  const slope = (beta: number) => {
    let g = 0;
    for (let i = 0; i < N; i++) {
      const row = logp.subarray(i * K, (i + 1) * K);
      let mx = -Infinity;
      for (let k = 0; k < K; k++) mx = Math.max(mx, row[k]);
      let z = 0;
      let e = 0;
      for (let k = 0; k < K; k++) {
        const w = exact.exp(beta * (row[k] - mx));
        z += w;
        e += w * row[k];
      }
      g += e / z - row[y[i]];
    }
    return g;
  };
  let lo = LOG_BETA_MIN;
  let hi = LOG_BETA_MAX;
  if (slope(exact.exp(lo)) >= 0) return checkT(1 / exact.exp(lo));
  // Still falling at the sharpest β: the rows are separated (every one's label ranked first), so the
  // NLL goes to 0 as T → 0 and says nothing about the temperature. Its minimum would be T = 1e-3 —
  // probabilities of exactly 0 and 1 on new rows, a rare class's ranking lost to underflow — so the
  // predictive is left as the posterior gave it.
  if (slope(exact.exp(hi)) <= 0) return 1;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    if (slope(exact.exp(mid)) > 0) hi = mid;
    else lo = mid;
  }
  const T = 1 / exact.exp((lo + hi) / 2);
  return nllAt(logp, y, K, 1 / T) <= nllAt(logp, y, K, 1) ? checkT(T) : 1;
}

function nllAt(logp: Float64Array, y: ArrayLike<number>, K: number, beta: number): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const row = logp.subarray(i * K, (i + 1) * K);
    let mx = -Infinity;
    for (let k = 0; k < K; k++) mx = Math.max(mx, beta * row[k]);
    let z = 0;
    for (let k = 0; k < K; k++) z += exact.exp(beta * row[k] - mx);
    s += mx + exact.log(z) - beta * row[y[i]];
  }
  return s / y.length;
}

function checkT(T: number): number {
  if (!(T > 0 && Number.isFinite(T))) throw new BdlError('E_NONFINITE', `fitTemperature: the fitted temperature is ${T}; the held-out probabilities are not finite.`, 'probs');
  return T;
}

/**
 * The predictive tempered at T: probabilities softmax(log p̄ / T) and their entropy. The mutual
 * information (the samples' disagreement, which a temperature does not measure) is kept as the
 * untempered posterior gave it, and the expected entropy is the rest, so entropy = expected + MI
 * still holds (clamped at 0 when tempering sharpens a row below its MI).
 */
export function temperPredictive(p: ClassificationPredictive, T: number): ClassificationPredictive {
  if (!(T > 0 && Number.isFinite(T))) throw argError('E_ARG', 'temperature', 'a finite number > 0', describe(T), 'E.g. 1.5 (from fitTemperature).');
  if (T === 1) return p;
  const K = p.classes;
  const N = p.probs.length / K;
  const probs = new Float64Array(N * K);
  const entropy = new Float64Array(N);
  const expectedEntropy = new Float64Array(N);
  const mutualInformation = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let mx = -Infinity;
    for (let k = 0; k < K; k++) mx = Math.max(mx, exact.log(Math.max(p.probs[i * K + k], P_FLOOR)) / T);
    let z = 0;
    for (let k = 0; k < K; k++) z += (probs[i * K + k] = exact.exp(exact.log(Math.max(p.probs[i * K + k], P_FLOOR)) / T - mx));
    let h = 0;
    for (let k = 0; k < K; k++) {
      const q = (probs[i * K + k] /= z);
      if (q > 0) h -= q * exact.log(q);
    }
    entropy[i] = h;
    mutualInformation[i] = Math.min(p.mutualInformation[i], h);
    expectedEntropy[i] = h - mutualInformation[i];
  }
  return { kind: 'classification', classes: K, probs, entropy, expectedEntropy, mutualInformation };
}

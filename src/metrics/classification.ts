/**
 * Classification metrics on predictive probabilities (N×K, row-major) and integer labels:
 * accuracy, proper scores (NLL, Brier) and calibration (ECE, MCE, reliability diagrams).
 */
import { argError, describe } from '../errors.js';
import { labelVector, probabilityMatrix, PROB_ROUNDING } from './validate.js';

/** Probabilities are clamped at this floor before the log, so one confident miss costs at most −log(1e-12) ≈ 27.6. */
export const NLL_FLOOR = 1e-12;

function check(probs: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (labels == null || typeof labels.length !== 'number' || labels.length === 0) {
    throw argError('E_EMPTY', 'labels', 'at least one label', describe(labels), 'Metrics need at least one labelled point.');
  }
  const k = probabilityMatrix(probs, labels.length);
  labelVector(labels, k);
  return k;
}

/** Index of the largest probability in row i (the first one on ties). */
function argmax(probs: ArrayLike<number>, i: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (probs[i * k + j] > probs[i * k + best]) best = j;
  return best;
}

/** Fraction of points whose most probable class (first on ties) is the label. */
export function accuracy(probs: ArrayLike<number>, labels: ArrayLike<number>): number {
  const k = check(probs, labels);
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (argmax(probs, i, k) === labels[i]) hits++;
  return hits / labels.length;
}

/** Mean negative log probability of the true class (nats), with p clamped below at {@link NLL_FLOOR}. */
export function nll(probs: ArrayLike<number>, labels: ArrayLike<number>): number {
  const k = check(probs, labels);
  let s = 0;
  for (let i = 0; i < labels.length; i++) s -= Math.log(Math.max(probs[i * k + labels[i]], NLL_FLOOR));
  return s / labels.length;
}

/**
 * Multi-class Brier score, Brier's (1950) original convention: Σ_k (p_k − 1[k = y])² summed over the
 * classes and averaged over points, so it lies in [0, 2] (not divided by K; not only the top class).
 */
export function brier(probs: ArrayLike<number>, labels: ArrayLike<number>): number {
  const k = check(probs, labels);
  let s = 0;
  for (let i = 0; i < labels.length; i++) {
    for (let j = 0; j < k; j++) {
      const d = probs[i * k + j] - (j === labels[i] ? 1 : 0);
      s += d * d;
    }
  }
  return s / labels.length;
}

/** How the confidence axis is binned. */
export interface BinOptions {
  /** Number of bins; default 15. */
  bins?: number;
  /** 'width': equal-width bins (lo, hi] on [0, 1] (default); 'mass': equal-count bins over sorted confidences. */
  scheme?: 'width' | 'mass';
}

/** One bin of a reliability diagram. Empty bins have count 0 and NaN confidence and accuracy. */
export interface ReliabilityBin {
  lo: number;
  hi: number;
  count: number;
  /** Mean top-class probability in the bin. */
  confidence: number;
  /** Fraction of the bin's points whose top class is the label. */
  accuracy: number;
}

/** Per point: the top-class probability (first class on ties) and whether that class is the label (1) or not (0). */
export function topClass(probs: ArrayLike<number>, labels: ArrayLike<number>): { confidence: Float64Array; correct: Uint8Array } {
  const k = check(probs, labels);
  const n = labels.length;
  const confidence = new Float64Array(n);
  const correct = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const j = argmax(probs, i, k);
    confidence[i] = probs[i * k + j];
    correct[i] = j === labels[i] ? 1 : 0;
  }
  return { confidence, correct };
}

/**
 * Reliability-diagram data on the top-class confidence. Equal-width bins are (lo, hi] (the first
 * includes 0) as in Guo et al. (2017); equal-mass bins hold ⌊N/B⌋ or ⌈N/B⌉ points in order of
 * confidence and report the smallest and largest confidence they hold as lo and hi.
 */
export function reliability(probs: ArrayLike<number>, labels: ArrayLike<number>, options: BinOptions = {}): ReliabilityBin[] {
  const { confidence, correct } = topClass(probs, labels);
  return reliabilityOf(confidence, correct, options);
}

/**
 * {@link reliability} from per-point top-class confidences (in [0, 1]) and hits (0 or 1), as
 * {@link topClass} returns them: what a bootstrap over test points resamples.
 */
export function reliabilityOf(confidence: ArrayLike<number>, correct: ArrayLike<number>, options: BinOptions = {}): ReliabilityBin[] {
  const n = confidence?.length;
  if (typeof n !== 'number' || n === 0) throw argError('E_EMPTY', 'confidence', 'at least one point', describe(confidence), 'Calibration needs at least one labelled point.');
  if (correct?.length !== n) throw argError('E_SHAPE', 'correct', `${n} values (one per confidence)`, describe(correct?.length), 'Pass one hit (0 or 1) per point.');
  for (let i = 0; i < n; i++) {
    if (!(confidence[i] >= -PROB_ROUNDING && confidence[i] <= 1 + PROB_ROUNDING)) throw argError('E_ARG', `confidence[${i}]`, 'a probability in [0, 1]', describe(confidence[i]), 'Pass top-class probabilities.');
    if (correct[i] !== 0 && correct[i] !== 1) throw argError('E_ARG', `correct[${i}]`, '0 or 1', describe(correct[i]), 'Pass 1 where the top class is the label, else 0.');
  }
  const nBins = options.bins ?? 15;
  const scheme = options.scheme ?? 'width';
  if (!Number.isInteger(nBins) || nBins < 1) {
    throw argError('E_ARG', 'options.bins', 'a positive integer', String(nBins), 'Use e.g. 15 (the default) or 10.');
  }
  if (scheme !== 'width' && scheme !== 'mass') {
    throw argError('E_ARG', 'options.scheme', "'width' or 'mass'", String(scheme), "Use 'width' for equal-width bins or 'mass' for equal-count bins.");
  }
  const binOf = new Int32Array(n);
  const edges: [number, number][] = [];
  if (scheme === 'width') {
    for (let b = 0; b < nBins; b++) edges.push([b / nBins, (b + 1) / nBins]);
    for (let i = 0; i < n; i++) {
      // first guess, then correct against the exact edges b/B so a confidence on an edge lands in the lower bin
      let b = Math.min(Math.max(Math.ceil(confidence[i] * nBins) - 1, 0), nBins - 1);
      while (b > 0 && confidence[i] <= b / nBins) b--;
      while (b < nBins - 1 && confidence[i] > (b + 1) / nBins) b++;
      binOf[i] = b;
    }
  } else {
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => confidence[a] - confidence[b]);
    for (let b = 0; b < nBins; b++) {
      const from = Math.floor((b * n) / nBins);
      const to = Math.floor(((b + 1) * n) / nBins);
      for (let r = from; r < to; r++) binOf[order[r]] = b;
      edges.push(to > from ? [confidence[order[from]], confidence[order[to - 1]]] : [NaN, NaN]);
    }
  }
  const count = new Float64Array(nBins);
  const sumConf = new Float64Array(nBins);
  const sumCorrect = new Float64Array(nBins);
  for (let i = 0; i < n; i++) {
    count[binOf[i]]++;
    sumConf[binOf[i]] += confidence[i];
    sumCorrect[binOf[i]] += correct[i];
  }
  return edges.map(([lo, hi], b) => ({
    lo,
    hi,
    count: count[b],
    confidence: count[b] > 0 ? sumConf[b] / count[b] : NaN,
    accuracy: count[b] > 0 ? sumCorrect[b] / count[b] : NaN,
  }));
}

/** Expected calibration error: Σ_b (n_b/N)·|accuracy_b − confidence_b| over the bins of {@link reliability}. */
export function ece(probs: ArrayLike<number>, labels: ArrayLike<number>, options: BinOptions = {}): number {
  const { confidence, correct } = topClass(probs, labels);
  return eceOf(confidence, correct, options);
}

/** {@link ece} from per-point top-class confidences and hits (see {@link reliabilityOf}). */
export function eceOf(confidence: ArrayLike<number>, correct: ArrayLike<number>, options: BinOptions = {}): number {
  let s = 0;
  for (const b of reliabilityOf(confidence, correct, options)) if (b.count > 0) s += b.count * Math.abs(b.accuracy - b.confidence);
  return s / confidence.length;
}

/** Maximum calibration error: the largest |accuracy_b − confidence_b| over non-empty bins. */
export function mce(probs: ArrayLike<number>, labels: ArrayLike<number>, options: BinOptions = {}): number {
  let m = 0;
  for (const b of reliability(probs, labels, options)) if (b.count > 0) m = Math.max(m, Math.abs(b.accuracy - b.confidence));
  return m;
}

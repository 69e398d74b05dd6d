/**
 * Out-of-distribution detection: AUROC and AUPR with out-of-distribution points as the positives
 * (higher score = more OOD), and the usual uncertainty scores.
 */
import { argError, describe } from '../errors.js';
import { averageRanks } from '../diagnostics/chains.js';
import { finiteVector, probabilityMatrix } from './validate.js';

function checkScores(scoresIn: ArrayLike<number>, scoresOut: ArrayLike<number>): void {
  finiteVector(scoresIn, 'scoresIn');
  finiteVector(scoresOut, 'scoresOut');
}

/**
 * Area under the ROC curve = P(score_out > score_in) + ½·P(score_out = score_in), computed exactly
 * from average ranks (the Mann–Whitney U statistic / (n_in·n_out)). 0.5 is chance, 1 is perfect.
 */
export function auroc(scoresIn: ArrayLike<number>, scoresOut: ArrayLike<number>): number {
  checkScores(scoresIn, scoresOut);
  const nIn = scoresIn.length;
  const nOut = scoresOut.length;
  const all = new Float64Array(nIn + nOut);
  all.set(Array.from(scoresIn));
  all.set(Array.from(scoresOut), nIn);
  const ranks = averageRanks(all);
  let rankSumOut = 0;
  for (let i = nIn; i < nIn + nOut; i++) rankSumOut += ranks[i];
  return (rankSumOut - (nOut * (nOut + 1)) / 2) / (nIn * nOut);
}

/**
 * Area under the precision-recall curve as average precision, OOD as positives:
 * AP = Σ_t (R_t − R_{t−1})·P_t over the distinct score thresholds t in decreasing order, where tied
 * scores enter together (one threshold), so ties never depend on input order. The chance level is
 * the fraction of positives n_out/(n_in + n_out).
 */
export function aupr(scoresIn: ArrayLike<number>, scoresOut: ArrayLike<number>): number {
  checkScores(scoresIn, scoresOut);
  const pts: [number, number][] = [];
  for (let i = 0; i < scoresIn.length; i++) pts.push([scoresIn[i], 0]);
  for (let i = 0; i < scoresOut.length; i++) pts.push([scoresOut[i], 1]);
  pts.sort((a, b) => b[0] - a[0]);
  const positives = scoresOut.length;
  let tp = 0;
  let fp = 0;
  let ap = 0;
  let i = 0;
  while (i < pts.length) {
    const tpBefore = tp;
    const s = pts[i][0];
    for (; i < pts.length && pts[i][0] === s; i++) {
      if (pts[i][1] === 1) tp++;
      else fp++;
    }
    ap += ((tp - tpBefore) / positives) * (tp / (tp + fp));
  }
  return ap;
}

function entropyRow(p: ArrayLike<number>, offset: number, k: number): number {
  let h = 0;
  for (let j = 0; j < k; j++) {
    const q = p[offset + j];
    if (q > 0) h -= q * Math.log(q); // 0·log 0 = 0
  }
  return h;
}

function rowsOf(probs: ArrayLike<number>, classes: number, argument: string): number {
  if (!Number.isInteger(classes) || classes < 1) {
    throw argError('E_ARG', 'classes', 'a positive integer K', String(classes), 'Pass the number of classes (the row length of probs).');
  }
  if (probs == null || typeof probs.length !== 'number' || probs.length === 0 || probs.length % classes !== 0) {
    throw argError('E_SHAPE', argument, `N×${classes} values`, describe(probs), 'Pass probabilities row-major, one row of K classes per point.');
  }
  const n = probs.length / classes;
  probabilityMatrix(probs, n, argument);
  return n;
}

/** Predictive entropy −Σ_k p_k log p_k (nats) of each row of N×K probabilities: total uncertainty. */
export function predictiveEntropy(probs: ArrayLike<number>, classes: number): Float64Array {
  const n = rowsOf(probs, classes, 'probs');
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = entropyRow(probs, i * classes, classes);
  return out;
}

/**
 * Mutual information between the label and the parameters (BALD), the epistemic part:
 * H[mean_s p_s] − mean_s H[p_s], from S per-sample N×K probability matrices.
 */
export function mutualInformation(sampleProbs: ReadonlyArray<ArrayLike<number>>, classes: number): Float64Array {
  if (!Array.isArray(sampleProbs) || sampleProbs.length === 0) {
    throw argError('E_EMPTY', 'sampleProbs', 'one N×K probability matrix per posterior sample', describe(sampleProbs), 'Pass the per-sample probabilities, not their average.');
  }
  const n = rowsOf(sampleProbs[0], classes, 'sampleProbs[0]');
  const mean = new Float64Array(n * classes);
  const expected = new Float64Array(n);
  sampleProbs.forEach((p, s) => {
    if (rowsOf(p, classes, `sampleProbs[${s}]`) !== n) {
      throw argError('E_SHAPE', `sampleProbs[${s}]`, `${n}×${classes} values like sampleProbs[0]`, describe(p), 'Every sample must cover the same points.');
    }
    for (let i = 0; i < n * classes; i++) mean[i] += p[i] / sampleProbs.length;
    for (let i = 0; i < n; i++) expected[i] += entropyRow(p, i * classes, classes) / sampleProbs.length;
  });
  const out = new Float64Array(n);
  // clamp at 0: rounding can make H[mean] − mean H a hair negative when the samples agree
  for (let i = 0; i < n; i++) out[i] = Math.max(0, entropyRow(mean, i * classes, classes) - expected[i]);
  return out;
}

/** 1 − max_k p_k for each row: the max-probability baseline turned into "higher = more OOD". */
export function maxProbScore(probs: ArrayLike<number>, classes: number): Float64Array {
  const n = rowsOf(probs, classes, 'probs');
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let m = 0;
    for (let j = 0; j < classes; j++) m = Math.max(m, probs[i * classes + j]);
    out[i] = 1 - m;
  }
  return out;
}

/** The OOD scores a predictive can give. */
export type OodScoreKind = 'entropy' | 'mutual-information' | 'max-prob' | 'variance';

/** The fields of a classification or regression predictive that the scores read. */
export interface ScoredPredictive {
  probs?: ArrayLike<number>;
  classes?: number;
  entropy?: ArrayLike<number>;
  mutualInformation?: ArrayLike<number>;
  variance?: ArrayLike<number>;
}

/**
 * Per-point OOD score of a predictive (higher = more OOD): predictive entropy, mutual information,
 * 1 − max probability (classification), or the total predictive variance (regression).
 */
export function oodScore(pred: ScoredPredictive, kind: OodScoreKind): Float64Array {
  const need = (field: keyof ScoredPredictive, hint: string): never => {
    throw argError('E_ARG', `predictive.${field}`, `present for score '${kind}'`, 'undefined', hint);
  };
  switch (kind) {
    case 'entropy':
      if (pred.entropy) return Float64Array.from(finiteVector(pred.entropy, 'predictive.entropy'));
      if (!pred.probs || !pred.classes) return need('probs', 'Entropy needs a classification predictive (probs and classes).');
      return predictiveEntropy(pred.probs, pred.classes);
    case 'mutual-information':
      if (!pred.mutualInformation) return need('mutualInformation', 'Use a method with several posterior samples, or score by entropy.');
      return Float64Array.from(finiteVector(pred.mutualInformation, 'predictive.mutualInformation'));
    case 'max-prob':
      if (!pred.probs || !pred.classes) return need('probs', 'Max-probability needs a classification predictive (probs and classes).');
      return maxProbScore(pred.probs, pred.classes);
    case 'variance':
      if (!pred.variance) return need('variance', 'Variance needs a regression predictive.');
      return Float64Array.from(finiteVector(pred.variance, 'predictive.variance'));
    default:
      throw argError('E_ARG', 'kind', "'entropy', 'mutual-information', 'max-prob' or 'variance'", String(kind), 'Pick one of the listed scores.');
  }
}

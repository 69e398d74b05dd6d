/**
 * The orderings the field reports (calibration, OOD detection, cost), set beside the ones measured
 * here: for each adjacent pair of a published ranking, does our table agree? A difference smaller
 * than the noise of the measurement is a tie: for test-set metrics the noise is the paired-bootstrap
 * standard error of the difference over test points, for timings a fixed tolerance.
 */
import { auroc, eceOf } from '../metrics/index.js';
import { atIndices, bootstrapSe } from '../metrics/bootstrap.js';
import { IN_DISTRIBUTION, type MethodResult, type SuiteResult } from './run.js';

/** Differences within this many standard errors are ties (about a 95 % interval for the difference). */
export const TIE_Z = 2;

/** A published ranking of methods, best (or cheapest) first. */
export interface FieldOrdering {
  name: string;
  /** Where the claim comes from, in a few words. */
  source: string;
  /** Methods by table name, best first; `relations[i]` links ranking[i] and ranking[i+1]. */
  ranking: string[];
  relations: ('>' | '≥')[];
  /** How it is measured here. */
  measure: string;
  lowerIsBetter: boolean;
  /** A fixed noise level (timings): differences this small are ties (absolute, and relative to the larger value). */
  tieWithin?: { abs: number; rel: number };
  /** The standard error of value(a) − value(b) over test points (paired bootstrap); differences within TIE_Z of them are ties. */
  differenceSe?(results: SuiteResult[], a: string, b: string): number | undefined;
  /** The measured value of a method (given the whole ranking), or undefined when it did not run. */
  value(results: SuiteResult[], method: string, ranking: string[]): number | undefined;
  /** Which suites the values come from, when that depends on what ran. */
  scope?(results: SuiteResult[], ranking: string[]): string;
}

export interface PairVerdict {
  better: string;
  worse: string;
  relation: '>' | '≥';
  a?: number;
  b?: number;
  /** Standard error of a − b, where the ordering estimates one. */
  se?: number;
  /** Differences up to this size were judged ties. */
  tolerance?: number;
  /** 'agree', 'disagree', 'tie' (within noise, for '>'; a tie satisfies '≥'), or 'missing' when either method has no value. */
  verdict: 'agree' | 'disagree' | 'tie' | 'missing';
}

export interface OrderingResult {
  name: string;
  source: string;
  measure: string;
  field: string;
  /** The methods of the ranking that ran, ordered by the measured value, best first. */
  measured: { method: string; value: number }[];
  pairs: PairVerdict[];
  summary: string;
}

const resultOf = (results: SuiteResult[], suite: string, method: string): MethodResult | undefined =>
  results.find((s) => s.name === suite)?.methods.find((r) => r.method === method && !r.skipped);

const metricOf = (suite: string, key: string) => (results: SuiteResult[], method: string): number | undefined => resultOf(results, suite, method)?.metrics?.[key];

/** Paired-bootstrap standard error of ECE(a) − ECE(b) over the suite's test points. */
const eceDifferenceSe = (suite: string) => (results: SuiteResult[], a: string, b: string): number | undefined => {
  const A = resultOf(results, suite, a)?.topClass;
  const B = resultOf(results, suite, b)?.topClass;
  if (!A || !B || A.confidence.length !== B.confidence.length) return undefined;
  const ece = (t: typeof A, i: Int32Array) => eceOf(atIndices(t.confidence, i), atIndices(t.correct, i));
  return bootstrapSe([A.confidence.length], ([i]) => ece(A, i) - ece(B, i));
};

/** Paired-bootstrap standard error of AUROC(a) − AUROC(b), in- and out-of-distribution inputs resampled separately. */
const aurocDifferenceSe = (suite: string, key: string) => (results: SuiteResult[], a: string, b: string): number | undefined => {
  const set = results.find((s) => s.name === suite)?.oodSets?.find((o) => o.key === key);
  const scores = [a, b].map((m) => resultOf(results, suite, m)?.scores);
  if (!set || !scores[0] || !scores[1]) return undefined;
  const [[inA, outA], [inB, outB]] = scores.map((s) => [s![IN_DISTRIBUTION], s![set.name]]);
  if (!inA || !outA || !inB || !outB || inA.length !== inB.length || outA.length !== outB.length) return undefined;
  return bootstrapSe([inA.length, outA.length], ([i, o]) => auroc(atIndices(inA, i), atIndices(outA, o)) - auroc(atIndices(inB, i), atIndices(outB, o)));
};

/**
 * The suites on which every method of the ranking that is in the table ran: cost is compared on the
 * same work for everyone (a method skipped on one suite would otherwise look cheap).
 */
function commonSuites(results: SuiteResult[], ranking: string[]): SuiteResult[] {
  return results.filter((s) => s.methods.every((r) => !ranking.includes(r.method) || (!r.skipped && r.seconds !== undefined)));
}

/** Seconds summed over the common suites. */
function totalSeconds(results: SuiteResult[], method: string, ranking: string[]): number | undefined {
  let t: number | undefined;
  for (const s of commonSuites(results, ranking)) {
    const r = s.methods.find((m) => m.method === method);
    if (r) t = (t ?? 0) + r.seconds!;
  }
  return t;
}

/** The three orderings of the comparison issue. */
export const FIELD_ORDERINGS: FieldOrdering[] = [
  {
    name: 'calibration',
    source: 'Ovadia et al. 2019; Maddox et al. 2019; Daxberger et al. 2021',
    ranking: ['ensemble', 'swag', 'laplace', 'mc-dropout', 'vi'],
    relations: ['≥', '>', '>', '>'],
    measure: 'ECE on the digits test set (lower is better; ties: within 2 paired-bootstrap standard errors over the test images)',
    lowerIsBetter: true,
    value: metricOf('digits', 'ece'),
    differenceSe: eceDifferenceSe('digits'),
  },
  {
    name: 'OOD detection',
    source: 'Ovadia et al. 2019; D’Angelo & Fortuin 2021; Maddox et al. 2019',
    ranking: ['ensemble', 'svgd', 'swag', 'mc-dropout', 'vi'],
    relations: ['≥', '>', '>', '>'],
    measure: 'AUROC of predictive entropy, digits 0–4 against held-out digits 5–9 (higher is better; ties: within 2 paired-bootstrap standard errors over both sets of images)',
    lowerIsBetter: false,
    value: metricOf('digits', 'auroc'),
    differenceSe: aurocDifferenceSe('digits', 'auroc'),
  },
  {
    name: 'cost',
    source: 'the usual accounting: one training run (dropout), + curvature (Laplace), + snapshots (SWAG), sampled gradients (VI), M runs (ensembles), full-batch MCMC (HMC)',
    ranking: ['mc-dropout', 'laplace', 'swag', 'vi', 'ensemble', 'hmc'],
    relations: ['>', '>', '>', '>', '>'],
    measure: 'seconds of train + predict, summed over the suites where all of them ran (cheapest first; ties: within 0.05 s or 10 %)',
    lowerIsBetter: true,
    // Timings on a shared 2-core machine.
    tieWithin: { abs: 0.05, rel: 0.1 },
    value: totalSeconds,
    scope: (results, ranking) => `seconds summed over ${commonSuites(results, ranking).map((s) => s.name).join(', ') || 'no suite'}`,
  },
];

/**
 * Compares measured values with a ranking. '>' agrees when the first method is better by more than the
 * ordering's noise (TIE_Z standard errors of the difference, or `tieWithin`), is a tie within it,
 * and disagrees otherwise; '≥' agrees on a tie too.
 */
export function judgeOrdering(o: FieldOrdering, results: SuiteResult[]): OrderingResult {
  const vals = new Map<string, number>();
  for (const m of o.ranking) {
    const v = o.value(results, m, o.ranking);
    if (v !== undefined && Number.isFinite(v)) vals.set(m, v);
  }
  const sign = o.lowerIsBetter ? -1 : 1;
  const pairs: PairVerdict[] = o.relations.map((relation, i) => {
    const better = o.ranking[i];
    const worse = o.ranking[i + 1];
    const a = vals.get(better);
    const b = vals.get(worse);
    if (a === undefined || b === undefined) return { better, worse, relation, a, b, verdict: 'missing' };
    const se = o.differenceSe?.(results, better, worse);
    const fixed = o.tieWithin ? Math.max(o.tieWithin.abs, o.tieWithin.rel * Math.max(Math.abs(a), Math.abs(b))) : 0;
    const tolerance = Math.max(fixed, se === undefined ? 0 : TIE_Z * se);
    const verdict = Math.abs(a - b) <= tolerance ? (relation === '≥' ? 'agree' : 'tie') : sign * (a - b) > 0 ? 'agree' : 'disagree';
    return { better, worse, relation, a, b, ...(se === undefined ? {} : { se }), tolerance, verdict };
  });
  const measured = [...vals.entries()].map(([method, value]) => ({ method, value })).sort((p, q) => sign * (q.value - p.value));
  const judged = pairs.filter((p) => p.verdict !== 'missing');
  const agree = judged.filter((p) => p.verdict === 'agree').length;
  const ties = judged.filter((p) => p.verdict === 'tie').length;
  const missing = pairs.filter((p) => p.verdict === 'missing');
  const summary =
    (judged.length ? `${agree} of ${judged.length} adjacent pairs agree${ties ? `, ${ties} ${ties > 1 ? 'are ties' : 'is a tie'} within noise` : ''}` : 'no pair could be judged') +
    (missing.length ? `; not judged (a method did not run): ${missing.map((p) => `${p.better} ${p.relation} ${p.worse}`).join(', ')}` : '') +
    (o.scope ? `; ${o.scope(results, o.ranking)}` : '');
  const field = o.ranking.map((m, i) => (i ? ` ${o.relations[i - 1]} ` : '') + m).join('');
  return { name: o.name, source: o.source, measure: o.measure, field, measured, pairs, summary };
}

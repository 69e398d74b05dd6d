/**
 * The orderings the field reports (calibration, OOD detection, cost), set beside the ones measured
 * here: for each adjacent pair of a published chain, does our table agree?
 */
import type { SuiteResult } from './run.js';

/** A published chain of methods, best (or cheapest) first. */
export interface FieldOrdering {
  name: string;
  /** Where the claim comes from, in a few words. */
  source: string;
  /** Methods by table name, best first; `relations[i]` links chain[i] and chain[i+1]. */
  chain: string[];
  relations: ('>' | '≥')[];
  /** How it is measured here. */
  measure: string;
  lowerIsBetter: boolean;
  /** Differences this small are within the noise of one run: a tie (absolute, and relative to the larger value). */
  tieWithin: { abs: number; rel: number };
  /** The measured value of a method (given the whole chain), or undefined when it did not run. */
  value(results: SuiteResult[], method: string, chain: string[]): number | undefined;
  /** Which suites the values come from, when that depends on what ran. */
  scope?(results: SuiteResult[], chain: string[]): string;
}

export interface PairVerdict {
  better: string;
  worse: string;
  relation: '>' | '≥';
  a?: number;
  b?: number;
  /** 'agree', 'disagree', 'tie' (within noise, for '>'; a tie satisfies '≥'), or 'missing' when either method has no value. */
  verdict: 'agree' | 'disagree' | 'tie' | 'missing';
}

export interface OrderingResult {
  name: string;
  source: string;
  measure: string;
  field: string;
  /** The methods of the chain that ran, ordered by the measured value, best first. */
  measured: { method: string; value: number }[];
  pairs: PairVerdict[];
  summary: string;
}

const metricOf = (suite: string, key: string) => (results: SuiteResult[], method: string): number | undefined => {
  const m = results.find((s) => s.name === suite)?.methods.find((r) => r.method === method);
  return m?.metrics?.[key];
};

/**
 * The suites on which every method of the chain that is in the table ran: cost is compared on the
 * same work for everyone (a method skipped on one suite would otherwise look cheap).
 */
function commonSuites(results: SuiteResult[], chain: string[]): SuiteResult[] {
  return results.filter((s) => s.methods.every((r) => !chain.includes(r.method) || (!r.skipped && r.seconds !== undefined)));
}

/** Seconds summed over the common suites. */
function totalSeconds(results: SuiteResult[], method: string, chain: string[]): number | undefined {
  let t: number | undefined;
  for (const s of commonSuites(results, chain)) {
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
    chain: ['ensemble', 'swag', 'laplace', 'mc-dropout', 'vi'],
    relations: ['≥', '>', '>', '>'],
    measure: 'ECE on the digits test set (lower is better)',
    lowerIsBetter: true,
    // ECE from 180 test images moves by about this much between seeds.
    tieWithin: { abs: 0.005, rel: 0 },
    value: metricOf('digits', 'ece'),
  },
  {
    name: 'OOD detection',
    source: 'Ovadia et al. 2019; D’Angelo & Fortuin 2021; Maddox et al. 2019',
    chain: ['ensemble', 'svgd', 'swag', 'mc-dropout', 'vi'],
    relations: ['≥', '>', '>', '>'],
    measure: 'AUROC of predictive entropy, digits 0–4 against held-out digits 5–9 (higher is better)',
    lowerIsBetter: false,
    // Standard error of an AUROC near 0.97 with 180 vs ~900 inputs is about 0.005.
    tieWithin: { abs: 0.01, rel: 0 },
    value: metricOf('digits', 'auroc'),
  },
  {
    name: 'cost',
    source: 'the usual accounting: one training run (dropout), + curvature (Laplace), + snapshots (SWAG), sampled gradients (VI), M runs (ensembles), full-batch MCMC (HMC)',
    chain: ['mc-dropout', 'laplace', 'swag', 'vi', 'ensemble', 'hmc'],
    relations: ['>', '>', '>', '>', '>'],
    measure: 'seconds of train + predict, summed over the suites where all of them ran (cheapest first)',
    lowerIsBetter: true,
    // Timings on a shared 2-core machine.
    tieWithin: { abs: 0.05, rel: 0.1 },
    value: totalSeconds,
    scope: (results, chain) => `seconds summed over ${commonSuites(results, chain).map((s) => s.name).join(', ') || 'no suite'}`,
  },
];

/**
 * Compares measured values with a chain. '>' agrees when the first method is better by more than the
 * ordering's noise (`tieWithin`), is a tie within it, and disagrees otherwise; '≥' agrees on a tie too.
 */
export function judgeOrdering(o: FieldOrdering, results: SuiteResult[]): OrderingResult {
  const vals = new Map<string, number>();
  for (const m of o.chain) {
    const v = o.value(results, m, o.chain);
    if (v !== undefined && Number.isFinite(v)) vals.set(m, v);
  }
  const sign = o.lowerIsBetter ? -1 : 1;
  const pairs: PairVerdict[] = o.relations.map((relation, i) => {
    const better = o.chain[i];
    const worse = o.chain[i + 1];
    const a = vals.get(better);
    const b = vals.get(worse);
    if (a === undefined || b === undefined) return { better, worse, relation, a, b, verdict: 'missing' };
    const tie = Math.abs(a - b) <= Math.max(o.tieWithin.abs, o.tieWithin.rel * Math.max(Math.abs(a), Math.abs(b)));
    const verdict = tie ? (relation === '≥' ? 'agree' : 'tie') : sign * (a - b) > 0 ? 'agree' : 'disagree';
    return { better, worse, relation, a, b, verdict };
  });
  const measured = [...vals.entries()].map(([method, value]) => ({ method, value })).sort((p, q) => sign * (q.value - p.value));
  const judged = pairs.filter((p) => p.verdict !== 'missing');
  const agree = judged.filter((p) => p.verdict === 'agree').length;
  const ties = judged.filter((p) => p.verdict === 'tie').length;
  const missing = pairs.filter((p) => p.verdict === 'missing');
  const summary =
    (judged.length ? `${agree} of ${judged.length} adjacent pairs agree${ties ? `, ${ties} ${ties > 1 ? 'are ties' : 'is a tie'} within noise` : ''}` : 'no pair could be judged') +
    (missing.length ? `; not judged (a method did not run): ${missing.map((p) => `${p.better} ${p.relation} ${p.worse}`).join(', ')}` : '') +
    (o.scope ? `; ${o.scope(results, o.chain)}` : '');
  const field = o.chain.map((m, i) => (i ? ` ${o.relations[i - 1]} ` : '') + m).join('');
  return { name: o.name, source: o.source, measure: o.measure, field, measured, pairs, summary };
}

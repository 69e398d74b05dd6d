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
  /** 'agree', 'disagree', or 'missing' when either method has no value. */
  verdict: 'agree' | 'disagree' | 'missing';
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
    value: metricOf('digits', 'ece'),
  },
  {
    name: 'OOD detection',
    source: 'Ovadia et al. 2019; D’Angelo & Fortuin 2021; Maddox et al. 2019',
    chain: ['ensemble', 'svgd', 'swag', 'mc-dropout', 'vi'],
    relations: ['≥', '>', '>', '>'],
    measure: 'AUROC of predictive entropy, digits 0–4 against held-out digits 5–9 (higher is better)',
    lowerIsBetter: false,
    value: metricOf('digits', 'auroc'),
  },
  {
    name: 'cost',
    source: 'the usual accounting: one training run (dropout), + curvature (Laplace), + snapshots (SWAG), sampled gradients (VI), M runs (ensembles), full-batch MCMC (HMC)',
    chain: ['mc-dropout', 'laplace', 'swag', 'vi', 'ensemble', 'hmc'],
    relations: ['>', '>', '>', '>', '>'],
    measure: 'seconds of train + predict, summed over the suites where all of them ran (cheapest first)',
    lowerIsBetter: true,
    value: totalSeconds,
    scope: (results, chain) => `seconds summed over ${commonSuites(results, chain).map((s) => s.name).join(', ') || 'no suite'}`,
  },
];

/**
 * Compares measured values with a chain. '>' agrees when the first method is strictly better; '≥'
 * also agrees within `tolerance` (relative) of a tie.
 */
export function judgeOrdering(o: FieldOrdering, results: SuiteResult[], tolerance = 0.1): OrderingResult {
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
    const gain = sign * (a - b);
    const tie = Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b));
    const ok = gain > 0 || (relation === '≥' && tie);
    return { better, worse, relation, a, b, verdict: ok ? 'agree' : 'disagree' };
  });
  const measured = [...vals.entries()].map(([method, value]) => ({ method, value })).sort((p, q) => sign * (q.value - p.value));
  const judged = pairs.filter((p) => p.verdict !== 'missing');
  const agree = judged.filter((p) => p.verdict === 'agree').length;
  const missing = pairs.filter((p) => p.verdict === 'missing');
  const summary =
    (judged.length ? `${agree} of ${judged.length} adjacent pairs agree` : 'no pair could be judged') +
    (missing.length ? `; not judged (a method did not run): ${missing.map((p) => `${p.better} ${p.relation} ${p.worse}`).join(', ')}` : '') +
    (o.scope ? `; ${o.scope(results, o.chain)}` : '');
  const field = o.chain.map((m, i) => (i ? ` ${o.relations[i - 1]} ` : '') + m).join('');
  return { name: o.name, source: o.source, measure: o.measure, field, measured, pairs, summary };
}

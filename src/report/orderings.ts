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
  /** The measured value of a method, or undefined when it did not run. */
  value(results: SuiteResult[], method: string): number | undefined;
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

const metricOf = (suite: string, key: string) => (results: SuiteResult[], method: string) => {
  const m = results.find((s) => s.name === suite)?.methods.find((r) => r.method === method);
  return m?.metrics?.[key];
};

/** Seconds summed over every suite the method ran on (undefined if it was skipped anywhere). */
function totalSeconds(results: SuiteResult[], method: string): number | undefined {
  let t = 0;
  let seen = false;
  for (const s of results) {
    const r = s.methods.find((m) => m.method === method);
    if (!r) continue;
    if (r.skipped || r.seconds === undefined) return undefined;
    t += r.seconds;
    seen = true;
  }
  return seen ? t : undefined;
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
    measure: 'seconds of train + predict, summed over the suites (cheapest first)',
    lowerIsBetter: true,
    value: totalSeconds,
  },
];

/**
 * Compares measured values with a chain. '>' agrees when the first method is strictly better; '≥'
 * also agrees within `tolerance` (relative) of a tie.
 */
export function judgeOrdering(o: FieldOrdering, results: SuiteResult[], tolerance = 0.1): OrderingResult {
  const vals = new Map<string, number>();
  for (const m of o.chain) {
    const v = o.value(results, m);
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
    (missing.length ? `; not judged (a method did not run): ${missing.map((p) => `${p.better} ${p.relation} ${p.worse}`).join(', ')}` : '');
  const field = o.chain.map((m, i) => (i ? ` ${o.relations[i - 1]} ` : '') + m).join('');
  return { name: o.name, source: o.source, measure: o.measure, field, measured, pairs, summary };
}

/**
 * The seed's decision tree as a function: do you already have a trained model? does it use dropout?
 * what training budget (1×, 1.2–2×, M×)? → a method, the reason, the command to run. With a
 * comparison's results (bdl compare's results.json), the measured cost and calibration ranking of
 * the methods on each suite are put next to the recommendation.
 */
import { argError, describe } from '../../errors.js';
import { bool, custom, enumOf, required, schema, text, type Field } from '../../options/schema.js';

export type Budget = '1x' | '1.2-2x' | 'Mx';

export interface AdviseQuestions {
  /** Do you already have a trained model? */
  trained: boolean;
  /** Does it use dropout? (trained models only) */
  dropout?: boolean;
  /** Training budget relative to one network: '1x' (no extra training), '1.2-2x', 'Mx' (M networks). Untrained models only. */
  budget?: Budget;
  /** The model file, for the command line (default model.json). */
  model?: string;
  /** A `bdl compare` results.json (parsed), to show measured evidence. */
  comparison?: unknown;
}

export interface EvidenceRow {
  suite: string;
  method: string;
  /** Seconds, and the multiple of the MAP network's seconds on the same suite (when it ran). */
  seconds: number;
  costVsMap?: number;
  /** 'ece' (classification, lower is better) or 'picp error' = |PICP − 0.95| (regression). */
  calibrationMetric: string;
  calibration: number;
  /** 1 = best calibrated on this suite. */
  rank: number;
}

export interface Advice {
  method: string;
  reason: string;
  command: string;
  /** Other in-scope choices for the same answers. */
  alternatives: { method: string; command: string; why: string }[];
  /** Present when a comparison was given: each suite's methods ranked by calibration, with cost. */
  evidence?: EvidenceRow[];
}

const BUDGETS: Budget[] = ['1x', '1.2-2x', 'Mx'];

/** The questions of the tree, checked before any advice: each branch needs its next answer. */
export const ADVISE_QUESTIONS = schema('advise', {
  trained: required(bool({ hint: 'Answer the first question of the tree: do you already have a trained model?', help: 'do you already have a trained model?' })),
  dropout: bool({ hint: 'Answer the second question (bdl posthoc --method auto looks at the file for you).', help: 'does the trained model use dropout? (trained models only)' }),
  budget: enumOf(BUDGETS, { hint: 'How much training can you afford, relative to one network?', help: 'training budget relative to one network (untrained models only)' }),
  model: text({ default: 'model.json', help: 'the model file, for the command line' }),
  comparison: custom<unknown>({ expected: 'a parsed bdl compare results.json', valid: () => true, help: 'measured evidence to show' }),
} satisfies { [K in keyof Required<AdviseQuestions>]: Field<Required<AdviseQuestions>[K]> }).refine(
  {
    option: 'dropout',
    expected: 'true or false (does the trained model use dropout?)',
    hint: 'Answer the second question (bdl posthoc --method auto looks at the file for you).',
    holds: (o) => o.trained !== true || o.dropout !== undefined,
  },
  {
    option: 'budget',
    expected: BUDGETS.join(' | '),
    hint: 'How much training can you afford, relative to one network?',
    holds: (o) => o.trained !== false || o.budget !== undefined,
  },
);

/** Answers the seed's questions (see the module comment). */
export function advise(q: AdviseQuestions): Advice {
  q = ADVISE_QUESTIONS.check(q);
  const model = q.model ?? 'model.json';
  const posthoc = (m: string) => `bdl posthoc --model ${model} --train train.csv --test test.csv --method ${m}`;
  const fit = (m: string, extra = '') => `bdl fit --method ${m}${extra} --train train.csv --test test.csv`;
  let advice: Advice;
  if (q.trained) {
    advice = q.dropout
      ? {
          method: 'mc-dropout',
          reason: 'you have a trained model with dropout: keep dropout on at prediction time and average the passes (MC dropout) — no retraining, the rates it was trained with',
          command: posthoc('mc-dropout'),
          alternatives: [{ method: 'laplace (last layer)', command: posthoc('laplace'), why: 'deterministic predictions with a closed-form (linearized) predictive; its mean is the network output' }],
        }
      : {
          method: 'laplace (last layer)',
          reason: 'you have a trained model without dropout: a last-layer Laplace approximation around the trained weights, post hoc — one pass over the training data, the predictive mean stays the network output',
          command: posthoc('laplace'),
          alternatives: [
            { method: 'laplace (subnetwork / all, kron)', command: `${posthoc('laplace')} --subset all --hessian kron`, why: 'more of the network Bayesian, at more memory' },
            { method: 'bayesian head', command: 'bayesianHead(features, y) in the API', why: 'when you can extract features: an exact Bayesian linear (or Laplace softmax) head in milliseconds' },
          ],
        };
  } else {
    if (q.budget === '1x') {
      advice = {
        method: 'laplace (last layer)',
        reason: 'no training budget beyond one network: single-pass deterministic-uncertainty methods (DUQ, SNGP, evidential networks) are out of scope of bdl-wasm; the cheapest method in scope is one MAP network plus a last-layer Laplace posterior (a closed-form step after training, one pass at test)',
        command: fit('laplace', ' --subset last-layer'),
        alternatives: [{ method: 'mc-dropout', command: fit('mc-dropout'), why: 'also one training run, but 30 stochastic passes at test time' }],
      };
    } else if (q.budget === '1.2-2x') {
      advice = {
        method: 'swag',
        reason: 'a budget of 1.2–2× one network: SWAG collects weight moments over extra SGD epochs after training, and its Gaussian over the trajectory costs no further training',
        command: fit('swag'),
        alternatives: [
          { method: 'laplace (kron, all layers)', command: fit('laplace', ' --subset all --hessian kron'), why: 'one MAP run plus a Kronecker-factored curvature pass' },
          { method: 'vi', command: fit('vi'), why: 'mean-field variational inference: about 2× a network to train' },
        ],
      };
    } else {
      advice = {
        method: 'ensemble',
        reason: 'a budget of M networks: a deep ensemble of M independently seeded networks is the strongest baseline for calibration and out-of-distribution detection',
        command: fit('ensemble', ' --members 5'),
        alternatives: [{ method: 'multiswag', command: fit('multiswag', ' --members 5'), why: 'SWAG inside each member: a mixture of Gaussians, for a little more per member' }],
      };
    }
  }
  if (q.comparison !== undefined) advice.evidence = evidenceFrom(q.comparison);
  return advice;
}

/** Each suite's methods ranked by calibration, with their measured cost (from a results.json). */
export function evidenceFrom(doc: unknown): EvidenceRow[] {
  const suites = (doc as { suites?: unknown })?.suites;
  if (!Array.isArray(suites)) throw argError('E_FORMAT', 'comparison', 'a bdl compare results.json ({ suites: [...] })', describe(doc), 'Pass the results.json that bdl compare wrote.');
  const rows: EvidenceRow[] = [];
  for (const s of suites as { name: string; task: string; methods: { method: string; seconds?: number; skipped?: string; metrics?: Record<string, number> }[] }[]) {
    const ran = (s.methods ?? []).filter((m) => !m.skipped && m.metrics && m.seconds !== undefined);
    const map = ran.find((m) => m.method === 'map')?.seconds;
    const metric = s.task === 'classification' ? 'ece' : 'picp error';
    const score = (m: (typeof ran)[number]) => (s.task === 'classification' ? m.metrics!.ece : Math.abs(m.metrics!.picp - 0.95));
    const scored = ran.filter((m) => Number.isFinite(score(m))).sort((a, b) => score(a) - score(b));
    scored.forEach((m, i) => rows.push({
      suite: s.name,
      method: m.method,
      seconds: m.seconds!,
      ...(map ? { costVsMap: m.seconds! / map } : {}),
      calibrationMetric: metric,
      calibration: score(m),
      rank: i + 1,
    }));
  }
  return rows;
}

/** The advice as text, for the command line. */
export function formatAdvice(a: Advice, recommended?: string): string {
  const lines = [`method:  ${a.method}`, `why:     ${a.reason}`, `run:     ${a.command}`];
  for (const alt of a.alternatives) lines.push(`or:      ${alt.method} — ${alt.why}\n         ${alt.command}`);
  if (a.evidence?.length) {
    lines.push('', 'measured (bdl compare): calibration rank, cost', `  ${'suite'.padEnd(14)} ${'rank'.padStart(4)}  ${'method'.padEnd(16)} ${'calibration'.padStart(16)} ${'seconds'.padStart(9)} ${'× MAP'.padStart(7)}`);
    const key = (recommended ?? a.method).split(' ')[0];
    for (const r of a.evidence) {
      const mark = r.method === key ? ' ←' : '';
      lines.push(`  ${r.suite.padEnd(14)} ${String(r.rank).padStart(4)}  ${r.method.padEnd(16)} ${`${r.calibrationMetric} ${r.calibration.toFixed(4)}`.padStart(16)} ${r.seconds.toFixed(2).padStart(9)} ${(r.costVsMap === undefined ? '–' : r.costVsMap.toFixed(1)).padStart(7)}${mark}`);
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * The JSON the `bdl` commands write (schema: docs/output.schema.json): the predictive in original
 * units as plain arrays, its metrics on the test targets, the options as run (defaults filled in),
 * the seed, the package version and the timings.
 */
import { version } from '../../package.json';
import type { Predictive } from '../posterior/types.js';
import { predictiveInterval } from '../posterior/interval.js';

/** The level of the interval the JSON carries. */
export const INTERVAL_LEVEL = 0.95;
import { accuracy, gaussianLogLik, mixtureLogLik, nll, rmse } from '../metrics/index.js';

export const VERSION: string = version;

/** The predictive's arrays (regression: moments and per-sample moments; classification: probabilities and entropies). */
export function predictiveJson(p: Predictive): Record<string, unknown> {
  if (p.kind === 'regression') {
    const m = p.members;
    return {
      task: 'regression',
      mean: Array.from(p.mean),
      variance: Array.from(p.variance),
      aleatoric: Array.from(p.aleatoric),
      epistemic: Array.from(p.epistemic),
      samples: m ? { mean: rows(m.mean, m.count), variance: rows(m.variance, m.count) } : null,
      interval: intervalJson(p),
    };
  }
  return {
    task: 'classification',
    probs: rows(p.probs, p.probs.length / p.classes),
    entropy: Array.from(p.entropy),
    expectedEntropy: Array.from(p.expectedEntropy),
    mutualInformation: Array.from(p.mutualInformation),
  };
}

/** The central 95 % predictive interval in original units (exact mixture quantiles where the predictive is a mixture). */
function intervalJson(p: Extract<Predictive, { kind: 'regression' }>): { level: number; lower: number[]; upper: number[] } {
  const iv = predictiveInterval(p, INTERVAL_LEVEL);
  return { level: INTERVAL_LEVEL, lower: Array.from(iv.lower), upper: Array.from(iv.upper) };
}

/** Test metrics when the test file has targets: RMSE and log-likelihood, or accuracy and NLL. */
export function metricsOf(p: Predictive, y: Float32Array | undefined): Record<string, number> | null {
  if (!y) return null;
  if (p.kind === 'regression') {
    const ll = p.members ? mixtureLogLik(p.members.mean, p.members.variance, y) : gaussianLogLik(p.mean, p.variance, y);
    return { rmse: rmse(p.mean, y), logLikelihood: ll };
  }
  return { accuracy: accuracy(p.probs, y), nll: nll(p.probs, y) };
}

/** One line for the terminal. */
export function summaryLine(m: Record<string, number>): string {
  return 'rmse' in m ? `test RMSE ${m.rmse.toFixed(4)}, test LL ${m.logLikelihood.toFixed(4)}` : `test accuracy ${m.accuracy.toFixed(4)}, NLL ${m.nll.toFixed(4)}`;
}

/** Milliseconds since `t0`, in seconds. */
export function since(t0: number): number {
  return (performance.now() - t0) / 1000;
}

function rows(a: ArrayLike<number>, n: number): number[][] {
  const w = a.length / n;
  return Array.from({ length: n }, (_, i) => Array.from({ length: w }, (_, j) => a[i * w + j]));
}

/**
 * Dual averaging of log ε (Nesterov 2009; Hoffman & Gelman 2014, Alg. 5) as plain state and a pure
 * update, so a warmup can compose it and a checkpoint can carry it as data.
 */
// Engine-independent exp/log/pow: the adapted step size must be the same bits in every engine.
import { exp, log, powPositive } from '../random/exact-math.js';

/** The step size never leaves [MIN_STEP_SIZE, MAX_STEP_SIZE] (see `clampStep`). */
export const MIN_STEP_SIZE = 1e-12;
/** The other end of the clamp: a step above it is a runaway adaptation, not a scale of the target. */
export const MAX_STEP_SIZE = 1e7;
const LOG_MIN = log(MIN_STEP_SIZE);
const LOG_MAX = log(MAX_STEP_SIZE);

/** Settings of the update: target acceptance δ, regularization γ, relaxation κ, offset t0. */
export interface DualAveragingOptions {
  targetAccept: number;
  gamma: number;
  kappa: number;
  t0: number;
}

/** The averaging state: shrinkage point μ, iteration count, averaged error s̄, averaged log ε x̄. */
export interface DualAveragingState {
  mu: number;
  counter: number;
  sBar: number;
  xBar: number;
}

/**
 * Clamps ε into [MIN_STEP_SIZE, MAX_STEP_SIZE]: dual averaging after a run of zero acceptances would
 * otherwise drive log ε to −∞ and ε to exactly 0, after which every trajectory stands still.
 */
export function clampStep(eps: number): number {
  return eps < MIN_STEP_SIZE || Number.isNaN(eps) ? MIN_STEP_SIZE : eps > MAX_STEP_SIZE ? MAX_STEP_SIZE : eps;
}

/** A fresh averaging around μ = log(10 ε). */
export function dualAveragingInit(stepSize: number): DualAveragingState {
  return { mu: log(10 * stepSize), counter: 0, sBar: 0, xBar: 0 };
}

/** One update from a transition's acceptance statistic: the next state and the step size to use. */
export function dualAveragingStep(
  s: DualAveragingState, acceptStat: number, o: DualAveragingOptions,
): [DualAveragingState, number] {
  const counter = s.counter + 1;
  const a = acceptStat > 1 ? 1 : acceptStat >= 0 ? acceptStat : 0; // NaN counts as a rejection
  const eta = 1 / (counter + o.t0);
  const sBar = (1 - eta) * s.sBar + eta * (o.targetAccept - a);
  let x = s.mu - (sBar * Math.sqrt(counter)) / o.gamma;
  x = x < LOG_MIN ? LOG_MIN : x > LOG_MAX ? LOG_MAX : x;
  const w = powPositive(counter, -o.kappa);
  const xBar = (1 - w) * s.xBar + w * x;
  return [{ mu: s.mu, counter, sBar, xBar }, clampStep(exp(x))];
}

/** The step size warmup ends with: exp(x̄), or `current` when nothing was averaged. */
export function dualAveragingFinal(s: DualAveragingState, current: number): number {
  return s.counter > 0 ? clampStep(exp(s.xBar)) : current;
}

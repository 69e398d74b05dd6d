/**
 * Stan's warmup, separate from any kernel: the step size by dual averaging (Hoffman & Gelman 2014,
 * Nesterov 2009) and an inverse metric — diagonal (the variances) or dense (the covariance) — from
 * the draws in doubling windows (initial fast buffer 75, slow windows from 25, terminal fast buffer
 * 50). After every metric update the step size is searched again and dual averaging restarts from it.
 *
 * One addition to Stan's schedule, on by default: a divergence-aware target acceptance. When the
 * target acceptance δ was not given, a slow window (after the first metric update) in which a
 * transition diverged once the step size had settled raises δ from 0.8 to 0.95 for the rest of
 * warmup — the remedy Stan's diagnostics prescribe for divergences, applied while warmup can still
 * adapt the step size to it (docs/sampling.md). A δ that was given stays fixed, as in Stan.
 *
 * The whole adaptation state is a plain object (`toJSON` / `Warmup.fromJSON`), so a checkpoint can
 * carry it and a resumed chain continues exactly.
 */
import { argError, BdlError } from '../errors.js';
import { bool, enumOf, int, num, schema, type Field } from '../options/schema.js';
import { log } from '../random/exact-math.js';
import type { Hamiltonian } from './hamiltonian.js';
import { Leapfrog, PhasePoint } from './integrator.js';
import type { KernelParams, KernelState, SamplerRng } from './types.js';
import {
  clampStep, dualAveragingFinal, dualAveragingInit, dualAveragingStep, MAX_STEP_SIZE, MIN_STEP_SIZE, type DualAveragingOptions, type DualAveragingState,
} from './dual-averaging.js';
import { windowInit, windowStep, type WindowState } from './metric-window.js';
import { AUTO_DENSE_MAX_DIM, DenseMetric, maxVif, prefersDense, type MetricKind } from './metric.js';
import type { Linalg } from '../linalg/bound.js';

/** The factorizations a dense or automatic metric needs (`linalg(arena)` provides them). */
export type MetricLinalg = Pick<Linalg, 'cholesky' | 'inverse'>;

export { MIN_STEP_SIZE, MAX_STEP_SIZE };

const LOG_08 = log(0.8);

/**
 * The target acceptance the divergence rule raises δ to: the value Stan users are told to try first,
 * rstanarm's default, and what posteriordb's reference runs of hierarchical models used.
 */
export const RAISED_TARGET_ACCEPT = 0.95;

/** Warmup settings (Stan's defaults). */
export interface WarmupOptions {
  /**
   * Target mean acceptance statistic δ. Default 0.8, raised in warmup to 0.95 after divergences in a
   * slow window (see Warmup); a value given here stays fixed.
   */
  targetAccept?: number;
  /** Dual-averaging regularization γ. Default 0.05. */
  gamma?: number;
  /** Dual-averaging relaxation exponent κ. Default 0.75. */
  kappa?: number;
  /** Dual-averaging iteration offset t0. Default 10. */
  t0?: number;
  /** Initial fast buffer (step size only). Default 75. */
  initBuffer?: number;
  /** First slow window; each next one doubles. Default 25. */
  baseWindow?: number;
  /** Terminal fast buffer (step size only). Default 50. */
  termBuffer?: number;
  /** Adapt the step size. Default true. */
  adaptStepSize?: boolean;
  /** Adapt the metric. Default true. */
  adaptMetric?: boolean;
  /**
   * The metric's shape: 'diag' (variances), 'dense' (covariance; Cholesky factor for momenta and
   * kinetic energy) or 'auto' (dense when the window's correlations call for it: see metric.ts).
   * Default 'diag' for a bare Warmup; runChain, sampleChains and the methods default to 'auto'.
   */
  metric?: MetricKind;
}

/**
 * The serializable adaptation state: the settings, the current parameters, the dual averaging's
 * state and the metric windows' state side by side (plain numbers and arrays; JSON round-trips it).
 */
export type WarmupState = {
  numWarmup: number;
  options: Required<WarmupOptions>;
  stepSize: number;
  invMetric: number[];
  /** The dense inverse metric in use (row-major dim²) and its lower Cholesky factor, or null when diagonal. */
  denseInvMetric?: number[] | null;
  denseFactor?: number[] | null;
  /**
   * The divergence rule, optional so that every checkpoint restores (absent: δ = options.targetAccept, fixed):
   * the δ in use, whether warmup may raise it, and the divergences counted in the open window.
   */
  targetAccept?: number;
  raiseTargetAccept?: boolean;
  lateDivergences?: number;
} & DualAveragingState & WindowState;

/** Warmup's options, checked before any work: Stan's defaults and ranges. */
export const WARMUP_OPTIONS = schema('Warmup', {
  targetAccept: num({ gt: 0, lt: 1, default: 0.8, hint: 'Stan uses 0.8; raise it (e.g. 0.95) to remove divergences.', help: 'target mean acceptance statistic δ' }),
  gamma: num({ gt: 0, default: 0.05, hint: "Keep Stan's default (0.05) unless you know why.", help: 'dual-averaging regularization γ' }),
  kappa: num({ gt: 0.5, max: 1, default: 0.75, hint: 'Stan uses 0.75.', help: 'dual-averaging relaxation exponent κ' }),
  t0: num({ gt: 0, default: 10, hint: "Keep Stan's default (10) unless you know why.", help: 'dual-averaging iteration offset t0' }),
  initBuffer: int({ min: 0, default: 75, hint: 'Stan uses 75.', help: 'initial fast buffer (step size only)' }),
  baseWindow: int({ min: 1, default: 25, hint: 'Stan uses 25.', help: 'first slow window; each next one doubles' }),
  termBuffer: int({ min: 0, default: 50, hint: 'Stan uses 50.', help: 'terminal fast buffer (step size only)' }),
  adaptStepSize: bool({ default: true, help: 'adapt the step size' }),
  adaptMetric: bool({ default: true, help: 'adapt the metric' }),
  metric: enumOf(['diag', 'dense', 'auto'] as const, { default: 'diag', hint: "Use 'auto' to let the warmup decide from the correlations it sees.", help: "the metric's shape (runChain, sampleChains and the methods default to 'auto')" }),
} satisfies { [K in keyof Required<WarmupOptions>]: Field<Required<WarmupOptions>[K]> });

function resolve(opts: WarmupOptions): Required<WarmupOptions> {
  const w = WARMUP_OPTIONS;
  opts = w.check(opts);
  return {
    targetAccept: w.value(opts, 'targetAccept'), gamma: w.value(opts, 'gamma'), kappa: w.value(opts, 'kappa'), t0: w.value(opts, 't0'),
    initBuffer: w.value(opts, 'initBuffer'), baseWindow: w.value(opts, 'baseWindow'), termBuffer: w.value(opts, 'termBuffer'),
    adaptStepSize: w.value(opts, 'adaptStepSize'), adaptMetric: w.value(opts, 'adaptMetric'), metric: w.value(opts, 'metric'),
  };
}

/**
 * Step size and inverse metric adaptation for `numWarmup` iterations of any Hamiltonian kernel,
 * composed from the dual averaging and the metric windows (each a plain state with a pure update).
 */
export class Warmup {
  /** The kernel's adapted parameters: pass them to `kernel.step`; the warmup updates it in place. */
  readonly params: KernelParams;
  private readonly o: Required<WarmupOptions>;
  private readonly numWarmup: number;
  private da: DualAveragingState;
  private win: WindowState;
  private denseCov: Float64Array | null = null;
  /** δ in use, whether the divergence rule may raise it, and the settled divergences of the open window. */
  private delta: DualAveragingOptions;
  private raiseDelta: boolean;
  private lateDivergences = 0;

  /** `linalg` is required when the windows estimate a covariance ('dense', or 'auto' up to AUTO_DENSE_MAX_DIM). */
  constructor(dim: number, numWarmup: number, opts: WarmupOptions = {}, stepSize = 1, private readonly linalg?: MetricLinalg) {
    this.o = resolve(opts);
    this.numWarmup = numWarmup;
    this.delta = { targetAccept: this.o.targetAccept, gamma: this.o.gamma, kappa: this.o.kappa, t0: this.o.t0 };
    this.raiseDelta = opts.targetAccept === undefined;
    this.params = { stepSize, invMetric: new Float64Array(dim).fill(1), dense: null };
    if (this.accumulatesCovariance(dim) && linalg === undefined) {
      throw argError('E_ARG', 'linalg', `the Cholesky factorization (linalg(arena)) for metric '${this.o.metric}'`, 'undefined', "Pass linalg(await Arena.create()), or use metric 'diag'.");
    }
    this.win = windowInit(dim, numWarmup, this.o, this.accumulatesCovariance(dim));
    this.da = dualAveragingInit(1);
    this.restartStepSize(stepSize);
  }

  /** Whether the metric is adapted at all (Stan skips it below 20 warmup iterations). */
  get adaptsMetric(): boolean {
    return this.o.adaptMetric && this.numWarmup >= 20;
  }

  /** Whether the windows estimate the whole covariance: always for 'dense', for 'auto' up to AUTO_DENSE_MAX_DIM. */
  private accumulatesCovariance(dim: number): boolean {
    return dim > 1 && (this.o.metric === 'dense' || (this.o.metric === 'auto' && dim <= AUTO_DENSE_MAX_DIM));
  }

  /** The metric in use: 'dense' once a window chose the covariance, else 'diag'. */
  get metric(): 'diag' | 'dense' {
    return this.params.dense ? 'dense' : 'diag';
  }

  /** The dense inverse metric in use (row-major dim²), or null with a diagonal one. */
  get denseInvMetric(): Float64Array | null {
    return this.denseCov;
  }

  /** Sets ε and restarts dual averaging around μ = log(10 ε). */
  restartStepSize(stepSize: number): void {
    this.params.stepSize = clampStep(stepSize);
    this.da = dualAveragingInit(this.params.stepSize);
  }

  /** The target acceptance δ in use: the given one, or the default as the divergence rule left it. */
  get targetAccept(): number {
    return this.delta.targetAccept;
  }

  /**
   * One dual-averaging update from a transition's acceptance statistic. `divergent` feeds the
   * divergence rule: it counts when δ may be raised, the transition ran in a slow window after the
   * first metric update, and the step size had settled — at least a terminal buffer's worth of
   * updates since the last restart, the time Stan's schedule itself allows the step size to settle.
   * Before that, divergences come from the restart's deliberately large steps (μ = log 10ε), not from
   * the step size sampling would use.
   */
  learnStepSize(acceptStat: number, divergent = false): void {
    if (!this.o.adaptStepSize) return;
    if (divergent && this.raiseDelta && this.adaptsMetric && this.da.counter >= Math.max(1, this.win.termBuffer)) {
      const c = this.win.windowCounter;
      if (c >= this.win.initBuffer + this.win.baseWindow && c < this.numWarmup - this.win.termBuffer) this.lateDivergences++;
    }
    [this.da, this.params.stepSize] = dualAveragingStep(this.da, acceptStat, this.delta);
  }

  /**
   * Feeds the new position to the metric windows. Returns true when a window just closed and the
   * inverse metric changed: the caller must then search a new step size and `restartStepSize` with it.
   */
  learnMetric(position: Float64Array): boolean {
    if (!this.adaptsMetric) return false;
    const [win, inv, cov, n] = windowStep(this.win, this.numWarmup, position);
    this.win = win;
    if (inv === null) return false;
    // The window closed: the step size is searched and adapted again next, now towards the raised δ.
    if (this.lateDivergences > 0) this.delta.targetAccept = Math.max(this.delta.targetAccept, RAISED_TARGET_ACCEPT);
    this.lateDivergences = 0;
    this.params.invMetric.set(inv);
    this.setDense(cov !== null ? this.chooseDense(cov, n) : null);
    return true;
  }

  /** The window's covariance with its factor when the metric should be dense, else null. */
  private chooseDense(cov: Float64Array, windowDraws: number): [Float64Array, Float64Array] | null {
    const dim = this.params.invMetric.length;
    if (this.o.metric === 'auto' && dim > AUTO_DENSE_MAX_DIM) return null;
    const la = this.linalg as MetricLinalg;
    const l = la.cholesky(cov, dim, { name: 'metric covariance' }).l;
    if (this.o.metric === 'auto' && !prefersDense(dim, windowDraws, maxVif(cov, la.inverse(l, dim), dim))) return null;
    return [cov, l];
  }

  private setDense(d: [Float64Array, Float64Array] | null): void {
    this.denseCov = d ? d[0] : null;
    this.params.dense = d ? new DenseMetric(d[1], this.params.invMetric.length) : null;
  }

  /** Ends warmup: the step size becomes the dual-averaged exp(x̄). */
  finish(): void {
    if (this.o.adaptStepSize) this.params.stepSize = dualAveragingFinal(this.da, this.params.stepSize);
  }

  /** The complete adaptation state as plain data. */
  toJSON(): WarmupState {
    const { win } = this;
    return {
      numWarmup: this.numWarmup, options: { ...this.o }, stepSize: this.params.stepSize,
      invMetric: Array.from(this.params.invMetric), ...this.da, ...win, mean: win.mean.slice(), m2: win.m2.slice(),
      denseInvMetric: this.denseCov ? Array.from(this.denseCov) : null,
      denseFactor: this.params.dense ? Array.from(this.params.dense.l) : null,
      targetAccept: this.delta.targetAccept, raiseTargetAccept: this.raiseDelta, lateDivergences: this.lateDivergences,
    };
  }

  /** Restores a warmup from `toJSON` output (a state without `options.metric` is a diagonal one). */
  static fromJSON(s: WarmupState, linalg?: MetricLinalg): Warmup {
    const w = new Warmup(s.invMetric.length, s.numWarmup, { ...s.options, metric: s.options.metric ?? 'diag' }, s.stepSize, linalg);
    w.params.invMetric.set(s.invMetric);
    w.setDense(s.denseInvMetric && s.denseFactor ? [Float64Array.from(s.denseInvMetric), Float64Array.from(s.denseFactor)] : null);
    const { mu, counter, sBar, xBar } = s;
    w.da = { mu, counter, sBar, xBar };
    const { initBuffer, termBuffer, baseWindow, windowCounter, windowSize, nextWindow, n } = s;
    w.win = { initBuffer, termBuffer, baseWindow, windowCounter, windowSize, nextWindow, n, mean: s.mean.slice(), m2: s.m2.slice() };
    w.delta.targetAccept = s.targetAccept ?? s.options.targetAccept;
    w.raiseDelta = s.raiseTargetAccept ?? false;
    w.lateDivergences = s.lateDivergences ?? 0;
    return w;
  }
}

/**
 * Stan's initial step-size search: from ε, one leapfrog step with fresh momentum; keep doubling ε
 * while the acceptance exp(H0 − H) stays above 0.8, or halving it while it stays below, and stop at
 * the first crossing. Throws a BdlError when ε would leave [MIN_STEP_SIZE, MAX_STEP_SIZE] (an
 * improper or discontinuous posterior, or a wrong gradient). `state` is not modified.
 */
export function searchStepSize(
  h: Hamiltonian, state: KernelState, invMetric: Float64Array, stepSize: number, rng: SamplerRng, dense: DenseMetric | null = null,
): number {
  const z = new PhasePoint(h.dim);
  const leapfrog = new Leapfrog(h);
  const deltaH = (eps: number): number => {
    z.q.set(state.position);
    z.g.set(state.grad);
    z.lp = state.logDensity;
    h.sampleMomentum(z.p, rng, invMetric, dense);
    const H0 = h.energy(z, invMetric, dense);
    leapfrog.step(z, eps, invMetric, dense);
    return H0 - h.energy(z, invMetric, dense);
  };
  let eps = clampStep(stepSize);
  const direction = deltaH(eps) > LOG_08 ? 1 : -1;
  for (;;) {
    const d = deltaH(eps);
    if (direction === 1 && !(d > LOG_08)) break;
    if (direction === -1 && !(d < LOG_08)) break;
    eps = direction === 1 ? 2 * eps : 0.5 * eps;
    if (eps > MAX_STEP_SIZE) {
      throw new BdlError('E_NONFINITE', `step size: even ε = ${MAX_STEP_SIZE} is accepted, so the log density does not fall off: the posterior looks improper. Check the prior and that logDensity returns log p(θ), not a constant.`);
    }
    if (eps < MIN_STEP_SIZE) {
      throw new BdlError('E_NONFINITE', `step size: no ε ≥ ${MIN_STEP_SIZE} gives an acceptable leapfrog step from the current point (log density ${state.logDensity}). The density may be discontinuous there or the gradient wrong: check logDensity's gradient by finite differences.`);
    }
  }
  return eps;
}

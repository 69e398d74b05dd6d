/**
 * Stan's warmup, separate from any kernel: the step size by dual averaging (Hoffman & Gelman 2014,
 * Nesterov 2009) and a diagonal inverse metric from the variances of the draws in doubling windows
 * (initial fast buffer 75, slow windows from 25, terminal fast buffer 50). After every metric update
 * the step size is searched again and dual averaging restarts from it.
 *
 * The whole adaptation state is a plain object (`toJSON` / `Warmup.fromJSON`), so a checkpoint can
 * carry it and a resumed chain continues exactly.
 */
import { argError, BdlError, describe } from '../errors.js';
import { Hamiltonian, PhasePoint } from './hamiltonian.js';
import type { KernelParams, KernelState, SamplerRng } from './types.js';

/**
 * The step size never leaves [MIN_STEP_SIZE, MAX_STEP_SIZE]: dual averaging after a run of zero
 * acceptances would otherwise drive log ε to −∞ and ε to exactly 0, after which every trajectory
 * stands still (a known failure of NUTS warmups).
 */
export const MIN_STEP_SIZE = 1e-12;
/** The other end of the clamp: a step above it is a runaway adaptation, not a scale of the target. */
export const MAX_STEP_SIZE = 1e7;
const LOG_MIN = Math.log(MIN_STEP_SIZE);
const LOG_MAX = Math.log(MAX_STEP_SIZE);
const LOG_08 = Math.log(0.8);

/** Warmup settings (Stan's defaults). */
export interface WarmupOptions {
  /** Target mean acceptance statistic δ. Default 0.8. */
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
  /** Adapt the diagonal metric. Default true. */
  adaptMetric?: boolean;
}

/** The serializable adaptation state (plain numbers and arrays; JSON round-trips it exactly). */
export interface WarmupState {
  numWarmup: number;
  options: Required<WarmupOptions>;
  stepSize: number;
  invMetric: number[];
  // dual averaging
  mu: number;
  counter: number;
  sBar: number;
  xBar: number;
  // windows
  initBuffer: number;
  termBuffer: number;
  baseWindow: number;
  windowCounter: number;
  windowSize: number;
  nextWindow: number;
  // Welford accumulators of the current window
  n: number;
  mean: number[];
  m2: number[];
}

function resolve(opts: WarmupOptions): Required<WarmupOptions> {
  const o: Required<WarmupOptions> = {
    targetAccept: opts.targetAccept ?? 0.8,
    gamma: opts.gamma ?? 0.05,
    kappa: opts.kappa ?? 0.75,
    t0: opts.t0 ?? 10,
    initBuffer: opts.initBuffer ?? 75,
    baseWindow: opts.baseWindow ?? 25,
    termBuffer: opts.termBuffer ?? 50,
    adaptStepSize: opts.adaptStepSize ?? true,
    adaptMetric: opts.adaptMetric ?? true,
  };
  if (!(o.targetAccept > 0 && o.targetAccept < 1)) {
    throw argError('E_ARG', 'targetAccept', 'a number in (0, 1)', describe(opts.targetAccept), 'Stan uses 0.8; raise it (e.g. 0.95) to remove divergences.');
  }
  for (const k of ['gamma', 't0'] as const) {
    if (!(o[k] > 0)) throw argError('E_ARG', k, 'a positive number', describe(opts[k]), 'Keep Stan\'s default unless you know why.');
  }
  if (!(o.kappa > 0.5 && o.kappa <= 1)) {
    throw argError('E_ARG', 'kappa', 'a number in (0.5, 1]', describe(opts.kappa), 'Stan uses 0.75.');
  }
  for (const k of ['initBuffer', 'baseWindow', 'termBuffer'] as const) {
    if (!Number.isInteger(o[k]) || o[k] < 0 || (k === 'baseWindow' && o[k] < 1)) {
      throw argError('E_ARG', k, 'a non-negative integer (baseWindow ≥ 1)', describe(opts[k]), 'Stan uses 75 / 25 / 50.');
    }
  }
  return o;
}

/** Step size and inverse metric adaptation for `numWarmup` iterations of any Hamiltonian kernel. */
export class Warmup {
  /** The kernel's adapted parameters: pass them to `kernel.step`; the warmup updates it in place. */
  readonly params: KernelParams;
  private readonly o: Required<WarmupOptions>;
  private readonly numWarmup: number;
  private mu = 0;
  private counter = 0;
  private sBar = 0;
  private xBar = 0;
  private initBuffer: number;
  private termBuffer: number;
  private baseWindow: number;
  private windowCounter = 0;
  private windowSize: number;
  private nextWindow: number;
  private n = 0;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;

  constructor(dim: number, numWarmup: number, opts: WarmupOptions = {}, stepSize = 1) {
    this.o = resolve(opts);
    this.numWarmup = numWarmup;
    this.params = { stepSize, invMetric: new Float64Array(dim).fill(1) };
    this.mean = new Float64Array(dim);
    this.m2 = new Float64Array(dim);
    this.initBuffer = this.o.initBuffer;
    this.termBuffer = this.o.termBuffer;
    this.baseWindow = this.o.baseWindow;
    // Stan shrinks the buffers to 15 % / 75 % / 10 % when the defaults do not fit.
    if (numWarmup >= 20 && this.initBuffer + this.baseWindow + this.termBuffer > numWarmup) {
      this.initBuffer = Math.floor(0.15 * numWarmup);
      this.termBuffer = Math.floor(0.1 * numWarmup);
      this.baseWindow = numWarmup - (this.initBuffer + this.termBuffer);
    }
    this.windowSize = this.baseWindow;
    this.nextWindow = this.initBuffer + this.windowSize - 1;
    this.restartStepSize(stepSize);
  }

  /** Whether the metric is adapted at all (Stan skips it below 20 warmup iterations). */
  get adaptsMetric(): boolean {
    return this.o.adaptMetric && this.numWarmup >= 20;
  }

  /** Sets ε and restarts dual averaging around μ = log(10 ε). */
  restartStepSize(stepSize: number): void {
    this.params.stepSize = clampStep(stepSize);
    this.mu = Math.log(10 * this.params.stepSize);
    this.counter = 0;
    this.sBar = 0;
    this.xBar = 0;
  }

  /** One dual-averaging update from a transition's acceptance statistic. */
  learnStepSize(acceptStat: number): void {
    if (!this.o.adaptStepSize) return;
    const { targetAccept, gamma, kappa, t0 } = this.o;
    this.counter++;
    const a = acceptStat > 1 ? 1 : acceptStat >= 0 ? acceptStat : 0; // NaN counts as a rejection
    const eta = 1 / (this.counter + t0);
    this.sBar = (1 - eta) * this.sBar + eta * (targetAccept - a);
    let x = this.mu - (this.sBar * Math.sqrt(this.counter)) / gamma;
    x = x < LOG_MIN ? LOG_MIN : x > LOG_MAX ? LOG_MAX : x;
    const w = Math.pow(this.counter, -kappa);
    this.xBar = (1 - w) * this.xBar + w * x;
    this.params.stepSize = clampStep(Math.exp(x));
  }

  /**
   * Feeds the new position to the metric windows. Returns true when a window just closed and the
   * inverse metric changed: the caller must then search a new step size and `restartStepSize` with it.
   */
  learnMetric(position: Float64Array): boolean {
    if (!this.adaptsMetric) return false;
    const c = this.windowCounter;
    const W = this.numWarmup;
    if (c >= this.initBuffer && c < W - this.termBuffer && c !== W) this.addSample(position);
    if (c === this.nextWindow && c !== W) {
      this.computeNextWindow();
      const { n, m2 } = this;
      const inv = this.params.invMetric;
      // Shrink toward 1e-3 as Stan does: a short window must not produce a degenerate metric.
      for (let i = 0; i < inv.length; i++) inv[i] = (n / (n + 5)) * (m2[i] / (n - 1)) + 1e-3 * (5 / (n + 5));
      this.n = 0;
      this.mean.fill(0);
      this.m2.fill(0);
      this.windowCounter++;
      return true;
    }
    this.windowCounter++;
    return false;
  }

  /** Ends warmup: the step size becomes the dual-averaged exp(x̄). */
  finish(): void {
    if (this.o.adaptStepSize && this.counter > 0) this.params.stepSize = clampStep(Math.exp(this.xBar));
  }

  private addSample(x: Float64Array): void {
    this.n++;
    const { mean, m2, n } = this;
    for (let i = 0; i < x.length; i++) {
      const d = x[i] - mean[i];
      mean[i] += d / n;
      m2[i] += (x[i] - mean[i]) * d;
    }
  }

  private computeNextWindow(): void {
    const last = this.numWarmup - this.termBuffer - 1;
    if (this.nextWindow === last) return;
    this.windowSize *= 2;
    this.nextWindow = this.windowCounter + this.windowSize;
    // A window that would leave less than a full next window before the terminal buffer absorbs it.
    if (this.nextWindow !== last && this.nextWindow + 2 * this.windowSize >= this.numWarmup - this.termBuffer) {
      this.nextWindow = last;
    }
  }

  /** The complete adaptation state as plain data. */
  toJSON(): WarmupState {
    return {
      numWarmup: this.numWarmup,
      options: { ...this.o },
      stepSize: this.params.stepSize,
      invMetric: Array.from(this.params.invMetric),
      mu: this.mu,
      counter: this.counter,
      sBar: this.sBar,
      xBar: this.xBar,
      initBuffer: this.initBuffer,
      termBuffer: this.termBuffer,
      baseWindow: this.baseWindow,
      windowCounter: this.windowCounter,
      windowSize: this.windowSize,
      nextWindow: this.nextWindow,
      n: this.n,
      mean: Array.from(this.mean),
      m2: Array.from(this.m2),
    };
  }

  /** Restores a warmup from `toJSON` output. */
  static fromJSON(s: WarmupState): Warmup {
    const dim = s.invMetric.length;
    const w = new Warmup(dim, s.numWarmup, s.options, s.stepSize);
    w.params.invMetric.set(s.invMetric);
    w.mu = s.mu;
    w.counter = s.counter;
    w.sBar = s.sBar;
    w.xBar = s.xBar;
    w.initBuffer = s.initBuffer;
    w.termBuffer = s.termBuffer;
    w.baseWindow = s.baseWindow;
    w.windowCounter = s.windowCounter;
    w.windowSize = s.windowSize;
    w.nextWindow = s.nextWindow;
    w.n = s.n;
    w.mean.set(s.mean);
    w.m2.set(s.m2);
    return w;
  }
}

function clampStep(eps: number): number {
  return eps < MIN_STEP_SIZE || Number.isNaN(eps) ? MIN_STEP_SIZE : eps > MAX_STEP_SIZE ? MAX_STEP_SIZE : eps;
}

/**
 * Stan's initial step-size search: from ε, one leapfrog step with fresh momentum; keep doubling ε
 * while the acceptance exp(H0 − H) stays above 0.8, or halving it while it stays below, and stop at
 * the first crossing. Throws a BdlError when ε would leave [MIN_STEP_SIZE, MAX_STEP_SIZE] (an
 * improper or discontinuous posterior, or a wrong gradient). `state` is not modified.
 */
export function searchStepSize(
  h: Hamiltonian, state: KernelState, invMetric: Float64Array, stepSize: number, rng: SamplerRng,
): number {
  const z = new PhasePoint(h.dim);
  const deltaH = (eps: number): number => {
    z.q.set(state.position);
    z.g.set(state.grad);
    z.lp = state.logDensity;
    h.sampleMomentum(z.p, rng, invMetric);
    const H0 = h.energy(z, invMetric);
    h.leapfrog(z, eps, invMetric);
    return H0 - h.energy(z, invMetric);
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

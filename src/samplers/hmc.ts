/**
 * Static Hamiltonian Monte Carlo (Neal 2011): a fixed number of leapfrog steps, then a Metropolis
 * test on the change in energy. The step size may be jittered uniformly in ε·(1 ± jitter) every
 * transition, which breaks the resonances a fixed trajectory length can fall into.
 */
import { enumOf, int, num, required, schema, type Field } from '../options/schema.js';
import { exp } from '../random/exact-math.js';
import { Hamiltonian } from './hamiltonian.js';
import { guardTarget } from './checked-target.js';
import { Leapfrog, PhasePoint } from './integrator.js';
import type { Info, Kernel, KernelParams, KernelState, SamplerRng, Target, Transition } from './types.js';

/** Options of the static HMC kernel. */
export interface HmcOptions {
  /** Leapfrog steps per transition (L). */
  steps: number;
  /** Relative step-size jitter in [0, 1): ε is drawn uniformly from ε·(1 ± jitter). Default 0. */
  jitter?: number;
  /** Energy error above which the transition is flagged divergent. Default 1000. */
  maxDeltaH?: number;
}

class StaticHmc implements Kernel {
  readonly dim: number;
  private readonly h: Hamiltonian;
  private readonly leapfrog: Leapfrog;
  private readonly z: PhasePoint;
  private readonly steps: number;
  private readonly jitter: number;
  private readonly maxDeltaH: number;
  private readonly info: Info = { acceptProb: 0, treeDepth: 0, nLeapfrog: 0, divergent: false, energy: 0, stepSize: 0 };
  private readonly result: { state: KernelState; info: Info };

  constructor(target: Target, opts: HmcOptions) {
    this.dim = target.dim;
    this.h = new Hamiltonian(target);
    this.leapfrog = new Leapfrog(this.h);
    this.z = new PhasePoint(target.dim);
    this.steps = opts.steps;
    this.jitter = opts.jitter ?? 0;
    this.maxDeltaH = opts.maxDeltaH ?? 1000;
    this.result = { state: { position: new Float64Array(0), logDensity: -Infinity, grad: new Float64Array(0) }, info: this.info };
  }

  init(position: Float64Array): KernelState {
    return this.h.initState(position);
  }

  step(state: KernelState, rng: SamplerRng, params: KernelParams): Transition {
    const { h, z } = this;
    const invMetric = params.invMetric;
    const dense = params.dense ?? null;
    const eps = this.jitter > 0 ? params.stepSize * (1 + this.jitter * (2 * rng.uniform() - 1)) : params.stepSize;
    z.q.set(state.position);
    z.g.set(state.grad);
    z.lp = state.logDensity;
    h.sampleMomentum(z.p, rng, invMetric, dense);
    const H0 = h.energy(z, invMetric, dense);
    let n = 0;
    while (n < this.steps) {
      this.leapfrog.step(z, eps, invMetric, dense);
      n++;
      if (z.lp === -Infinity) break; // left the support: the proposal is rejected anyway
    }
    const H = h.energy(z, invMetric, dense);
    const accept = H <= H0 ? 1 : exp(H0 - H);
    const info = this.info;
    info.divergent = H - H0 > this.maxDeltaH;
    info.acceptProb = accept;
    info.treeDepth = 0;
    info.nLeapfrog = n;
    info.stepSize = eps;
    if (rng.uniform() < accept) {
      state.position.set(z.q);
      state.grad.set(z.g);
      state.logDensity = z.lp;
      info.energy = H;
    } else {
      info.energy = H0;
    }
    this.result.state = state;
    return this.result;
  }
}

/** The static HMC kernel's options, checked before any work. */
export const HMC_KERNEL_OPTIONS = schema('hmc', {
  type: enumOf(['hmc'] as const, { default: 'hmc', help: "the kernel, when the options are a chain's kernel spec" }),
  steps: required(int({ min: 1, hint: 'Pick L so that L·ε spans the posterior, e.g. 16 to 64.', help: 'leapfrog steps per transition (L)' })),
  jitter: num({ min: 0, lt: 1, default: 0, hint: 'Use 0 for a fixed step size or e.g. 0.1 for ±10 %.', help: 'relative step-size jitter: ε drawn uniformly from ε·(1 ± jitter)' }),
  maxDeltaH: num({ gt: 0, default: 1000, hint: 'The usual divergence threshold is 1000.', help: 'energy error above which a transition is divergent' }),
} satisfies { [K in keyof Required<HmcOptions>]: Field<Required<HmcOptions>[K]> } & { type: Field<'hmc'> });

/** Creates a static HMC kernel taking `steps` leapfrog steps per transition. */
export function hmc(target: Target, opts: HmcOptions): Kernel {
  opts = HMC_KERNEL_OPTIONS.check(opts);
  return new StaticHmc(guardTarget(target, 'hmc', 'target', { name: 'hmc: target', noun: 'target' }), opts);
}

/**
 * Euclidean Hamiltonian dynamics: H(q, p) = −log p(q) + ½ pᵀM⁻¹p, momenta p ~ N(0, M), and the
 * leapfrog integrator, with a diagonal metric (`invMetric`) or a dense one (`dense`, its Cholesky
 * factor: metric.ts) when given. Everything works in place on preallocated f64 arrays.
 */
import type { DenseMetric } from './metric.js';
import type { KernelState, SamplerRng, Target } from './types.js';

/** What the integrator moves: position, momentum, gradient, log density. */
export interface Phase {
  readonly q: Float64Array;
  readonly p: Float64Array;
  readonly g: Float64Array;
  lp: number;
}

/** A point in phase space with its log density and gradient (−Infinity log density = outside the support). */
export class PhasePoint implements Phase {
  readonly q: Float64Array;
  readonly p: Float64Array;
  readonly g: Float64Array;
  lp = -Infinity;

  constructor(dim: number) {
    this.q = new Float64Array(dim);
    this.p = new Float64Array(dim);
    this.g = new Float64Array(dim);
  }

  copyFrom(o: PhasePoint): void {
    this.q.set(o.q);
    this.p.set(o.p);
    this.g.set(o.g);
    this.lp = o.lp;
  }
}

/** The target seen through the Hamiltonian: rejects non-finite densities and gradients alike. */
export class Hamiltonian {
  readonly dim: number;
  /** M⁻¹p of the dense leapfrog. */
  private readonly v: Float64Array;

  constructor(readonly target: Target) {
    this.dim = target.dim;
    this.v = new Float64Array(target.dim);
  }

  /**
   * log p(q) with its gradient in `grad`; −Infinity when the density or any gradient entry is not
   * finite (a NaN gradient accepted into the state would freeze the chain for good).
   */
  logDensity(q: Float64Array, grad: Float64Array): number {
    const lp = this.target.logDensity(q, grad);
    if (!(lp > -Infinity && lp < Infinity)) return -Infinity;
    let s = 0;
    for (let i = 0; i < grad.length; i++) s += grad[i] * 0; // NaN iff some entry is ±Infinity or NaN
    return s === 0 ? lp : -Infinity;
  }

  /** A kernel state at `position` (copied), with its log density and gradient. */
  initState(position: Float64Array): KernelState {
    const state = { position: Float64Array.from(position), logDensity: 0, grad: new Float64Array(this.dim) };
    state.logDensity = this.logDensity(state.position, state.grad);
    return state;
  }

  /** Draws p ~ N(0, M) with M = diag(1 / invMetric), or M = (LLᵀ)⁻¹ with a dense metric. */
  sampleMomentum(p: Float64Array, rng: SamplerRng, invMetric: Float64Array, dense: DenseMetric | null = null): void {
    rng.normal(p);
    if (dense) return dense.momentumFromNormals(p);
    for (let i = 0; i < p.length; i++) p[i] /= Math.sqrt(invMetric[i]);
  }

  /** ½ pᵀM⁻¹p. */
  kinetic(p: Float64Array, invMetric: Float64Array, dense: DenseMetric | null = null): number {
    if (dense) return dense.kinetic(p);
    let k = 0;
    for (let i = 0; i < p.length; i++) k += invMetric[i] * p[i] * p[i];
    return 0.5 * k;
  }

  /** H(z); +Infinity outside the support (and for NaN energies). */
  energy(z: Phase, invMetric: Float64Array, dense: DenseMetric | null = null): number {
    const h = this.kinetic(z.p, invMetric, dense) - z.lp;
    return Number.isNaN(h) ? Infinity : h;
  }

  /** The velocity M⁻¹p of z (the "sharp" momentum of the U-turn criterion), written to `out`. */
  velocity(out: Float64Array, p: Float64Array, invMetric: Float64Array, dense: DenseMetric | null = null): void {
    if (dense) return dense.velocity(out, p);
    for (let i = 0; i < p.length; i++) out[i] = invMetric[i] * p[i];
  }

  /**
   * One leapfrog step of size eps (negative = backward in time) applied to z in place: HMC's, the
   * step-size search's, and NUTS's with a dense metric. (NUTS's diagonal leaves run the same step in
   * the core, fused with their bookkeeping, nuts.ts: its product ε·(m·p) rounds differently from
   * (ε·m)·p here, and each kernel keeps the bits it has always produced.) With a dense metric, z's
   * arrays are read again after the target ran, so a z whose arrays are views of a memory the target
   * may grow (NUTS's) stays valid.
   */
  leapfrog(z: Phase, eps: number, invMetric: Float64Array, dense: DenseMetric | null = null): void {
    const { q, p, g } = z;
    const n = q.length;
    const half = 0.5 * eps;
    if (dense) {
      for (let i = 0; i < n; i++) p[i] += half * g[i];
      const v = this.v;
      dense.velocity(v, p);
      for (let i = 0; i < n; i++) q[i] += eps * v[i];
      z.lp = this.logDensity(q, g);
      const p1 = z.p;
      const g1 = z.g;
      for (let i = 0; i < n; i++) p1[i] += half * g1[i];
      return;
    }
    for (let i = 0; i < n; i++) {
      p[i] += half * g[i];
      q[i] += eps * invMetric[i] * p[i];
    }
    z.lp = this.logDensity(q, g);
    for (let i = 0; i < n; i++) p[i] += half * g[i];
  }

  /**
   * Completes a step whose second half-kick was fused elsewhere (NUTS's leaf kernel): z.lp = lp, or
   * −Infinity when lp or a gradient entry is not finite (`finite` = Σ g·0 is NaN iff one is), and
   * returns H = ½·Σ invMetric·p² − lp (+Infinity for NaN energies).
   */
  settle(z: { lp: number }, lp: number, finite: number, kinetic2: number): number {
    z.lp = lp > -Infinity && lp < Infinity && finite === 0 ? lp : -Infinity;
    const h = 0.5 * kinetic2 - z.lp;
    return Number.isNaN(h) ? Infinity : h;
  }
}

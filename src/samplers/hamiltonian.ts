/**
 * The Euclidean Hamiltonian H(q, p) = −log p(q) + ½ pᵀM⁻¹p with momenta p ~ N(0, M), for a diagonal
 * metric (`invMetric`) or a dense one (`dense`, its Cholesky factor: metric.ts) when given. Its
 * dynamics, the leapfrog step, are integrator.ts's. Everything works in place on preallocated f64 arrays.
 */
import type { DenseMetric } from './metric.js';
import type { KernelState, Phase, SamplerRng, Target } from './types.js';

/** The target seen through the Hamiltonian: rejects non-finite densities and gradients alike. */
export class Hamiltonian {
  readonly dim: number;

  constructor(readonly target: Target) {
    this.dim = target.dim;
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
}

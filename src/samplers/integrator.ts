/**
 * The leapfrog integrator, for every sampler: HMC's trajectories, the step-size search, and NUTS's
 * leaves (diagonal and dense). One kick–drift–kick step, p ← p + ½ε∇log p(q), q ← q + ε M⁻¹p,
 * p ← p + ½ε∇log p(q), applied in place; a point whose density or gradient is not finite gets
 * log density −Infinity (Hamiltonian.logDensity), which the samplers treat as outside the support.
 *
 * Two roundings exist, on purpose, behind the one `Leapfrog`:
 *  - `step`: the arithmetic in JavaScript over JS arrays, for HMC, the step-size search and the
 *    dense metric; the diagonal drift is q + (ε·m)·p, and energies are summed in index order.
 *  - `stepInCore`: the diagonal step over vectors in wasm memory (NUTS's trajectory), in the core's
 *    f64x2 passes, from one point into a new one (the trajectory keeps its points instead of copying
 *    them): the drift is q + ε·(m·p), and the closing half-kick shares its pass with the velocity
 *    M⁻¹p that NUTS's U-turn checks need (kinetic energy summed in two lanes).
 * The two differ in the last bits of q and of H. Every sampler's draws are pinned by fixtures
 * (test/bit-identity.node.test.ts: same seed, same bits), so running HMC through the core (or NUTS
 * through JavaScript) would change one of them; each sampler keeps its rounding.
 */
import type { Kernels } from '../wasm/index.js';
import type { Hamiltonian } from './hamiltonian.js';
import type { DenseMetric } from './metric.js';
import type { Phase } from './types.js';

export type { Phase };

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

/** A vector in wasm memory: its address for the core, and a view for JavaScript (current at the call). */
export interface CoreVec {
  readonly ptr: number;
  readonly view: Float64Array;
}

/** A phase point in wasm memory, with its velocity v = M⁻¹p. */
export interface CorePhase {
  readonly q: CoreVec;
  readonly p: CoreVec;
  readonly g: CoreVec;
  readonly v: CoreVec;
  lp: number;
}

/** The leapfrog step of a Hamiltonian (see the module comment). */
export class Leapfrog {
  /** M⁻¹p of the dense step. */
  private readonly v: Float64Array;

  constructor(readonly h: Hamiltonian) {
    this.v = new Float64Array(h.dim);
  }

  /**
   * One step of size eps (negative = backward in time) of z in place, with a diagonal metric
   * (`invMetric`) or a dense one. With a dense metric, z's arrays are read again after the target
   * ran, so a z whose arrays are views of a memory the target may grow (NUTS's) stays valid.
   */
  step(z: Phase, eps: number, invMetric: Float64Array, dense: DenseMetric | null = null): void {
    const { q, p, g } = z;
    const n = q.length;
    const half = 0.5 * eps;
    if (dense) {
      for (let i = 0; i < n; i++) p[i] += half * g[i];
      const v = this.v;
      dense.velocity(v, p);
      for (let i = 0; i < n; i++) q[i] += eps * v[i];
      z.lp = this.h.logDensity(q, g);
      const p1 = z.p;
      const g1 = z.g;
      for (let i = 0; i < n; i++) p1[i] += half * g1[i];
      return;
    }
    for (let i = 0; i < n; i++) {
      p[i] += half * g[i];
      q[i] += eps * invMetric[i] * p[i];
    }
    z.lp = this.h.logDensity(q, g);
    for (let i = 0; i < n; i++) p[i] += half * g[i];
  }

  /**
   * One step from `from` into `to` (both in wasm memory; `from` is left as it was) with the diagonal
   * metric at `invM`, in the core; the closing half-kick also writes the new velocity M⁻¹p into `to.v`.
   * `views` re-makes the views after the target ran (it may grow the memory). Returns H = ½·Σ m·p² −
   * log p at the new point (+Infinity for NaN energies; log p −Infinity when it or a gradient entry is
   * not finite).
   */
  stepInCore(k: Kernels, from: CorePhase, to: CorePhase, eps: number, invM: CoreVec, views: () => void): number {
    const dim = this.h.dim;
    k.leapfrog_kick_drift_f64(to.q.ptr, to.p.ptr, from.q.ptr, from.p.ptr, from.g.ptr, invM.ptr, eps, dim);
    const lp = this.h.target.logDensity(to.q.view, to.g.view);
    views();
    // Σ v·p, plus Σ g·0: NaN iff some gradient entry is not finite.
    const kinetic2 = k.nuts_leaf_f64(to.p.ptr, to.g.ptr, invM.ptr, 0.5 * eps, to.v.ptr, dim);
    to.lp = lp > -Infinity && lp < Infinity && kinetic2 * 0 === 0 ? lp : -Infinity;
    const h = 0.5 * kinetic2 - to.lp;
    return Number.isNaN(h) ? Infinity : h;
  }
}

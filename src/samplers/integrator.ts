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
 *    f64x2 passes: the drift is q + ε·(m·p), and the closing half-kick shares its pass with the NUTS
 *    leaf's bookkeeping (velocity and momentum at both ends, momentum added to ρ; kinetic energy summed
 *    in two lanes) — one pass over the vectors instead of five.
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

/** A phase point in wasm memory. */
export interface CorePhase {
  readonly q: CoreVec;
  readonly p: CoreVec;
  readonly g: CoreVec;
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
   * One step of a point in wasm memory with the diagonal metric at `invM`, in the core, its closing
   * half-kick fused with a NUTS leaf's bookkeeping: the new velocity into `vBeg` and `vEnd`, the new
   * momentum into `pBeg` and `pEnd` and added to `rho` (positional, so a leaf allocates nothing),
   * and the new point copied into `copy` (the leaf's proposal) in the same passes.
   * `views` re-makes z's views after the target ran (it may grow the memory). Returns H = ½·Σ m·p² − log p at the new point (+Infinity
   * for NaN energies; log p −Infinity when it or a gradient entry is not finite).
   */
  stepInCore(k: Kernels, z: CorePhase, eps: number, invM: CoreVec, vBeg: CoreVec, vEnd: CoreVec, rho: CoreVec, pBeg: CoreVec, pEnd: CoreVec, copy: CorePhase, views: () => void): number {
    const dim = this.h.dim;
    k.leapfrog_kick_drift_f64(z.q.ptr, z.p.ptr, z.g.ptr, invM.ptr, eps, dim, copy.q.ptr);
    const lp = this.h.target.logDensity(z.q.view, z.g.view);
    views();
    // Σ v·p, plus Σ g·0: NaN iff some gradient entry is not finite.
    const kinetic2 = k.nuts_leaf_f64(z.p.ptr, z.g.ptr, invM.ptr, 0.5 * eps, vBeg.ptr, vEnd.ptr, rho.ptr, pBeg.ptr, pEnd.ptr, dim, copy.p.ptr, copy.g.ptr);
    z.lp = lp > -Infinity && lp < Infinity && kinetic2 * 0 === 0 ? lp : -Infinity;
    copy.lp = z.lp;
    const h = 0.5 * kinetic2 - z.lp;
    return Number.isNaN(h) ? Infinity : h;
  }
}

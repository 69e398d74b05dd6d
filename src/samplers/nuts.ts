/**
 * The No-U-Turn Sampler as Stan runs it: trajectories doubled in random directions up to a maximum
 * depth, multinomial sampling of the new point in proportion to exp(−H) (Betancourt 2017) —
 * uniform progressive sampling inside each new subtree, biased progressive sampling (favouring the
 * new half) when a subtree joins the trajectory — and the generalized U-turn criterion on the
 * summed momenta ρ, checked across every merged tree and across the seams between subtrees.
 *
 * All buffers are allocated once per kernel; a transition allocates nothing.
 */
import { checkArgument, custom, enumOf, int, num, required, schema, type Field } from '../options/schema.js';
import type { Arena } from '../wasm/arena.js';
import { Hamiltonian } from './hamiltonian.js';
import { Leapfrog, type Phase } from './integrator.js';
import type { DenseMetric } from './metric.js';
import type { Info, Kernel, KernelParams, KernelState, SamplerRng, Target, Transition } from './types.js';

/** Options of the NUTS kernel (Stan's defaults). */
export interface NutsOptions {
  /** Maximum number of doublings; a trajectory has at most 2^maxTreeDepth − 1 leapfrog steps. Default 10. */
  maxTreeDepth?: number;
  /** Energy error above which a leapfrog step counts as divergent and ends the trajectory. Default 1000. */
  maxDeltaH?: number;
}

/**
 * A vector of the trajectory in wasm memory: its address for the f64 kernels (assembly/samplers/
 * nuts.ts), and a view for JavaScript, re-made when the memory grows (which detaches old views).
 */
class Vec {
  view: Float64Array;
  constructor(readonly ptr: number, private readonly arena: Arena, private readonly n: number) {
    this.view = arena.f64(ptr, n);
  }

  refresh(): void {
    this.view = this.arena.f64(this.ptr, this.n);
  }
}

/** A point in phase space: position, momentum, gradient, log density. */
class Point {
  lp = -Infinity;
  constructor(readonly q: Vec, readonly p: Vec, readonly g: Vec) {}

  copyFrom(o: Point): void {
    this.q.view.set(o.q.view);
    this.p.view.set(o.p.view);
    this.g.view.set(o.g.view);
    this.lp = o.lp;
  }
}

/** Scratch of one level of the tree recursion (v = velocity M⁻¹p). */
interface Level {
  rhoInit: Vec;
  rhoFinal: Vec;
  pInitEnd: Vec;
  vInitEnd: Vec;
  pFinalBeg: Vec;
  vFinalBeg: Vec;
  proposeFinal: Point;
}

function logSumExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

class Nuts implements Kernel {
  readonly dim: number;
  private readonly h: Hamiltonian;
  private readonly leapfrog: Leapfrog;
  private readonly arena: Arena;
  private readonly maxDepth: number;
  private readonly maxDeltaH: number;
  private readonly vecs: Vec[] = [];
  private buffer: ArrayBufferLike;

  // The integrator's point, the two ends of the trajectory, the current sample and the proposal.
  private readonly z: Point;
  private readonly zFwd: Point;
  private readonly zBck: Point;
  private readonly zSample: Point;
  private readonly zPropose: Point;
  // Momenta p and velocities v = M⁻¹p at the two ends of the forward and backward parts.
  private readonly pFwdFwd: Vec;
  private readonly pFwdBck: Vec;
  private readonly pBckFwd: Vec;
  private readonly pBckBck: Vec;
  private readonly vFwdFwd: Vec;
  private readonly vFwdBck: Vec;
  private readonly vBckFwd: Vec;
  private readonly vBckBck: Vec;
  private readonly rho: Vec;
  private readonly rhoFwd: Vec;
  private readonly rhoBck: Vec;
  private readonly invM: Vec;
  private readonly levels: Level[];

  // Per-transition context read by the recursion (set at the start of each step).
  private eps = 0;
  private dense: DenseMetric | null = null;
  /** M⁻¹p of the dense leaf (JavaScript memory: the dense passes run here, not in the core). */
  private readonly vDense: Float64Array;
  /** `z` as the integrator sees it: views re-made whenever the target has grown the memory. */
  private readonly zPhase: Phase;
  private rng: SamplerRng | null = null;
  private H0 = 0;
  private nLeapfrog = 0;
  private sumMetroProb = 0;
  private divergent = false;

  private readonly info: Info = { acceptProb: 0, treeDepth: 0, nLeapfrog: 0, divergent: false, energy: 0, stepSize: 0 };
  private readonly result: { state: KernelState; info: Info };

  constructor(target: Target, opts: NutsOptions, arena: Arena) {
    const dim = target.dim;
    this.dim = dim;
    this.arena = arena;
    this.h = new Hamiltonian(target);
    this.leapfrog = new Leapfrog(this.h);
    this.maxDepth = opts.maxTreeDepth ?? 10;
    this.maxDeltaH = opts.maxDeltaH ?? 1000;
    this.vDense = new Float64Array(dim);
    const self = this;
    this.zPhase = {
      get q() { self.refreshViews(); return self.z.q.view; },
      get p() { self.refreshViews(); return self.z.p.view; },
      get g() { self.refreshViews(); return self.z.g.view; },
      get lp() { return self.z.lp; },
      set lp(v: number) { self.z.lp = v; },
    };
    const vec = () => {
      const v = new Vec(arena.allocF64(dim), arena, dim);
      this.vecs.push(v);
      return v;
    };
    const point = () => new Point(vec(), vec(), vec());
    this.z = point();
    this.zFwd = point();
    this.zBck = point();
    this.zSample = point();
    this.zPropose = point();
    this.pFwdFwd = vec();
    this.pFwdBck = vec();
    this.pBckFwd = vec();
    this.pBckBck = vec();
    this.vFwdFwd = vec();
    this.vFwdBck = vec();
    this.vBckFwd = vec();
    this.vBckBck = vec();
    this.rho = vec();
    this.rhoFwd = vec();
    this.rhoBck = vec();
    this.invM = vec();
    // Level k − 1 serves the recursion at depth k ≥ 1 (depth 0 is a single leapfrog step).
    this.levels = Array.from({ length: this.maxDepth - 1 }, () => ({
      rhoInit: vec(), rhoFinal: vec(), pInitEnd: vec(), vInitEnd: vec(), pFinalBeg: vec(), vFinalBeg: vec(), proposeFinal: point(),
    }));
    // The allocations above may have grown the memory: make every view on the final buffer.
    for (const v of this.vecs) v.refresh();
    this.buffer = arena.memory.buffer;
    this.result = { state: { position: new Float64Array(0), logDensity: -Infinity, grad: new Float64Array(0) }, info: this.info };
  }

  init(position: Float64Array): KernelState {
    return this.h.initState(position);
  }

  step(state: KernelState, rng: SamplerRng, params: KernelParams): Transition {
    this.refreshViews();
    const { h, z } = this;
    const invMetric = params.invMetric;
    this.eps = params.stepSize;
    this.invM.view.set(invMetric);
    const dense = (this.dense = params.dense ?? null);
    this.rng = rng;

    z.q.view.set(state.position);
    z.g.view.set(state.grad);
    z.lp = state.logDensity;
    h.sampleMomentum(z.p.view, rng, invMetric, dense);
    this.zFwd.copyFrom(z);
    this.zBck.copyFrom(z);
    this.zSample.copyFrom(z);
    this.zPropose.copyFrom(z);
    h.velocity(this.vFwdFwd.view, z.p.view, invMetric, dense);
    // Written out: a transition allocates nothing (no array literals to loop over).
    const v0 = this.vFwdFwd.view;
    this.vFwdBck.view.set(v0);
    this.vBckFwd.view.set(v0);
    this.vBckBck.view.set(v0);
    const p0 = z.p.view;
    this.pFwdFwd.view.set(p0);
    this.pFwdBck.view.set(p0);
    this.pBckFwd.view.set(p0);
    this.pBckBck.view.set(p0);
    this.rho.view.set(p0);

    this.H0 = this.energy(z);
    this.nLeapfrog = 0;
    this.sumMetroProb = 0;
    this.divergent = false;
    let logSumWeight = 0; // the initial point's weight exp(H0 − H0)
    let depth = 0;

    while (depth < this.maxDepth) {
      this.rhoFwd.view.fill(0);
      this.rhoBck.view.fill(0);
      let subtreeWeight: number;
      if (rng.uniform() > 0.5) {
        // Forward: the trajectory so far becomes the backward part.
        z.copyFrom(this.zFwd);
        this.rhoBck.view.set(this.rho.view);
        this.pBckFwd.view.set(this.pFwdFwd.view);
        this.vBckFwd.view.set(this.vFwdFwd.view);
        subtreeWeight = this.buildTree(depth, this.zPropose, this.vFwdBck, this.vFwdFwd, this.rhoFwd, this.pFwdBck, this.pFwdFwd, 1);
        this.zFwd.copyFrom(z);
      } else {
        z.copyFrom(this.zBck);
        this.rhoFwd.view.set(this.rho.view);
        this.pFwdBck.view.set(this.pBckBck.view);
        this.vFwdBck.view.set(this.vBckBck.view);
        subtreeWeight = this.buildTree(depth, this.zPropose, this.vBckFwd, this.vBckBck, this.rhoBck, this.pBckFwd, this.pBckBck, -1);
        this.zBck.copyFrom(z);
      }
      if (Number.isNaN(subtreeWeight)) break; // divergent or U-turn inside the new subtree: it is discarded
      depth++;

      // Biased progressive sampling: move to the new subtree's proposal with probability min(1, w_new / w_old).
      if (subtreeWeight > logSumWeight || rng.uniform() < Math.exp(subtreeWeight - logSumWeight)) {
        this.zSample.copyFrom(this.zPropose);
      }
      logSumWeight = logSumExp(logSumWeight, subtreeWeight);

      // ρ = ρ_bck + ρ_fwd and the U-turn checks over the whole trajectory and across its seam.
      this.rho.view.fill(0);
      const persist = this.arena.k.nuts_merge_f64(
        this.rho.ptr, this.rhoBck.ptr, this.rhoFwd.ptr, this.vBckBck.ptr, this.vFwdFwd.ptr,
        this.pBckFwd.ptr, this.vBckFwd.ptr, this.pFwdBck.ptr, this.vFwdBck.ptr, this.dim,
      );
      if (persist !== 1) break;
    }

    const s = this.zSample;
    state.position.set(s.q.view);
    state.grad.set(s.g.view);
    state.logDensity = s.lp;
    const info = this.info;
    info.acceptProb = this.sumMetroProb / this.nLeapfrog;
    info.treeDepth = depth;
    info.nLeapfrog = this.nLeapfrog;
    info.divergent = this.divergent;
    info.energy = this.energy(s);
    info.stepSize = this.eps;
    this.rng = null;
    this.dense = null;
    this.result.state = state;
    return this.result;
  }

  /** H(z) = ½pᵀM⁻¹p − log p(q); +Infinity outside the support and for NaN energies. */
  private energy(z: Point): number {
    const h = this.h.kinetic(z.p.view, this.invM.view, this.dense) - z.lp;
    return Number.isNaN(h) ? Infinity : h;
  }

  /** Views re-made if the wasm memory grew since they were made (e.g. the target allocated). */
  private refreshViews(): void {
    const buffer = this.arena.memory.buffer;
    if (buffer === this.buffer) return;
    for (const v of this.vecs) v.refresh();
    this.buffer = buffer;
  }

  /**
   * A leaf of the tree: one leapfrog step of z (integrator.ts), whose closing half-kick also does the
   * leaf's bookkeeping — velocity at both ends, momentum at both ends, momentum added to ρ — and
   * copies the new point into `propose` (the leaf's proposal), in the same passes. Returns H at the
   * new point.
   */
  private leaf(eps: number, vBeg: Vec, vEnd: Vec, rho: Vec, pBeg: Vec, pEnd: Vec, propose: Point): number {
    if (this.dense) {
      const H = this.leafDense(this.dense, eps, vBeg, vEnd, rho, pBeg, pEnd);
      propose.copyFrom(this.z);
      return H;
    }
    return this.leapfrog.stepInCore(this.arena.k, this.z, eps, this.invM, vBeg, vEnd, rho, pBeg, pEnd, propose, this.views);
  }

  /** Re-makes the views after the target ran (it may grow the memory). */
  private readonly views = (): void => this.refreshViews();

  /** `leaf` with a dense metric: the integrator's JavaScript step, then the same bookkeeping. */
  private leafDense(dense: DenseMetric, eps: number, vBeg: Vec, vEnd: Vec, rho: Vec, pBeg: Vec, pEnd: Vec): number {
    const { z, vDense: v, dim } = this;
    this.leapfrog.step(this.zPhase, eps, this.invM.view, dense);
    this.refreshViews();
    const p = z.p.view;
    dense.velocity(v, p);
    let kinetic2 = 0;
    for (let i = 0; i < dim; i++) kinetic2 += v[i] * p[i];
    vBeg.view.set(v);
    vEnd.view.set(v);
    pBeg.view.set(p);
    pEnd.view.set(p);
    const rv = rho.view;
    for (let i = 0; i < dim; i++) rv[i] += p[i];
    const H = 0.5 * kinetic2 - z.lp;
    return Number.isNaN(H) ? Infinity : H;
  }

  /**
   * Extends the trajectory by 2^depth leapfrog steps from `this.z` in direction `sign`, sampling a
   * proposal into `propose`, writing the momenta and velocities at the subtree's two ends and adding
   * its summed momentum to `rho`. Returns the log of the subtree's total weight Σ exp(H0 − H), or NaN
   * when the subtree diverged or made a U-turn (the caller then discards it).
   */
  private buildTree(depth: number, propose: Point, vBeg: Vec, vEnd: Vec, rho: Vec, pBeg: Vec, pEnd: Vec, sign: number): number {
    if (depth === 0) {
      const H = this.leaf(sign * this.eps, vBeg, vEnd, rho, pBeg, pEnd, propose);
      this.nLeapfrog++;
      if (H - this.H0 > this.maxDeltaH) this.divergent = true;
      const logWeight = this.H0 - H;
      this.sumMetroProb += logWeight > 0 ? 1 : Math.exp(logWeight);
      return this.divergent ? NaN : logWeight;
    }

    const L = this.levels[depth - 1];
    L.rhoInit.view.fill(0);
    const weightInit = this.buildTree(depth - 1, propose, vBeg, L.vInitEnd, L.rhoInit, pBeg, L.pInitEnd, sign);
    if (Number.isNaN(weightInit)) return NaN;
    L.rhoFinal.view.fill(0);
    const weightFinal = this.buildTree(depth - 1, L.proposeFinal, L.vFinalBeg, vEnd, L.rhoFinal, L.pFinalBeg, pEnd, sign);
    if (Number.isNaN(weightFinal)) return NaN;

    // Uniform progressive sampling inside the subtree: take the second half's proposal with
    // probability w_final / (w_init + w_final).
    const weight = logSumExp(weightInit, weightFinal);
    if ((this.rng as SamplerRng).uniform() < Math.exp(weightFinal - weight)) propose.copyFrom(L.proposeFinal);

    // Stan's three U-turn checks (the subtree, and each half extended by the other's neighbouring
    // point) in one pass that also adds the subtree's ρ to the caller's.
    const persist = this.arena.k.nuts_merge_f64(
      rho.ptr, L.rhoInit.ptr, L.rhoFinal.ptr, vBeg.ptr, vEnd.ptr, L.pInitEnd.ptr, L.vInitEnd.ptr, L.pFinalBeg.ptr, L.vFinalBeg.ptr, this.dim,
    );
    return persist === 1 ? weight : NaN;
  }
}

/** A wasm core for NUTS's trajectory vectors (nuts' argument, runChain's `arena` option). */
export const arenaField = (o: { help: string; hint: string; defaultText?: string }) =>
  custom<Arena>({ ...o, expected: 'an Arena (the wasm core the trajectory vectors live in)', valid: (v) => v !== null && typeof v === 'object' && typeof (v as Arena).allocF64 === 'function' });

/**
 * Creates a NUTS kernel for `target` (diagonal metric; multinomial; Stan's U-turn checks). Its
 * trajectory vectors live in `arena`'s wasm memory (the passes over them run there); `runChain` passes
 * the target's own arena when it has one.
 */
export function nuts(target: Target, opts: NutsOptions, arena: Arena): Kernel {
  NUTS_KERNEL_OPTIONS.check(opts);
  checkArgument(required(arenaField({ hint: 'Pass await Arena.create(), or use runChain, which makes one.', help: 'the wasm core the trajectory vectors live in' })), arena, 'nuts', 'arena');
  return new Nuts(target, opts, arena);
}

/** The NUTS kernel's options, checked before any work (Stan's defaults). */
export const NUTS_KERNEL_OPTIONS = schema('nuts', {
  type: enumOf(['nuts'] as const, { default: 'nuts', help: "the kernel, when the options are a chain's kernel spec" }),
  maxTreeDepth: int({ min: 1, max: 30, default: 10, hint: 'Stan uses 10; raise it only when many transitions hit the cap.', help: 'maximum doublings: at most 2^maxTreeDepth − 1 leapfrog steps' }),
  maxDeltaH: num({ gt: 0, default: 1000, hint: 'The usual divergence threshold is 1000.', help: 'energy error above which a transition is divergent' }),
} satisfies { [K in keyof Required<NutsOptions>]: Field<Required<NutsOptions>[K]> } & { type: Field<'nuts'> });

/**
 * The No-U-Turn Sampler as Stan runs it: trajectories doubled in random directions up to a maximum
 * depth, multinomial sampling of the new point in proportion to exp(−H) (Betancourt 2017) —
 * uniform progressive sampling inside each new subtree, biased progressive sampling (favouring the
 * new half) when a subtree joins the trajectory — and the generalized U-turn criterion on the
 * summed momenta ρ, checked across every merged tree and across the seams between subtrees.
 *
 * The trajectory's points stay where its leaves wrote them (trajectory-points.ts): its ends, proposals
 * and sample are references to them, not copies. All buffers are allocated once per kernel; a
 * transition allocates nothing.
 */
import { checkArgument, custom, enumOf, int, num, required, schema, type Field } from '../options/schema.js';
import { exp, log1p } from '../random/exact-math.js';
import type { Arena } from '../wasm/arena.js';
import { Hamiltonian } from './hamiltonian.js';
import { guardTarget } from './checked-target.js';
import { Leapfrog, type Phase } from './integrator.js';
import type { DenseMetric } from './metric.js';
import { Point, PointStore, type Vec } from './trajectory-points.js';
import type { Info, Kernel, KernelParams, KernelState, SamplerRng, Target, Transition } from './types.js';

/** Options of the NUTS kernel (Stan's defaults). */
export interface NutsOptions {
  /** Maximum number of doublings; a trajectory has at most 2^maxTreeDepth − 1 leapfrog steps. Default 10. */
  maxTreeDepth?: number;
  /** Energy error above which a leapfrog step counts as divergent and ends the trajectory. Default 1000. */
  maxDeltaH?: number;
}

/**
 * A subtree as its builder hands it over: its first and last points in the direction of travel, its
 * proposal (one reference to each held by this record) and the address of its summed momentum ρ.
 */
interface Subtree {
  beg: Point;
  end: Point;
  propose: Point;
  rho: number;
}

/** The two halves of the subtree being built at one depth, and where their ρ go. */
interface Level {
  init: Subtree;
  final: Subtree;
  rhoInit: Vec;
  rhoFinal: Vec;
}

function logSumExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b));
}

class Nuts implements Kernel {
  readonly dim: number;
  private readonly h: Hamiltonian;
  private readonly leapfrog: Leapfrog;
  private readonly arena: Arena;
  private readonly maxDepth: number;
  private readonly maxDeltaH: number;
  private readonly points: PointStore;
  /** ρ of the whole trajectory, and of the subtree that extends it. */
  private readonly rho: Vec;
  private readonly rhoSub: Vec;
  private readonly invM: Vec;
  private readonly levels: Level[];
  private readonly extension: Subtree;

  // Per-transition context read by the recursion (set at the start of each step).
  private eps = 0;
  private dense: DenseMetric | null = null;
  /** The point the dense leaf steps in place, and `zPhase`, its view as the integrator sees it. */
  private zDense: Point | null = null;
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
    // Live at once, at most: the trajectory's two ends and the sample; for each of the maxDepth − 1
    // levels of a subtree being built, its finished first half's two ends and proposal (the halves
    // are disjoint stretches of the trajectory); and the leaf being made.
    const points = (this.points = new PointStore(arena, dim, 3 * this.maxDepth + 1));
    this.rho = points.vec();
    this.rhoSub = points.vec();
    this.invM = points.vec();
    // A record is written by the build before it is read: `unset` only gives its fields their type.
    const unset = new Point(this.invM, this.invM, this.invM, this.invM);
    const subtree = (): Subtree => ({ beg: unset, end: unset, propose: unset, rho: 0 });
    this.extension = subtree();
    // Level k − 1 serves the recursion at depth k ≥ 1 (depth 0 is a single leapfrog step).
    this.levels = Array.from({ length: this.maxDepth - 1 }, () => ({ init: subtree(), final: subtree(), rhoInit: points.vec(), rhoFinal: points.vec() }));
    // The allocations above may have grown the memory: make every view on the final buffer.
    points.refresh();
    const self = this;
    const z = () => self.zDense as Point;
    this.zPhase = {
      get q() { self.points.refresh(); return z().q.view; },
      get p() { self.points.refresh(); return z().p.view; },
      get g() { self.points.refresh(); return z().g.view; },
      get lp() { return z().lp; },
      set lp(v: number) { z().lp = v; },
    };
    this.result = { state: { position: new Float64Array(0), logDensity: -Infinity, grad: new Float64Array(0) }, info: this.info };
  }

  init(position: Float64Array): KernelState {
    return this.h.initState(position);
  }

  step(state: KernelState, rng: SamplerRng, params: KernelParams): Transition {
    const { h, points, arena, dim } = this;
    points.refresh();
    points.reset();
    const invMetric = params.invMetric;
    this.eps = params.stepSize;
    this.invM.view.set(invMetric);
    const dense = (this.dense = params.dense ?? null);
    this.rng = rng;

    // The initial point is both ends of the trajectory and its sample.
    const z0 = points.take(3);
    z0.q.view.set(state.position);
    z0.g.view.set(state.grad);
    z0.lp = state.logDensity;
    h.sampleMomentum(z0.p.view, rng, invMetric, dense);
    h.velocity(z0.v.view, z0.p.view, invMetric, dense);
    this.rho.view.set(z0.p.view);
    let bck = z0;
    let fwd = z0;
    let sample = z0;

    this.H0 = this.energy(z0);
    this.nLeapfrog = 0;
    this.sumMetroProb = 0;
    this.divergent = false;
    let logSumWeight = 0; // the initial point's weight exp(H0 − H0)
    let depth = 0;
    const t = this.extension;
    const rho = this.rho.ptr;

    while (depth < this.maxDepth) {
      const forward = rng.uniform() > 0.5;
      const subtreeWeight = this.buildTree(depth, forward ? fwd : bck, forward ? 1 : -1, t, this.rhoSub.ptr);
      if (Number.isNaN(subtreeWeight)) break; // divergent or U-turn inside the new subtree: it is discarded
      depth++;

      // Biased progressive sampling: move to the new subtree's proposal with probability min(1, w_new / w_old).
      if (subtreeWeight > logSumWeight || rng.uniform() < exp(subtreeWeight - logSumWeight)) {
        points.release(sample);
        sample = t.propose;
      } else {
        points.release(t.propose);
      }
      logSumWeight = logSumExp(logSumWeight, subtreeWeight);

      // ρ = ρ_bck + ρ_fwd and the U-turn checks over the whole trajectory and across its seam: the
      // old trajectory is the backward part when the new subtree went forward, and the other way round.
      let persist: number;
      if (forward) {
        persist = arena.k.nuts_merge_f64(rho, rho, t.rho, bck.v.ptr, t.end.v.ptr, fwd.p.ptr, fwd.v.ptr, t.beg.p.ptr, t.beg.v.ptr, dim);
        points.release(fwd);
        fwd = t.end;
      } else {
        persist = arena.k.nuts_merge_f64(rho, t.rho, rho, t.end.v.ptr, fwd.v.ptr, t.beg.p.ptr, t.beg.v.ptr, bck.p.ptr, bck.v.ptr, dim);
        points.release(bck);
        bck = t.end;
      }
      points.release(t.beg);
      if (persist !== 1) break;
    }

    state.position.set(sample.q.view);
    state.grad.set(sample.g.view);
    state.logDensity = sample.lp;
    const info = this.info;
    info.acceptProb = this.sumMetroProb / this.nLeapfrog;
    info.treeDepth = depth;
    info.nLeapfrog = this.nLeapfrog;
    info.divergent = this.divergent;
    info.energy = this.energy(sample);
    info.stepSize = this.eps;
    this.rng = null;
    this.dense = null;
    this.zDense = null;
    this.result.state = state;
    return this.result;
  }

  /** H(z) = ½pᵀM⁻¹p − log p(q); +Infinity outside the support and for NaN energies. */
  private energy(z: Point): number {
    const h = this.h.kinetic(z.p.view, this.invM.view, this.dense) - z.lp;
    return Number.isNaN(h) ? Infinity : h;
  }

  /**
   * A leaf of the tree: one leapfrog step from `from` into `to` (integrator.ts), which also writes the
   * velocity at `to`. Returns H at the new point.
   */
  private leaf(eps: number, from: Point, to: Point): number {
    if (this.dense) return this.leafDense(this.dense, eps, from, to);
    return this.leapfrog.stepInCore(this.arena.k, from, to, eps, this.invM, this.views);
  }

  /** Re-makes the views after the target ran (it may grow the memory). */
  private readonly views = (): void => this.points.refresh();

  /** `leaf` with a dense metric: the integrator's JavaScript step, in place on a copy of `from`. */
  private leafDense(dense: DenseMetric, eps: number, from: Point, to: Point): number {
    to.q.view.set(from.q.view);
    to.p.view.set(from.p.view);
    to.g.view.set(from.g.view);
    to.lp = from.lp;
    this.zDense = to;
    this.leapfrog.step(this.zPhase, eps, this.invM.view, dense);
    this.points.refresh();
    const p = to.p.view;
    const v = to.v.view;
    dense.velocity(v, p);
    let kinetic2 = 0;
    for (let i = 0; i < this.dim; i++) kinetic2 += v[i] * p[i];
    const H = 0.5 * kinetic2 - to.lp;
    return Number.isNaN(H) ? Infinity : H;
  }

  /**
   * Extends the trajectory by 2^depth leapfrog steps from `from` in direction `sign`, into `out`:
   * the subtree's first and last points, its proposal, and its summed momentum ρ (written at
   * `rhoOut` when depth ≥ 1; a leaf's ρ is its own momentum). Returns the log of the subtree's total
   * weight Σ exp(H0 − H), or NaN when the subtree diverged or made a U-turn (the caller then discards
   * it and ends the transition).
   */
  private buildTree(depth: number, from: Point, sign: number, out: Subtree, rhoOut: number): number {
    const points = this.points;
    if (depth === 0) {
      const z = points.take(3);
      const H = this.leaf(sign * this.eps, from, z);
      out.beg = out.end = out.propose = z;
      out.rho = z.p.ptr;
      this.nLeapfrog++;
      if (H - this.H0 > this.maxDeltaH) this.divergent = true;
      const logWeight = this.H0 - H;
      this.sumMetroProb += logWeight > 0 ? 1 : exp(logWeight);
      return this.divergent ? NaN : logWeight;
    }

    const L = this.levels[depth - 1];
    const A = L.init;
    const B = L.final;
    const weightInit = this.buildTree(depth - 1, from, sign, A, L.rhoInit.ptr);
    if (Number.isNaN(weightInit)) return NaN;
    const weightFinal = this.buildTree(depth - 1, A.end, sign, B, L.rhoFinal.ptr);
    if (Number.isNaN(weightFinal)) return NaN;

    // Uniform progressive sampling inside the subtree: take the second half's proposal with
    // probability w_final / (w_init + w_final).
    const weight = logSumExp(weightInit, weightFinal);
    if ((this.rng as SamplerRng).uniform() < exp(weightFinal - weight)) {
      points.release(A.propose);
      out.propose = B.propose;
    } else {
      points.release(B.propose);
      out.propose = A.propose;
    }

    // Stan's three U-turn checks (the subtree, and each half extended by the other's neighbouring
    // point) in one pass that also sums the subtree's ρ; for two leaves (half of all merges) the
    // three are one, read once.
    const k = this.arena.k;
    const persist = depth === 1
      ? k.nuts_merge_leaves_f64(rhoOut, A.beg.p.ptr, A.beg.v.ptr, B.beg.p.ptr, B.beg.v.ptr, this.dim)
      : k.nuts_merge_f64(rhoOut, A.rho, B.rho, A.beg.v.ptr, B.end.v.ptr, A.end.p.ptr, A.end.v.ptr, B.beg.p.ptr, B.beg.v.ptr, this.dim);
    out.beg = A.beg;
    out.end = B.end;
    out.rho = rhoOut;
    points.release(A.end);
    points.release(B.beg);
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
  opts = NUTS_KERNEL_OPTIONS.check(opts);
  checkArgument(required(arenaField({ hint: 'Pass await Arena.create(), or use runChain, which makes one.', help: 'the wasm core the trajectory vectors live in' })), arena, 'nuts', 'arena');
  return new Nuts(guardTarget(target, 'nuts', 'target', { name: 'nuts: target', noun: 'target' }), opts, arena);
}

/** The NUTS kernel's options, checked before any work (Stan's defaults). */
export const NUTS_KERNEL_OPTIONS = schema('nuts', {
  type: enumOf(['nuts'] as const, { default: 'nuts', help: "the kernel, when the options are a chain's kernel spec" }),
  maxTreeDepth: int({ min: 1, max: 30, default: 10, hint: 'Stan uses 10; raise it only when many transitions hit the cap.', help: 'maximum doublings: at most 2^maxTreeDepth − 1 leapfrog steps' }),
  maxDeltaH: num({ gt: 0, default: 1000, hint: 'The usual divergence threshold is 1000.', help: 'energy error above which a transition is divergent' }),
} satisfies { [K in keyof Required<NutsOptions>]: Field<Required<NutsOptions>[K]> } & { type: Field<'nuts'> });

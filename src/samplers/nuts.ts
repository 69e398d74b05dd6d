/**
 * The No-U-Turn Sampler as Stan runs it: trajectories doubled in random directions up to a maximum
 * depth, multinomial sampling of the new point in proportion to exp(−H) (Betancourt 2017) —
 * uniform progressive sampling inside each new subtree, biased progressive sampling (favouring the
 * new half) when a subtree joins the trajectory — and the generalized U-turn criterion on the
 * summed momenta ρ, checked across every merged tree and across the seams between subtrees.
 *
 * All buffers are allocated once per kernel; a transition allocates nothing.
 */
import { argError, describe } from '../errors.js';
import { Hamiltonian, PhasePoint } from './hamiltonian.js';
import type { Info, Kernel, KernelParams, KernelState, SamplerRng, Target, Transition } from './types.js';

/** Options of the NUTS kernel (Stan's defaults). */
export interface NutsOptions {
  /** Maximum number of doublings; a trajectory has at most 2^maxTreeDepth − 1 leapfrog steps. Default 10. */
  maxTreeDepth?: number;
  /** Energy error above which a leapfrog step counts as divergent and ends the trajectory. Default 1000. */
  maxDeltaH?: number;
}

/** Scratch of one level of the tree recursion. */
class Level {
  readonly rhoInit: Float64Array;
  readonly rhoFinal: Float64Array;
  readonly pInitEnd: Float64Array;
  readonly pSharpInitEnd: Float64Array;
  readonly pFinalBeg: Float64Array;
  readonly pSharpFinalBeg: Float64Array;
  readonly proposeFinal: PhasePoint;

  constructor(dim: number) {
    this.rhoInit = new Float64Array(dim);
    this.rhoFinal = new Float64Array(dim);
    this.pInitEnd = new Float64Array(dim);
    this.pSharpInitEnd = new Float64Array(dim);
    this.pFinalBeg = new Float64Array(dim);
    this.pSharpFinalBeg = new Float64Array(dim);
    this.proposeFinal = new PhasePoint(dim);
  }
}

function logSumExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** No U-turn across a span: both end velocities point along ρ. */
function noUturn(pSharpMinus: Float64Array, pSharpPlus: Float64Array, rho: Float64Array): boolean {
  let plus = 0;
  let minus = 0;
  for (let i = 0; i < rho.length; i++) {
    plus += pSharpPlus[i] * rho[i];
    minus += pSharpMinus[i] * rho[i];
  }
  return plus > 0 && minus > 0;
}

/** noUturn over the span whose summed momentum is rhoA + extra (one subtree plus the neighbour's first point). */
function noUturnExtended(pSharpMinus: Float64Array, pSharpPlus: Float64Array, rhoA: Float64Array, extra: Float64Array): boolean {
  let plus = 0;
  let minus = 0;
  for (let i = 0; i < rhoA.length; i++) {
    const r = rhoA[i] + extra[i];
    plus += pSharpPlus[i] * r;
    minus += pSharpMinus[i] * r;
  }
  return plus > 0 && minus > 0;
}

class Nuts implements Kernel {
  readonly dim: number;
  private readonly h: Hamiltonian;
  private readonly maxDepth: number;
  private readonly maxDeltaH: number;

  // The integrator's point, the two ends of the trajectory, the current sample and the proposal.
  private readonly z: PhasePoint;
  private readonly zFwd: PhasePoint;
  private readonly zBck: PhasePoint;
  private readonly zSample: PhasePoint;
  private readonly zPropose: PhasePoint;
  // Momenta p and velocities p♯ = M⁻¹p at the two ends of the forward and backward parts.
  private readonly pFwdFwd: Float64Array;
  private readonly pFwdBck: Float64Array;
  private readonly pBckFwd: Float64Array;
  private readonly pBckBck: Float64Array;
  private readonly pSharpFwdFwd: Float64Array;
  private readonly pSharpFwdBck: Float64Array;
  private readonly pSharpBckFwd: Float64Array;
  private readonly pSharpBckBck: Float64Array;
  private readonly rho: Float64Array;
  private readonly rhoFwd: Float64Array;
  private readonly rhoBck: Float64Array;
  private readonly levels: Level[];

  // Per-transition context read by the recursion (set at the start of each step).
  private eps = 0;
  private invMetric: Float64Array;
  private rng: SamplerRng | null = null;
  private H0 = 0;
  private nLeapfrog = 0;
  private sumMetroProb = 0;
  private divergent = false;

  private readonly info: Info = { acceptProb: 0, treeDepth: 0, nLeapfrog: 0, divergent: false, energy: 0, stepSize: 0 };
  private readonly result: { state: KernelState; info: Info };

  constructor(target: Target, opts: NutsOptions) {
    const dim = target.dim;
    this.dim = dim;
    this.h = new Hamiltonian(target);
    this.maxDepth = opts.maxTreeDepth ?? 10;
    this.maxDeltaH = opts.maxDeltaH ?? 1000;
    const vec = () => new Float64Array(dim);
    this.z = new PhasePoint(dim);
    this.zFwd = new PhasePoint(dim);
    this.zBck = new PhasePoint(dim);
    this.zSample = new PhasePoint(dim);
    this.zPropose = new PhasePoint(dim);
    this.pFwdFwd = vec();
    this.pFwdBck = vec();
    this.pBckFwd = vec();
    this.pBckBck = vec();
    this.pSharpFwdFwd = vec();
    this.pSharpFwdBck = vec();
    this.pSharpBckFwd = vec();
    this.pSharpBckBck = vec();
    this.rho = vec();
    this.rhoFwd = vec();
    this.rhoBck = vec();
    // Level k − 1 serves the recursion at depth k ≥ 1 (depth 0 is a single leapfrog step).
    this.levels = Array.from({ length: this.maxDepth - 1 }, () => new Level(dim));
    this.invMetric = vec();
    this.result = { state: { position: new Float64Array(0), logDensity: -Infinity, grad: new Float64Array(0) }, info: this.info };
  }

  init(position: Float64Array): KernelState {
    return this.h.initState(position);
  }

  step(state: KernelState, rng: SamplerRng, params: KernelParams): Transition {
    const { h, z } = this;
    const invMetric = params.invMetric;
    this.eps = params.stepSize;
    this.invMetric = invMetric;
    this.rng = rng;

    z.q.set(state.position);
    z.g.set(state.grad);
    z.lp = state.logDensity;
    h.sampleMomentum(z.p, rng, invMetric);
    this.zFwd.copyFrom(z);
    this.zBck.copyFrom(z);
    this.zSample.copyFrom(z);
    this.zPropose.copyFrom(z);
    h.velocity(this.pSharpFwdFwd, z.p, invMetric);
    this.pSharpFwdBck.set(this.pSharpFwdFwd);
    this.pSharpBckFwd.set(this.pSharpFwdFwd);
    this.pSharpBckBck.set(this.pSharpFwdFwd);
    this.pFwdFwd.set(z.p);
    this.pFwdBck.set(z.p);
    this.pBckFwd.set(z.p);
    this.pBckBck.set(z.p);
    this.rho.set(z.p);

    this.H0 = h.energy(z, invMetric);
    this.nLeapfrog = 0;
    this.sumMetroProb = 0;
    this.divergent = false;
    let logSumWeight = 0; // the initial point's weight exp(H0 − H0)
    let depth = 0;

    while (depth < this.maxDepth) {
      this.rhoFwd.fill(0);
      this.rhoBck.fill(0);
      let subtreeWeight: number;
      if (rng.uniform() > 0.5) {
        // Forward: the trajectory so far becomes the backward part.
        z.copyFrom(this.zFwd);
        this.rhoBck.set(this.rho);
        this.pBckFwd.set(this.pFwdFwd);
        this.pSharpBckFwd.set(this.pSharpFwdFwd);
        subtreeWeight = this.buildTree(depth, this.zPropose, this.pSharpFwdBck, this.pSharpFwdFwd, this.rhoFwd, this.pFwdBck, this.pFwdFwd, 1);
        this.zFwd.copyFrom(z);
      } else {
        z.copyFrom(this.zBck);
        this.rhoFwd.set(this.rho);
        this.pFwdBck.set(this.pBckBck);
        this.pSharpFwdBck.set(this.pSharpBckBck);
        subtreeWeight = this.buildTree(depth, this.zPropose, this.pSharpBckFwd, this.pSharpBckBck, this.rhoBck, this.pBckFwd, this.pBckBck, -1);
        this.zBck.copyFrom(z);
      }
      if (Number.isNaN(subtreeWeight)) break; // divergent or U-turn inside the new subtree: it is discarded
      depth++;

      // Biased progressive sampling: move to the new subtree's proposal with probability min(1, w_new / w_old).
      if (subtreeWeight > logSumWeight || rng.uniform() < Math.exp(subtreeWeight - logSumWeight)) {
        this.zSample.copyFrom(this.zPropose);
      }
      logSumWeight = logSumExp(logSumWeight, subtreeWeight);

      const { rho, rhoFwd, rhoBck } = this;
      for (let i = 0; i < rho.length; i++) rho[i] = rhoBck[i] + rhoFwd[i];
      const persist =
        noUturn(this.pSharpBckBck, this.pSharpFwdFwd, rho) &&
        noUturnExtended(this.pSharpBckBck, this.pSharpFwdBck, rhoBck, this.pFwdBck) &&
        noUturnExtended(this.pSharpBckFwd, this.pSharpFwdFwd, rhoFwd, this.pBckFwd);
      if (!persist) break;
    }

    const s = this.zSample;
    state.position.set(s.q);
    state.grad.set(s.g);
    state.logDensity = s.lp;
    const info = this.info;
    info.acceptProb = this.sumMetroProb / this.nLeapfrog;
    info.treeDepth = depth;
    info.nLeapfrog = this.nLeapfrog;
    info.divergent = this.divergent;
    info.energy = h.energy(s, invMetric);
    info.stepSize = this.eps;
    this.rng = null;
    this.result.state = state;
    return this.result;
  }

  /**
   * A leaf of the tree: one leapfrog step of z, whose second half-kick also does the leaf's
   * bookkeeping — velocity M⁻¹p at both ends, p at both ends, p added to ρ — in the same pass (the
   * passes over the momenta cost as much as a small network's gradient). Returns H at the new point.
   */
  private leaf(eps: number, pSharpBeg: Float64Array, pSharpEnd: Float64Array, rho: Float64Array, pBeg: Float64Array, pEnd: Float64Array): number {
    const { h, z, invMetric } = this;
    const lp = h.kickDrift(z, eps, invMetric);
    const { p, g } = z;
    const half = 0.5 * eps;
    let finite = 0;
    let k = 0;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i];
      finite += gi * 0;
      const pi = p[i] + half * gi;
      p[i] = pi;
      const vi = invMetric[i] * pi;
      k += vi * pi;
      pSharpBeg[i] = vi;
      pSharpEnd[i] = vi;
      rho[i] += pi;
      pBeg[i] = pi;
      pEnd[i] = pi;
    }
    return h.settle(z, lp, finite, k);
  }

  /**
   * Extends the trajectory by 2^depth leapfrog steps from `this.z` in direction `sign`, sampling a
   * proposal into `propose`, writing the momenta and velocities at the subtree's two ends and adding
   * its summed momentum to `rho`. Returns the log of the subtree's total weight Σ exp(H0 − H), or NaN
   * when the subtree diverged or made a U-turn (the caller then discards it).
   */
  private buildTree(
    depth: number, propose: PhasePoint,
    pSharpBeg: Float64Array, pSharpEnd: Float64Array, rho: Float64Array,
    pBeg: Float64Array, pEnd: Float64Array, sign: number,
  ): number {
    const { z } = this;
    if (depth === 0) {
      const H = this.leaf(sign * this.eps, pSharpBeg, pSharpEnd, rho, pBeg, pEnd);
      this.nLeapfrog++;
      if (H - this.H0 > this.maxDeltaH) this.divergent = true;
      const logWeight = this.H0 - H;
      this.sumMetroProb += logWeight > 0 ? 1 : Math.exp(logWeight);
      propose.copyFrom(z);
      return this.divergent ? NaN : logWeight;
    }

    const L = this.levels[depth - 1];
    L.rhoInit.fill(0);
    const weightInit = this.buildTree(depth - 1, propose, pSharpBeg, L.pSharpInitEnd, L.rhoInit, pBeg, L.pInitEnd, sign);
    if (Number.isNaN(weightInit)) return NaN;
    L.rhoFinal.fill(0);
    const weightFinal = this.buildTree(depth - 1, L.proposeFinal, L.pSharpFinalBeg, pSharpEnd, L.rhoFinal, L.pFinalBeg, pEnd, sign);
    if (Number.isNaN(weightFinal)) return NaN;

    // Uniform progressive sampling inside the subtree: take the second half's proposal with
    // probability w_final / (w_init + w_final).
    const weight = logSumExp(weightInit, weightFinal);
    if ((this.rng as SamplerRng).uniform() < Math.exp(weightFinal - weight)) propose.copyFrom(L.proposeFinal);

    // One pass for the three U-turn checks (Stan's): the whole subtree, and each half extended by
    // the neighbouring point of the other half (the seams); ρ of the subtree is added to the caller's.
    const { rhoInit, rhoFinal, pInitEnd, pFinalBeg, pSharpInitEnd, pSharpFinalBeg } = L;
    let plus = 0;
    let minus = 0;
    let initPlus = 0;
    let initMinus = 0;
    let finalPlus = 0;
    let finalMinus = 0;
    for (let i = 0; i < rho.length; i++) {
      const ri = rhoInit[i];
      const rf = rhoFinal[i];
      const r = ri + rf;
      rho[i] += r;
      plus += pSharpEnd[i] * r;
      minus += pSharpBeg[i] * r;
      const rInit = ri + pFinalBeg[i];
      initPlus += pSharpFinalBeg[i] * rInit;
      initMinus += pSharpBeg[i] * rInit;
      const rFinal = rf + pInitEnd[i];
      finalPlus += pSharpEnd[i] * rFinal;
      finalMinus += pSharpInitEnd[i] * rFinal;
    }
    const persist = initPlus > 0 && initMinus > 0 && finalPlus > 0 && finalMinus > 0 && plus > 0 && minus > 0;
    return persist ? weight : NaN;
  }
}

/** Creates a NUTS kernel for `target` (diagonal metric; multinomial; Stan's U-turn checks). */
export function nuts(target: Target, opts: NutsOptions = {}): Kernel {
  const d = opts.maxTreeDepth ?? 10;
  if (!Number.isInteger(d) || d < 1 || d > 30) {
    throw argError('E_ARG', 'maxTreeDepth', 'an integer in [1, 30]', describe(opts.maxTreeDepth), 'Stan uses 10; raise it only when many transitions hit the cap.');
  }
  const m = opts.maxDeltaH ?? 1000;
  if (!(m > 0)) {
    throw argError('E_ARG', 'maxDeltaH', 'a positive number', describe(opts.maxDeltaH), 'The usual divergence threshold is 1000.');
  }
  return new Nuts(target, opts);
}

/**
 * Full Laplace: the dense curvature over the subset, for nets or subsets up to a few thousand
 * parameters. Over the last layer it is Σₙ φφᵀ ⊗ Λₙ built from the features φ = ã with K² weighted
 * feature Gram products; over any other subset from the Jacobian rows ã⊗δ_c restricted to the subset,
 * accumulated in f64 (syrk).
 */
import { BdlError } from '../../errors.js';
import { runSteps, type Steps } from '../../diagnostics/steps.js';
import { rowsPerStep } from '../../posterior/yielding.js';
import { choleskySteps, inverseTransposeSteps } from '../../linalg/cholesky.js';
import { applyQSteps, tridiagonalEigenvalueSteps, tridiagonalSteps } from '../../linalg/eigh.js';
import { checkSize } from '../../linalg/memory.js';
import { share } from '../../linalg/work.js';
import { logdetAlongGroup, logdetAlongScale } from './full-logdet.js';
import type { Arena } from '../../wasm/arena.js';
import type { Linearization } from './engine.js';
import { covsByPosterior, type Accumulator, type Candidate, type CandidateCovs, type Factors, type Gaussian, type Structure, type Subset } from './types.js';
import * as exact from '../../random/exact-math.js';

/** Per layer of the subset: where its entries sit in the ã⊗δ outer product (row i, column j). */
function gatherPlan(sub: Subset, lin: Linearization) {
  let off = 0;
  return sub.layers.map((l, g) => {
    const ly = lin.layout.layers[l];
    const ii: number[] = [];
    const jj: number[] = [];
    for (let k = 0; k < sub.indices.length; k++) {
      if (sub.group[k] !== g) continue;
      const r = sub.indices[k] - ly.w;
      ii.push(Math.floor(r / ly.fanOut));
      jj.push(r % ly.fanOut);
    }
    const plan = { l, fanIn: ly.fanIn, fanOut: ly.fanOut, ii, jj, offset: off };
    off += ii.length;
    return plan;
  });
}

/** Writes the subset's Jacobian rows of output vector c (batch × d, f32) to `out`. */
function jacobianRows(arena: Arena, lin: Linearization, plan: ReturnType<typeof gatherPlan>, out: number, d: number, c: number, batch: number, idx: { ii: number; jj: number }[]): void {
  plan.forEach((p, g) => {
    arena.k.outer_gather_f32(out + 4 * p.offset, d, lin.aug(p.l), p.fanIn + 1, lin.delta(p.l, c), p.fanOut, batch, idx[g].ii, idx[g].jj, p.ii.length);
  });
}

function putPlan(arena: Arena, plan: ReturnType<typeof gatherPlan>) {
  return plan.map((p) => {
    const ii = arena.alloc(4 * Math.max(1, p.ii.length));
    const jj = arena.alloc(4 * Math.max(1, p.jj.length));
    new Int32Array(arena.memory.buffer, ii, p.ii.length).set(p.ii);
    new Int32Array(arena.memory.buffer, jj, p.jj.length).set(p.jj);
    return { ii, jj };
  });
}

function accumulator(sub: Subset, lin: Linearization, arena: Arena): Accumulator {
  const d = sub.indices.length;
  const B = lin.capacity;
  const k = arena.k;
  const H = arena.allocF64(d * d);
  const lastLayer = sub.kind === 'last-layer';
  if (lastLayer) {
    // Σₙ φφᵀ ⊗ Λₙ: block (a, b) is Φᵀ·diag(Λ[·,a,b])·Φ, one GEMM per output pair.
    const K = lin.layout.outputWidth;
    const l = sub.layers[0];
    const F = lin.layout.layers[l].fanIn + 1;
    const lam = arena.allocF32(B * K * K);
    const tmp = arena.allocF32(B * F);
    const blk = arena.allocF32(F * F);
    return {
      *add(lin, batch) {
        const L = arena.f32(lam, batch * K * K);
        L.fill(0);
        for (let c = 0; c < lin.C; c++) {
          const v = arena.f32(lin.delta(l, c), batch * K);
          for (let n = 0; n < batch; n++) {
            for (let a = 0; a < K; a++) {
              const va = v[n * K + a];
              if (va === 0) continue;
              for (let b = a; b < K; b++) L[(n * K + a) * K + b] += va * v[n * K + b];
            }
          }
        }
        for (let a = 0; a < K; a++) {
          for (let b = a; b < K; b++) {
            k.scale_rows_f32(tmp, lin.aug(l), lam + 4 * (a * K + b), K * K, batch, F);
            k.gemm_f32_tn(blk, lin.aug(l), tmp, F, F, batch, 0, arena.gemmWork);
            k.kron_scatter_add_f64(H, blk, F, K, a, b);
            yield;
          }
        }
      },
      finish: () => new FullFactors(arena, sub, arena.getF64(H, d * d)),
    };
  }
  const plan = gatherPlan(sub, lin);
  const idx = putPlan(arena, plan);
  const J = arena.allocF32(B * d);
  const J64 = arena.allocF64(B * d);
  // H += JᵀJ one column block of H at a time (a batch of 256 rows over 3,151 weights is ~2 s of
  // work): the blocks, then the mirror at the end, are the bits of one syrk per batch.
  const blocks = Math.ceil(d / k.syrk_f64_block());
  return {
    *add(lin, batch) {
      for (let c = 0; c < lin.C; c++) {
        jacobianRows(arena, lin, plan, J, d, c, batch, idx);
        k.f32_to_f64(J64, J, batch * d);
        for (let b = 0; b < blocks; b++) {
          k.syrk_f64_lower_add(H, J64, batch, d, 1, b, b + 1);
          yield;
        }
      }
    },
    finish: () => {
      k.mirror_lower_f64(H, d);
      return new FullFactors(arena, sub, arena.getF64(H, d * d));
    },
  };
}

/** Multiply-adds per step of the predictive's J·R: ~30 ms of the core's GEMM. */
const GEMM_STEP_WORK = 1 << 27;

/** How messages and errors name H. */
const NAME = 'full Laplace curvature';

/**
 * The blocked Cholesky's share of the posterior's time; the blocked triangular inverse, as many
 * multiply-adds, takes the rest (d = 3,151: 1.6 s and 1.2 s).
 */
const CHOLESKY_SHARE = 0.55;

class FullFactors implements Factors {
  private eigenvalues?: Float64Array;
  constructor(
    private readonly arena: Arena,
    private readonly sub: Subset,
    /** The curvature H, d×d. */
    readonly H: Float64Array,
  ) {}

  private get d(): number {
    return this.sub.indices.length;
  }

  private precision(prior: Float64Array, s: number): Float64Array {
    const d = this.d;
    const P = new Float64Array(d * d);
    for (let i = 0; i < d * d; i++) P[i] = s * this.H[i];
    for (let i = 0; i < d; i++) P[i * d + i] += prior[this.sub.group[i]];
    return P;
  }

  get prepared(): boolean {
    return this.eigenvalues !== undefined;
  }

  /** H's eigenvalues as steps (the O(d³) every one-prior log det shares), for a caller that yields: kept for `logdet`. */
  *prepareSteps(): Steps<void> {
    if (this.eigenvalues) return;
    const mark = this.arena.mark();
    try {
      // The reduction is O(d³), the QL iteration for the eigenvalues alone O(d²).
      const t = yield* share(tridiagonalSteps(this.arena, this.H, this.d, { name: NAME }), 0, 0.98);
      this.eigenvalues = yield* share(tridiagonalEigenvalueSteps(this.arena, t, NAME), 0.98, 1);
    } finally {
      this.arena.reset(mark);
    }
  }

  logdet(prior: Float64Array, s: number): number {
    return runSteps(this.logdetSteps(prior, s));
  }

  *logdetSteps(prior: Float64Array, s: number): Steps<number> {
    if (prior.every((p) => p === prior[0])) {
      // One prior precision: the eigenvalues of H, computed once, give every log det in O(d).
      yield* this.prepareSteps();
      let sum = 0;
      for (const e of this.eigenvalues!) {
        const v = s * e + prior[0];
        if (!(v > 0)) return NaN;
        sum += exact.log(v);
      }
      return sum;
    }
    try {
      yield;
      const P = this.precision(prior, s);
      yield;
      const { l } = yield* choleskySteps(this.arena, P, this.d, { jitter: false, name: 'full Laplace posterior precision' });
      let sum = 0;
      for (let i = 0; i < this.d; i++) sum += 2 * exact.log(l[i * this.d + i]);
      return sum;
    } catch (e) {
      if (e instanceof BdlError && e.code === 'E_NOT_PD') return NaN;
      throw e;
    }
  }

  /** d = 3,151: H's eigenvalues 5.0 s against the factorization's 2.8 s; a Cholesky (per-group priors) ~1.6 s. */
  evidenceShare(prior: Float64Array): number {
    if (!prior.every((p) => p === prior[0])) return 0.36;
    return this.prepared ? 0 : 0.64;
  }

  *logdetAlongPrior(prior: Float64Array, s: number, g: number): Steps<(lambda: number) => number> {
    // One group: the precision is s·H + λI, whose log det the cached eigenvalues of H give.
    if (this.sub.layers.length === 1) {
      yield* this.prepareSteps();
      return (lambda) => this.logdet(Float64Array.of(lambda), s);
    }
    return yield* logdetAlongGroup(this.arena, this.H, this.sub.group, prior, s, g);
  }

  *logdetAlongScale(prior: Float64Array): Steps<(s: number) => number> {
    if (prior.every((p) => p === prior[0])) {
      yield* this.prepareSteps();
      return (s) => this.logdet(prior, s);
    }
    return yield* logdetAlongScale(this.arena, this.H, this.sub.group, prior);
  }

  posterior(prior: Float64Array, s: number): Gaussian {
    return runSteps(this.posteriorSteps(prior, s));
  }

  /** The precision's factor L (stepwise Cholesky), then R = L⁻ᵀ (stepwise triangular inverse). */
  *posteriorSteps(prior: Float64Array, s: number): Steps<Gaussian> {
    const d = this.d;
    // Building P (d² values in JavaScript) apart from whatever ran before this first step.
    yield;
    const P = this.precision(prior, s);
    yield;
    const { l, jitter } = yield* share(choleskySteps(this.arena, P, d, { name: 'full Laplace posterior precision' }), 0, CHOLESKY_SHARE);
    // R = L⁻ᵀ, so R·Rᵀ = (L·Lᵀ)⁻¹ = Σ and a draw is R·z (not zᵀ·R, whose covariance is Rᵀ·R).
    const mark = this.arena.mark();
    let R: Float64Array;
    try {
      const pl = this.arena.putF64(l);
      const pr = this.arena.allocF64(d * d);
      yield; // the factor's copies (2 × 8d² bytes) apart from the inverse's first step
      yield* share(inverseTransposeSteps(this.arena, pr, pl, d), CHOLESKY_SHARE, 1);
      R = this.arena.getF64(pr, d * d);
    } finally {
      this.arena.reset(mark);
    }
    return new FullGaussian(this.arena, this.sub, R, jitter);
  }

  /**
   * One Householder reduction H = Q·T·Qᵀ (T tridiagonal; Q kept as reflectors, never formed) serves
   * every candidate of a uniform prior (the grid's): Σ = Q·(s·T + λI)⁻¹·Qᵀ, so per batch U_c = J_c·Q
   * is one pass of the reflectors for all candidates, and each candidate's (J Σ Jᵀ)[c, e] = y_cᵀ·D⁻¹·y_e
   * with s·T + λI = L·D·Lᵀ (bidiagonal L, O(d) once per candidate) and y_c = L⁻¹·u_c is O(C²·d) a row —
   * instead of a Cholesky and an inverse, O(d³), per candidate (d = 3,151: 273 × ~3 s), or the
   * eigenvectors (forming Q and rotating it: several times the reduction). The covariances are `posterior`'s
   * up to rounding; a candidate whose s·T + λI is not positive definite gives NaN. Per-group priors go
   * through each candidate's own factorization.
   */
  *candidateCovs(candidates: readonly Candidate[]): Steps<CandidateCovs> {
    if (!candidates.every((c) => c.prior.every((p) => p === c.prior[0]))) return yield* covsByPosterior(this, candidates);
    const d = this.d;
    const a = this.arena;
    const t = yield* tridiagonalSteps(a, this.H, d, { name: NAME });
    // The evidence after the search (logdet) needs H's eigenvalues: from this T, the bits of eigvalsh(H).
    this.eigenvalues ??= yield* tridiagonalEigenvalueSteps(a, t, NAME);
    const ldl = candidates.map(({ prior, s }) => tridiagonalLdl(t.d, t.e, s, prior[0]));
    const sub = this.sub;
    return function* (this: void, lin, batch) {
      const C = lin.C;
      const covs = candidates.map(() => new Float64Array(batch * C * C));
      const mark = a.mark();
      try {
        const plan = gatherPlan(sub, lin);
        const idx = putPlan(a, plan);
        const J = a.allocF32(batch * d);
        const U = a.allocF64(C * batch * d);
        for (let c = 0; c < C; c++) {
          jacobianRows(a, lin, plan, J, d, c, batch, idx);
          a.k.f32_to_f64(U + 8 * c * batch * d, J, batch * d);
        }
        yield* applyQSteps(a, t, U, C * batch);
        const y = new Float64Array(C * d);
        for (let i = 0; i < candidates.length; i++) {
          // A view made after the last yield (the arena's memory may grow between steps).
          const u = a.f64(U, C * batch * d);
          const f = ldl[i];
          const cov = covs[i];
          if (!f) {
            cov.fill(NaN);
            continue;
          }
          const { pivot, mult } = f;
          for (let n = 0; n < batch; n++) {
            for (let c = 0; c < C; c++) {
              // y_c = L⁻¹·u_c (unit lower bidiagonal).
              const o = (c * batch + n) * d;
              let prev = u[o];
              y[c * d] = prev;
              for (let k = 1; k < d; k++) y[c * d + k] = prev = u[o + k] - mult[k] * prev;
              for (let e = 0; e <= c; e++) {
                let sum = 0;
                for (let k = 0; k < d; k++) sum += (y[c * d + k] * y[e * d + k]) / pivot[k];
                cov[(n * C + c) * C + e] = sum;
                cov[(n * C + e) * C + c] = sum;
              }
            }
          }
          yield;
        }
      } finally {
        a.reset(mark);
      }
      return covs;
    };
  }

  arrays(): Record<string, Float64Array> {
    return { H: this.H };
  }
}

class FullGaussian implements Gaussian {
  constructor(
    private readonly arena: Arena,
    private readonly sub: Subset,
    private readonly R: Float64Array,
    readonly jitter: number,
  ) {}

  sample(z: Float64Array): Float64Array {
    const d = z.length;
    const x = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = i; j < d; j++) s += this.R[i * d + j] * z[j];
      x[i] = s;
    }
    return x;
  }

  outputCov(lin: Linearization, batch: number): Float64Array {
    return runSteps(this.outputCovSteps(lin, batch));
  }

  /**
   * V_c = J_c·R a few rows at a time (R upper triangular: the GEMM skips its zero half; rows in
   * multiples of 4 keep the bits of one GEMM), then (J Σ Jᵀ)[c, e] = ⟨V_c row, V_e row⟩ per example.
   * A batch of 256 rows over 3,010 weights and 10 classes is ~23 GFLOP: seconds without a step.
   */
  *outputCovSteps(lin: Linearization, batch: number): Steps<Float64Array> {
    const d = this.sub.indices.length;
    const C = lin.C;
    const a = this.arena;
    const cov = new Float64Array(batch * C * C);
    const mark = a.mark();
    try {
      const plan = gatherPlan(this.sub, lin);
      const idx = putPlan(a, plan);
      const J = a.allocF32(batch * d);
      const J64 = a.allocF64(batch * d);
      const pr = a.putF64(this.R);
      const V = a.allocF64(C * batch * d);
      // Rows per step: a multiple of 4 at about GEMM_STEP_WORK multiply-adds (a row of J·R is ~d²/2 of
      // them). Fewer rows per call stream R more often: d = 3,010, 256 rows: 4 a call 821 ms, 32 259 ms, all 234 ms.
      const rows = 4 * Math.max(1, Math.floor(GEMM_STEP_WORK / (2 * d * d)));
      for (let c = 0; c < C; c++) {
        jacobianRows(a, lin, plan, J, d, c, batch, idx);
        a.k.f32_to_f64(J64, J, batch * d);
        for (let r = 0; r < batch; r += rows) {
          a.k.gemm_f64_nn_upper_rows(V + 8 * c * batch * d, J64, pr, batch, d, d, r, Math.min(batch, r + rows));
          yield;
        }
      }
      const perStep = rowsPerStep(C * C * d);
      for (let n = 0; n < batch; n++) {
        // A view made after the last yield (the arena's memory may grow between steps).
        const v = a.f64(V, C * batch * d);
        for (let c = 0; c < C; c++) {
          for (let e = 0; e <= c; e++) {
            let s = 0;
            const oc = (c * batch + n) * d;
            const oe = (e * batch + n) * d;
            for (let k = 0; k < d; k++) s += v[oc + k] * v[oe + k];
            cov[(n * C + c) * C + e] = s;
            cov[(n * C + e) * C + c] = s;
          }
        }
        if ((n + 1) % perStep === 0) yield;
      }
    } finally {
      a.reset(mark);
    }
    return cov;
  }

  variances(): Float64Array {
    const d = this.sub.indices.length;
    const v = new Float64Array(d);
    for (let i = 0; i < d; i++) for (let j = i; j < d; j++) v[i] += this.R[i * d + j] ** 2;
    return v;
  }
}

export const full: Structure = {
  name: 'full',
  check(sub, _sizes, budget) {
    // H, the precision and its factor (and R) are dense d×d f64 matrices.
    checkSize(sub.indices.length, 8, 'full Laplace precision', { matrices: 4, budget });
  },
  accumulator,
  restore: (sub, _lin, arena, arrays) => new FullFactors(arena, sub, arrays.H),
};

/**
 * s·T + λI = L·D·Lᵀ for T tridiagonal (diagonal d, off-diagonal e): the pivots D and L's subdiagonal
 * (mult[k] = L[k][k−1]), or undefined when a pivot is not positive (not positive definite).
 */
function tridiagonalLdl(d: Float64Array, e: Float64Array, s: number, lambda: number): { pivot: Float64Array; mult: Float64Array } | undefined {
  const n = d.length;
  const pivot = new Float64Array(n);
  const mult = new Float64Array(n);
  pivot[0] = s * d[0] + lambda;
  if (!(pivot[0] > 0)) return undefined;
  for (let k = 1; k < n; k++) {
    const off = s * e[k - 1];
    mult[k] = off / pivot[k - 1];
    pivot[k] = s * d[k] + lambda - mult[k] * off;
    if (!(pivot[k] > 0)) return undefined;
  }
  return { pivot, mult };
}

/**
 * KFAC Laplace (Ritter et al. 2018): per layer H ≈ A ⊗ G with A = E[ããᵀ] over examples and
 * G = Σₙ Σ_c δ_c δ_cᵀ. Both factors are eigendecomposed once (A = Q_A α Q_Aᵀ, G = Q_G γ Q_Gᵀ), so the
 * posterior precision s·A⊗G + λI = (Q_A⊗Q_G)(s·α⊗γ + λ)(Q_A⊗Q_G)ᵀ follows for any prior precision λ
 * and likelihood scale s without refactoring.
 */
import { argError } from '../../errors.js';
import { eigh } from '../../linalg/eigh.js';
import { checkSize } from '../../linalg/memory.js';
import type { Steps } from '../../diagnostics/steps.js';
import type { Arena } from '../../wasm/arena.js';
import type { Linearization } from './engine.js';
import { covsByPosterior, type Accumulator, type Candidate, type CandidateCovs, type Factors, type Gaussian, type Structure, type Subset } from './types.js';
import { shiftedLogdet } from './shifted-logdet.js';
import * as exact from '../../random/exact-math.js';

interface LayerEig {
  l: number;
  /** Rows (fanIn + 1) and columns (fanOut) of the layer's parameter block. */
  m: number;
  n: number;
  alpha: Float64Array;
  qa: Float64Array;
  gamma: Float64Array;
  qg: Float64Array;
}

function accumulator(sub: Subset, lin: Linearization, arena: Arena): Accumulator {
  const k = arena.k;
  const acc = sub.layers.map((l) => {
    const ly = lin.layout.layers[l];
    const m = ly.fanIn + 1;
    const n = ly.fanOut;
    return { l, m, n, A: new Float64Array(m * m), G: new Float64Array(n * n), a32: arena.allocF32(m * m), g32: arena.allocF32(n * n) };
  });
  return {
    *add(lin, batch) {
      for (const f of acc) {
        // Per batch in f32 (GEMM), summed over batches in f64.
        k.gemm_f32_tn(f.a32, lin.aug(f.l), lin.aug(f.l), f.m, f.m, batch, 0, arena.gemmWork);
        for (let c = 0; c < lin.C; c++) k.gemm_f32_tn(f.g32, lin.delta(f.l, c), lin.delta(f.l, c), f.n, f.n, batch, c === 0 ? 0 : 1, arena.gemmWork);
        const a = arena.f32(f.a32, f.m * f.m);
        for (let i = 0; i < a.length; i++) f.A[i] += a[i];
        const g = arena.f32(f.g32, f.n * f.n);
        for (let i = 0; i < g.length; i++) f.G[i] += g[i];
        yield;
      }
    },
    finish(nSeen) {
      const arrays: Record<string, Float64Array> = {};
      acc.forEach((f, g) => {
        for (let i = 0; i < f.A.length; i++) f.A[i] /= nSeen;
        arrays[`A${g}`] = f.A;
        arrays[`G${g}`] = f.G;
      });
      return restore(sub, lin, arena, arrays);
    },
  };
}

function restore(sub: Subset, lin: Linearization, arena: Arena, arrays: Record<string, Float64Array>): Factors {
  const eigs = sub.layers.map((l, g): LayerEig => {
    const ly = lin.layout.layers[l];
    const m = ly.fanIn + 1;
    const n = ly.fanOut;
    const ea = eigh(arena, arrays[`A${g}`], m, { name: `KFAC factor A of layer ${l}` });
    const eg = eigh(arena, arrays[`G${g}`], n, { name: `KFAC factor G of layer ${l}` });
    // Both factors are PSD by construction: clamp rounding-level negative eigenvalues to 0.
    return { l, m, n, alpha: ea.values.map((v) => Math.max(v, 0)), qa: ea.vectors, gamma: eg.values.map((v) => Math.max(v, 0)), qg: eg.vectors };
  });
  return new KronFactors(arena, eigs, arrays);
}

class KronFactors implements Factors {
  constructor(
    private readonly arena: Arena,
    private readonly eigs: LayerEig[],
    private readonly saved: Record<string, Float64Array>,
  ) {}

  logdet(prior: Float64Array, s: number): number {
    let sum = 0;
    this.eigs.forEach((e, g) => {
      for (const a of e.alpha) for (const c of e.gamma) sum += exact.log(s * a * c + prior[g]);
    });
    return sum;
  }

  /** The log det is a sum over layers: layer g's s·αᵢγⱼ are formed once, the other layers' terms summed once. */
  *logdetAlongPrior(prior: Float64Array, s: number, g: number): Steps<(lambda: number) => number> {
    let rest = 0;
    this.eigs.forEach((e, k) => {
      if (k !== g) for (const a of e.alpha) for (const c of e.gamma) rest += exact.log(s * a * c + prior[k]);
    });
    const { alpha, gamma } = this.eigs[g];
    const sac = new Float64Array(alpha.length * gamma.length);
    alpha.forEach((a, i) => gamma.forEach((c, j) => (sac[i * gamma.length + j] = s * a * c)));
    return shiftedLogdet(rest, sac);
  }

  *logdetAlongScale(prior: Float64Array): Steps<(s: number) => number> {
    return (s) => this.logdet(prior, s);
  }

  *logdetSteps(prior: Float64Array, s: number): Steps<number> {
    return this.logdet(prior, s);
  }

  /** Its log dets are cheap. */
  evidenceShare(): number {
    return 0;
  }

  posterior(prior: Float64Array, s: number): Gaussian {
    if (prior.some((p) => !(p > 0))) throw argError('E_ARG', 'priorPrecision', 'a positive prior precision for KFAC', Array.from(prior).join(', '), 'KFAC posteriors need λ > 0 (its factors may be singular).');
    return new KronGaussian(this.arena, this.eigs, prior, s);
  }

  /** Nothing here takes long enough to need steps: one step. */
  *posteriorSteps(prior: Float64Array, s: number): Steps<Gaussian> {
    return this.posterior(prior, s);
  }

  /** Its log dets need no shared factorization. */
  *prepareSteps(): Steps<void> {}
  readonly prepared = true;

  /** Each candidate's Gaussian is cheap (no factorization): built once each. */
  candidateCovs(candidates: readonly Candidate[]): Steps<CandidateCovs> {
    return covsByPosterior(this, candidates);
  }

  arrays(): Record<string, Float64Array> {
    return this.saved;
  }
}

class KronGaussian implements Gaussian {
  readonly jitter = 0;
  /** Per layer: 1/(s·αᵢγⱼ + λ), m×n. */
  private readonly dinv: Float64Array[];
  constructor(
    private readonly arena: Arena,
    private readonly eigs: LayerEig[],
    prior: Float64Array,
    s: number,
  ) {
    this.dinv = eigs.map((e, g) => {
      const out = new Float64Array(e.m * e.n);
      for (let i = 0; i < e.m; i++) for (let j = 0; j < e.n; j++) out[i * e.n + j] = 1 / (s * e.alpha[i] * e.gamma[j] + prior[g]);
      return out;
    });
  }

  /** Per layer: Δ = Q_A·(Z ⊙ D^{-1/2})·Q_Gᵀ, i.e. (Q_A⊗Q_G)·D^{-1/2}·vec Z. */
  sample(z: Float64Array): Float64Array {
    const x = new Float64Array(z.length);
    let off = 0;
    this.eigs.forEach((e, g) => {
      const { m, n, qa, qg } = e;
      const M = new Float64Array(m * n);
      for (let i = 0; i < m * n; i++) M[i] = z[off + i] * Math.sqrt(this.dinv[g][i]);
      const T = new Float64Array(m * n); // Q_A·M
      for (let i = 0; i < m; i++) for (let k = 0; k < m; k++) {
        const q = qa[i * m + k];
        if (q === 0) continue;
        for (let j = 0; j < n; j++) T[i * n + j] += q * M[k * n + j];
      }
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += T[i * n + k] * qg[j * n + k];
        x[off + i * n + j] = s;
      }
      off += m * n;
    });
    return x;
  }

  /**
   * Per example and layer: with u = Q_Aᵀã and w_c = Q_Gᵀδ_c, (J Σ Jᵀ)[c, e] = Σⱼ w_cⱼ w_eⱼ tⱼ where
   * t = (u ⊙ u)ᵀ·D⁻¹: three GEMMs per layer over the batch.
   */
  *outputCovSteps(lin: Linearization, batch: number): Steps<Float64Array> {
    return this.outputCov(lin, batch);
  }

  outputCov(lin: Linearization, batch: number): Float64Array {
    const a = this.arena;
    const k = a.k;
    const C = lin.C;
    const mark = a.mark();
    try {
      const cov = a.allocF64(batch * C * C);
      this.eigs.forEach((e, g) => {
        const { m, n } = e;
        const qa = a.putF32(e.qa);
        const qg = a.putF32(e.qg);
        const dinv = a.putF32(this.dinv[g]);
        const U = a.allocF32(batch * m);
        const T = a.allocF32(batch * n);
        const W = a.allocF32(C * batch * n);
        k.gemm_f32_nn(U, lin.aug(e.l), qa, batch, m, m, 0, a.gemmWork);
        k.mul_f32(U, U, U, batch * m);
        k.gemm_f32_nn(T, U, dinv, batch, n, m, 0, a.gemmWork);
        for (let c = 0; c < C; c++) k.gemm_f32_nn(W + 4 * c * batch * n, lin.delta(e.l, c), qg, batch, n, n, 0, a.gemmWork);
        k.glm_cov_add_f64(cov, W, T, batch, n, C);
      });
      return a.getF64(cov, batch * C * C);
    } finally {
      a.reset(mark);
    }
  }

  variances(): Float64Array {
    const parts = this.eigs.map((e, g) => {
      const { m, n, qa, qg } = e;
      const out = new Float64Array(m * n);
      // Σ[(i,j),(i,j)] = Σ_{k,l} Q_A[i,k]² D⁻¹[k,l] Q_G[j,l]².
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
        let s = 0;
        for (let kk = 0; kk < m; kk++) {
          const q = qa[i * m + kk] ** 2;
          for (let l = 0; l < n; l++) s += q * this.dinv[g][kk * n + l] * qg[j * n + l] ** 2;
        }
        out[i * n + j] = s;
      }
      return out;
    });
    const total = new Float64Array(parts.reduce((s, p) => s + p.length, 0));
    let off = 0;
    for (const p of parts) {
      total.set(p, off);
      off += p.length;
    }
    return total;
  }
}

export const kron: Structure = {
  name: 'kron',
  check(sub, sizes, budget) {
    for (const l of sub.layers) {
      checkSize(sizes[l].fanIn + 1, 8, `KFAC factor A of layer ${l}`, { matrices: 3, budget });
      checkSize(sizes[l].fanOut, 8, `KFAC factor G of layer ${l}`, { matrices: 3, budget });
    }
  },
  accumulator,
  restore,
};

/**
 * Diagonal Laplace: diag H per layer is (ã ⊙ ã)ᵀ·Σ_c (δ_c ⊙ δ_c) summed over examples (one GEMM per
 * batch, exact for the GGN or empirical Fisher diagonal); parameters outside the subset keep zero
 * variance.
 */
import { argError } from '../../errors.js';
import type { Steps } from '../../diagnostics/steps.js';
import type { Arena } from '../../wasm/arena.js';
import type { Linearization } from './engine.js';
import { covsByPosterior, type Accumulator, type Candidate, type CandidateCovs, type Factors, type Gaussian, type Structure, type Subset } from './types.js';
import { shiftedLogdet } from './shifted-logdet.js';
import * as exact from '../../random/exact-math.js';

/** Where each subset coordinate sits in its layer's (fanIn+1)×fanOut block. */
function offsets(sub: Subset, lin: Linearization): Int32Array {
  return Int32Array.from(sub.indices, (i, k) => i - lin.layout.layers[sub.layers[sub.group[k]]].w);
}

function accumulator(sub: Subset, lin: Linearization, arena: Arena): Accumulator {
  const k = arena.k;
  const B = lin.capacity;
  const acc = sub.layers.map((l) => {
    const ly = lin.layout.layers[l];
    const m = ly.fanIn + 1;
    const n = ly.fanOut;
    return { l, m, n, D: new Float64Array(m * n), d32: arena.allocF32(m * n), a2: arena.allocF32(B * m), s: arena.allocF32(B * n), t: arena.allocF32(B * n) };
  });
  return {
    *add(lin, batch) {
      for (const f of acc) {
        k.mul_f32(f.a2, lin.aug(f.l), lin.aug(f.l), batch * f.m);
        k.mul_f32(f.s, lin.delta(f.l, 0), lin.delta(f.l, 0), batch * f.n);
        for (let c = 1; c < lin.C; c++) {
          k.mul_f32(f.t, lin.delta(f.l, c), lin.delta(f.l, c), batch * f.n);
          k.axpy_f32(f.s, 1, f.t, batch * f.n);
        }
        k.gemm_f32_tn(f.d32, f.a2, f.s, f.m, f.n, batch, 0, arena.gemmWork);
        const d = arena.f32(f.d32, f.m * f.n);
        for (let i = 0; i < d.length; i++) f.D[i] += d[i];
        yield;
      }
    },
    finish() {
      const off = offsets(sub, lin);
      const h = Float64Array.from(sub.indices, (_, j) => acc[sub.group[j]].D[off[j]]);
      return new DiagFactors(arena, sub, lin, h);
    },
  };
}

class DiagFactors implements Factors {
  constructor(
    private readonly arena: Arena,
    private readonly sub: Subset,
    private readonly lin: Linearization,
    /** diag H over the subset. */
    readonly h: Float64Array,
  ) {}

  logdet(prior: Float64Array, s: number): number {
    let sum = 0;
    for (let i = 0; i < this.h.length; i++) sum += exact.log(s * this.h[i] + prior[this.sub.group[i]]);
    return sum;
  }

  /** The log det is a sum over coordinates: group g's terms are summed per λ_g, the rest once. */
  *logdetAlongPrior(prior: Float64Array, s: number, g: number): Steps<(lambda: number) => number> {
    const mine: number[] = [];
    let rest = 0;
    for (let i = 0; i < this.h.length; i++) {
      if (this.sub.group[i] === g) mine.push(s * this.h[i]);
      else rest += exact.log(s * this.h[i] + prior[this.sub.group[i]]);
    }
    return shiftedLogdet(rest, Float64Array.from(mine));
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
    const v = Float64Array.from(this.h, (h, i) => 1 / (s * h + prior[this.sub.group[i]]));
    if (v.some((x) => !(x > 0 && Number.isFinite(x)))) throw argError('E_ARG', 'priorPrecision', 'a positive prior precision for a diagonal Laplace', Array.from(prior).join(', '), 'Use λ > 0.');
    return new DiagGaussian(this.arena, this.sub, this.lin, v);
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
    return { h: this.h };
  }
}

class DiagGaussian implements Gaussian {
  readonly jitter = 0;
  constructor(
    private readonly arena: Arena,
    private readonly sub: Subset,
    private readonly lin: Linearization,
    private readonly v: Float64Array,
  ) {}

  sample(z: Float64Array): Float64Array {
    return Float64Array.from(z, (x, i) => x * Math.sqrt(this.v[i]));
  }

  /** Per layer: t = (ã ⊙ ã)ᵀ-weighted variances, (J Σ Jᵀ)[c, e] = Σⱼ δ_cⱼ δ_eⱼ tⱼ. */
  *outputCovSteps(lin: Linearization, batch: number): Steps<Float64Array> {
    return this.outputCov(lin, batch);
  }

  outputCov(lin: Linearization, batch: number): Float64Array {
    const a = this.arena;
    const k = a.k;
    const C = lin.C;
    const off = offsets(this.sub, this.lin);
    const mark = a.mark();
    try {
      const cov = a.allocF64(batch * C * C);
      this.sub.layers.forEach((l, g) => {
        const ly = lin.layout.layers[l];
        const m = ly.fanIn + 1;
        const n = ly.fanOut;
        const V = new Float32Array(m * n);
        for (let j = 0; j < this.v.length; j++) if (this.sub.group[j] === g) V[off[j]] = this.v[j];
        const pv = a.putF32(V);
        const A2 = a.allocF32(batch * m);
        const T = a.allocF32(batch * n);
        const W = a.allocF32(C * batch * n);
        k.mul_f32(A2, lin.aug(l), lin.aug(l), batch * m);
        k.gemm_f32_nn(T, A2, pv, batch, n, m, 0, a.gemmWork);
        for (let c = 0; c < C; c++) a.f32(W + 4 * c * batch * n, batch * n).set(a.f32(lin.delta(l, c), batch * n));
        k.glm_cov_add_f64(cov, W, T, batch, n, C);
      });
      return a.getF64(cov, batch * C * C);
    } finally {
      a.reset(mark);
    }
  }

  variances(): Float64Array {
    return this.v.slice();
  }
}

export const diag: Structure = {
  name: 'diag',
  check() {},
  accumulator,
  restore: (sub, lin, arena, arrays) => new DiagFactors(arena, sub, lin, arrays.h),
};

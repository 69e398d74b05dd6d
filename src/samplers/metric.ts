/**
 * The Euclidean metric of the Hamiltonian: diagonal (M⁻¹ = diag(invMetric)) or dense (M⁻¹ = L·Lᵀ,
 * L the lower Cholesky factor of the adapted posterior covariance, row-major n×n). With the dense
 * metric, momenta are p = L⁻ᵀz for z ~ N(0, I) (so Cov p = (LLᵀ)⁻¹ = M), the kinetic energy is
 * ½·|Lᵀp|² and the velocity is M⁻¹p = L(Lᵀp): O(n²) each, no inverse ever formed.
 *
 * `auto` decides per metric window from the estimated correlations (see `prefersDense`).
 */

/** How the inverse metric is shaped: the option, and what `auto` resolves to. */
export type MetricKind = 'diag' | 'dense' | 'auto';

/** `auto` considers a dense metric only up to this dimension: beyond it the O(n²) per step competes with the gradient. */
export const AUTO_DENSE_MAX_DIM = 100;

/** `auto` judges a window only when it holds at least this many draws per dimension (fewer: the correlations are noise). */
export const AUTO_MIN_DRAWS_PER_DIM = 4;

/** `auto` picks dense when some parameter's variance inflation factor reaches this (R² ≥ 0.9 on the others). */
export const AUTO_VIF = 10;

/** w = Lᵀp for the lower factor L (row-major n×n). */
function mulLt(w: Float64Array, l: Float64Array, p: ArrayLike<number>, n: number): void {
  w.fill(0);
  for (let i = 0; i < n; i++) {
    const pi = p[i];
    const row = i * n;
    for (let j = 0; j <= i; j++) w[j] += l[row + j] * pi;
  }
}

/** The operations of a dense metric M⁻¹ = LLᵀ, over its lower Cholesky factor L (row-major n×n). */
export class DenseMetric {
  private readonly w: Float64Array;

  constructor(readonly l: Float64Array, readonly n: number) {
    this.w = new Float64Array(n);
  }

  /** Turns standard normals `p` into momenta p = L⁻ᵀz in place (back substitution with Lᵀ). */
  momentumFromNormals(p: Float64Array): void {
    const { l, n } = this;
    for (let i = n - 1; i >= 0; i--) {
      let s = p[i];
      for (let k = i + 1; k < n; k++) s -= l[k * n + i] * p[k];
      p[i] = s / l[i * n + i];
    }
  }

  /** ½·pᵀM⁻¹p = ½·|Lᵀp|². */
  kinetic(p: ArrayLike<number>): number {
    const { w } = this;
    mulLt(w, this.l, p, this.n);
    let k = 0;
    for (let j = 0; j < this.n; j++) k += w[j] * w[j];
    return 0.5 * k;
  }

  /** out = M⁻¹p = L(Lᵀp); `out` may not alias `p`. */
  velocity(out: Float64Array, p: ArrayLike<number>): void {
    const { w, l, n } = this;
    mulLt(w, l, p, n);
    for (let i = 0; i < n; i++) {
      const row = i * n;
      let s = 0;
      for (let j = 0; j <= i; j++) s += l[row + j] * w[j];
      out[i] = s;
    }
  }
}

/**
 * The largest variance inflation factor of covariance C (n×n) from C⁻¹: VIF_i = C_ii·(C⁻¹)_ii =
 * 1/(1 − R²_i), R²_i the share of parameter i's variance explained linearly by the others. It bounds
 * the condition number of the correlation matrix from below — the factor by which a diagonal metric
 * leaves the posterior ill-conditioned.
 */
export function maxVif(cov: ArrayLike<number>, covInv: ArrayLike<number>, n: number): number {
  let m = 1;
  for (let i = 0; i < n; i++) {
    const v = cov[i * n + i] * covInv[i * n + i];
    if (v > m) m = v;
  }
  return m;
}

/**
 * The `auto` rule: a dense metric when the dimension is at most AUTO_DENSE_MAX_DIM, the closing window
 * holds at least AUTO_MIN_DRAWS_PER_DIM draws per dimension, and the window's largest variance
 * inflation factor is at least AUTO_VIF; otherwise the diagonal.
 */
export function prefersDense(n: number, windowDraws: number, vif: number): boolean {
  return n <= AUTO_DENSE_MAX_DIM && windowDraws >= AUTO_MIN_DRAWS_PER_DIM * n && vif >= AUTO_VIF;
}

// Laplace curvature and predictive kernels: the small reshapes and weighted products around the GEMMs
// (the GEMMs themselves are blas/gemm), so no per-example Jacobian of the whole net is ever formed.

/** out (m × (n+1)) = [a | 1]: a layer's input with the bias column appended (ã = [a; 1]). */
export function append_ones_f32(out: usize, a: usize, m: i32, n: i32): void {
  const w = n + 1;
  for (let r = 0; r < m; r++) {
    memory.copy(out + (<usize>(r * w) << 2), a + (<usize>(r * n) << 2), <usize>n << 2);
    store<f32>(out + (<usize>(r * w + n) << 2), 1.0);
  }
}

/**
 * Rows of a layer's Jacobian restricted to chosen parameters: out[r·ldo + k] = a[r·lda + ii[k]] ·
 * d[r·ldd + jj[k]] for k < count (ii, jj i32 index arrays; entry (i, j) of the ã⊗δ outer product).
 */
export function outer_gather_f32(out: usize, ldo: i32, a: usize, lda: i32, d: usize, ldd: i32, m: i32, ii: usize, jj: usize, count: i32): void {
  for (let r = 0; r < m; r++) {
    const ar = a + (<usize>(r * lda) << 2);
    const dr = d + (<usize>(r * ldd) << 2);
    const o = out + (<usize>(r * ldo) << 2);
    for (let k = 0; k < count; k++) {
      const i = load<i32>(ii + (<usize>k << 2));
      const j = load<i32>(jj + (<usize>k << 2));
      store<f32>(o + (<usize>k << 2), load<f32>(ar + (<usize>i << 2)) * load<f32>(dr + (<usize>j << 2)));
    }
  }
}

/** out[r, :] = a[r, :] · s[r·stride] (rows of an m×n matrix weighted, e.g. features by Λ[a,b]). */
export function scale_rows_f32(out: usize, a: usize, s: usize, stride: i32, m: i32, n: i32): void {
  for (let r = 0; r < m; r++) {
    const w = load<f32>(s + (<usize>(r * stride) << 2));
    const ar = a + (<usize>(r * n) << 2);
    const o = out + (<usize>(r * n) << 2);
    for (let j = 0; j < n; j++) store<f32>(o + (<usize>j << 2), load<f32>(ar + (<usize>j << 2)) * w);
  }
}

/**
 * Adds the symmetric block M (n×n, f32) of output pair (a, b) into the last-layer GGN H ((n·K)², f64)
 * whose parameter (i, c) sits at i·K + c: H[iK+a, jK+b] += M[i,j] and, for a ≠ b, H[iK+b, jK+a] += M[i,j].
 */
export function kron_scatter_add_f64(h: usize, blk: usize, n: i32, K: i32, a: i32, b: i32): void {
  const d = n * K;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = <f64>load<f32>(blk + (<usize>(i * n + j) << 2));
      const p = h + (<usize>((i * K + a) * d + j * K + b) << 3);
      store<f64>(p, load<f64>(p) + v);
      if (a != b) {
        const q = h + (<usize>((i * K + b) * d + j * K + a) << 3);
        store<f64>(q, load<f64>(q) + v);
      }
    }
  }
}

/** out[i·n + j] = 1 / (s·α_i·γ_j + λ) in f32: the KFAC posterior variances in the eigenbasis (α, γ f64). */
export function kron_inv_eig_f32(out: usize, alpha: usize, gamma: usize, m: i32, n: i32, s: f64, lambda: f64): void {
  for (let i = 0; i < m; i++) {
    const a = s * load<f64>(alpha + (<usize>i << 3));
    for (let j = 0; j < n; j++) {
      store<f32>(out + (<usize>(i * n + j) << 2), <f32>(1.0 / (a * load<f64>(gamma + (<usize>j << 3)) + lambda)));
    }
  }
}

/**
 * Output covariance of the linearized predictive, accumulated per example: out[r][c][e] (m×C×C, f64)
 * += Σ_j w[c][r][j] · w[e][r][j] · t[r][j], with w holding C matrices of m×n and t m×n.
 */
export function glm_cov_add_f64(out: usize, w: usize, t: usize, m: i32, n: i32, C: i32): void {
  const plane = <usize>(m * n) << 2;
  for (let r = 0; r < m; r++) {
    const tr = t + (<usize>(r * n) << 2);
    for (let c = 0; c < C; c++) {
      const wc = w + <usize>c * plane + (<usize>(r * n) << 2);
      for (let e = 0; e <= c; e++) {
        const we = w + <usize>e * plane + (<usize>(r * n) << 2);
        let s: f64 = 0;
        for (let j = 0; j < n; j++) {
          const o = <usize>j << 2;
          s += <f64>load<f32>(wc + o) * <f64>load<f32>(we + o) * <f64>load<f32>(tr + o);
        }
        const p = out + (<usize>((r * C + c) * C + e) << 3);
        store<f64>(p, load<f64>(p) + s);
        if (e != c) {
          const q = out + (<usize>((r * C + e) * C + c) << 3);
          store<f64>(q, load<f64>(q) + s);
        }
      }
    }
  }
}

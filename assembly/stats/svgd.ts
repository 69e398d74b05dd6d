// Stein variational gradient descent (Liu & Wang 2016): the pairwise parts over K particles of
// dimension P, stored row-major as a K×P matrix Θ. The particle-by-particle work (gradients) stays in
// the network engine; these kernels are the O(K²·P) coupling between particles.

import { gemm_f32_nn, gemm_f32_nt } from '../blas/gemm';

/**
 * d[i,j] = ‖θᵢ − θⱼ‖² (K×K) from one Gram product Θ·Θᵀ: ‖θᵢ‖² + ‖θⱼ‖² − 2θᵢ·θⱼ, clamped at 0 (the
 * expansion can round slightly negative for near-equal particles); the diagonal is exactly 0.
 */
export function svgd_sqdist_f32(d: usize, theta: usize, k: i32, p: i32, work: usize): void {
  gemm_f32_nt(d, theta, theta, k, k, p, 0, work);
  // Off-diagonal entries first: they read the diagonal, which is zeroed only afterwards.
  for (let i = 0; i < k; i++) {
    const gii = load<f32>(d + ((<usize>(i * k + i)) << 2));
    for (let j = 0; j < k; j++) {
      if (i == j) continue;
      const gjj = load<f32>(d + ((<usize>(j * k + j)) << 2));
      const o = d + ((<usize>(i * k + j)) << 2);
      store<f32>(o, max<f32>(0, gii + gjj - 2 * load<f32>(o)));
    }
  }
  for (let i = 0; i < k; i++) store<f32>(d + ((<usize>(i * k + i)) << 2), 0);
}

/** RBF kernel matrix kmat[i,j] = exp(−d[i,j]·inv_h) (kmat may equal d). */
export function svgd_kernel_f32(kmat: usize, d: usize, k: i32, inv_h: f32): void {
  const n = k * k;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(kmat + o, <f32>Math.exp(-<f64>load<f32>(d + o) * <f64>inv_h));
  }
}

/**
 * The Stein direction φ (K×P) for the RBF kernel k(a,b) = exp(−‖a−b‖²·inv_h):
 *   φᵢ = (1/K) Σⱼ [kᵢⱼ·sⱼ + ∇_θⱼ k(θⱼ,θᵢ)],  ∇_θⱼ k(θⱼ,θᵢ) = 2·inv_h·kᵢⱼ·(θᵢ − θⱼ),
 * so  K·φ = Kmat·(S − 2·inv_h·Θ) + 2·inv_h·diag(Σⱼ kᵢⱼ)·Θ  — one GEMM plus a row scaling.
 * `score` (K×P, sⱼ = ∇log p(θⱼ)) is overwritten with S − 2·inv_h·Θ.
 */
export function svgd_phi_f32(phi: usize, kmat: usize, score: usize, theta: usize, k: i32, p: i32, inv_h: f32, work: usize): void {
  const c: f32 = 2 * inv_h;
  const n = k * p;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(score + o, load<f32>(score + o) - c * load<f32>(theta + o));
  }
  gemm_f32_nn(phi, kmat, score, k, p, k, 0, work);
  const invK: f32 = 1 / <f32>k;
  for (let i = 0; i < k; i++) {
    let r: f32 = 0;
    for (let j = 0; j < k; j++) r += load<f32>(kmat + ((<usize>(i * k + j)) << 2));
    const a: f32 = c * r;
    const row = <usize>(i * p) << 2;
    for (let q = 0; q < p; q++) {
      const o = row + (<usize>q << 2);
      store<f32>(phi + o, (load<f32>(phi + o) + a * load<f32>(theta + o)) * invK);
    }
  }
}

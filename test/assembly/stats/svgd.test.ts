import { describe, expect, it } from 'vitest';
import { Arena } from '../../../src/wasm/index.js';

function values(n: number, seed: number, scale = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => (((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 4 - 2) * scale);
}

/** float64 references: squared distances, kernel, and φ straight from the definition. */
function reference(theta: Float32Array, score: Float32Array, K: number, P: number, invH: number) {
  const d = new Float64Array(K * K);
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) for (let q = 0; q < P; q++) d[i * K + j] += (theta[i * P + q] - theta[j * P + q]) ** 2;
  const kmat = d.map((v) => Math.exp(-v * invH));
  const phi = new Float64Array(K * P);
  for (let i = 0; i < K; i++)
    for (let j = 0; j < K; j++)
      for (let q = 0; q < P; q++) {
        const kij = kmat[i * K + j];
        // k(θⱼ,θᵢ)·sⱼ + ∂/∂θⱼ exp(−‖θⱼ−θᵢ‖²/h) = kᵢⱼ·sⱼ − 2/h·(θⱼ − θᵢ)·kᵢⱼ.
        phi[i * P + q] += (kij * score[j * P + q] - 2 * invH * (theta[j * P + q] - theta[i * P + q]) * kij) / K;
      }
  return { d, kmat, phi };
}

describe('SVGD kernels against float64 references', () => {
  for (const [K, P] of [
    [1, 1],
    [2, 7],
    [7, 13],
    [13, 37],
    [5, 129],
  ]) {
    it(`svgd_sqdist_f32, svgd_kernel_f32, svgd_phi_f32 with K=${K}, P=${P}`, async () => {
      const a = await Arena.create();
      const theta = values(K * P, K * 31 + P, 0.5);
      const score = values(K * P, K + 7 * P);
      const invH = 1 / Math.max(1e-3, P * 0.3);
      const ref = reference(theta, score, K, P, invH);
      const t = a.putF32(theta), s = a.putF32(score), d = a.allocF32(K * K), phi = a.allocF32(K * P);
      a.k.svgd_sqdist_f32(d, t, K, P, a.gemmWork);
      const D = a.getF32(d, K * K);
      for (let i = 0; i < K * K; i++) expect(Math.abs(D[i] - ref.d[i])).toBeLessThanOrEqual(1e-5 * (1 + P));
      for (let i = 0; i < K; i++) expect(D[i * K + i]).toBe(0);
      a.putF32(Float32Array.from(ref.d), d);
      a.k.svgd_kernel_f32(d, d, K, invH);
      const Km = a.getF32(d, K * K);
      for (let i = 0; i < K * K; i++) expect(Math.abs(Km[i] - ref.kmat[i])).toBeLessThanOrEqual(1e-6);
      a.k.svgd_phi_f32(phi, d, s, t, K, P, invH, a.gemmWork);
      const F = a.getF32(phi, K * P);
      for (let i = 0; i < K * P; i++) expect(Math.abs(F[i] - ref.phi[i])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(ref.phi[i])));
    });
  }

  it('clamps rounding below zero for coincident particles', async () => {
    const a = await Arena.create();
    const row = values(37, 5, 100);
    const theta = new Float32Array(3 * 37);
    for (let i = 0; i < 3; i++) theta.set(row, i * 37);
    const t = a.putF32(theta), d = a.allocF32(9);
    a.k.svgd_sqdist_f32(d, t, 3, 37, a.gemmWork);
    for (const v of a.getF32(d, 9)) expect(v).toBeGreaterThanOrEqual(0);
  });
});

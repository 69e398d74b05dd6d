/**
 * The densities subspace inference samples, as maps of the network's posterior: θ(z) = θ̄ + Uᵀz on
 * the subspace's coordinates z (∇z = U ∇θ), and z(w) = center + W w on the whitened w (∇w = Wᵀ ∇z).
 * Shared by the method (its Newton search and whitening, in this thread) and the 'subspace-chain'
 * task (the chains, wherever the pool runs them), so both evaluate the same floating-point sums.
 */
import { trustTarget } from '../../samplers/checked-target.js';
import type { Target } from '../../samplers/types.js';

/** The subspace's directions uⱼ (dim × P, row-major) and the share of the deviations' variance they keep. */
export interface SubspaceBasis {
  dim: number;
  /** dim × P: row j is uⱼ = Dᵀvⱼ/‖Dᵀvⱼ‖, vⱼ the eigenvector of DDᵀ with the j-th largest eigenvalue (orthonormal rows). */
  u: Float64Array;
  explained: number;
}

/** θ = θ̄ + Uᵀz. */
export function lift(mean: Float32Array, basis: SubspaceBasis, z: ArrayLike<number>, out = new Float64Array(mean.length)): Float64Array {
  const P = mean.length;
  for (let i = 0; i < P; i++) out[i] = mean[i];
  for (let j = 0; j < basis.dim; j++) {
    const zj = z[j];
    for (let i = 0; i < P; i++) out[i] += zj * basis.u[j * P + i];
  }
  return out;
}

/** The network's posterior as a density on z: log p(θ(z) | D), ∇z = U ∇θ. */
export function subspaceTarget(net: Target, mean: Float32Array, basis: SubspaceBasis): Target {
  const P = mean.length;
  const theta = new Float64Array(P);
  const gTheta = new Float64Array(P);
  return trustTarget({
    dim: basis.dim,
    logDensity(z, grad) {
      lift(mean, basis, z, theta);
      const lp = net.logDensity(theta, gTheta);
      for (let j = 0; j < basis.dim; j++) {
        let s = 0;
        for (let i = 0; i < P; i++) s += basis.u[j * P + i] * gTheta[i];
        grad[j] = s;
      }
      return lp;
    },
  });
}

/** z = center + W w. */
export interface Whitening {
  center: Float64Array;
  w: Float64Array;
}

/** Wᵀ v for a k × k row-major W. */
export function applyTransposed(w: Float64Array, v: ArrayLike<number>, out: Float64Array = new Float64Array(v.length)): Float64Array {
  const k = v.length;
  out.fill(0);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) out[j] += w[i * k + j] * v[i];
  return out;
}

/** W w for a k × k row-major W. */
export function applyLinear(w: Float64Array, v: ArrayLike<number>, out = new Float64Array(v.length)): Float64Array {
  const k = v.length;
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += w[i * k + j] * v[j];
    out[i] = s;
  }
  return out;
}

/** The density of w where z = center + W w: log p(z), ∇w = Wᵀ ∇z (the Jacobian is constant). */
export function linearTarget(t: Target, wh: Whitening): Target {
  const k = t.dim;
  const z = new Float64Array(k);
  const gz = new Float64Array(k);
  return trustTarget({
    dim: k,
    logDensity(v, grad) {
      toSubspace(wh, v, z);
      const lp = t.logDensity(z, gz);
      applyTransposed(wh.w, gz, grad);
      return lp;
    },
  });
}

/** z = center + W w. */
export function toSubspace(wh: Whitening, v: ArrayLike<number>, out = new Float64Array(v.length)): Float64Array {
  applyLinear(wh.w, v, out);
  for (let i = 0; i < out.length; i++) out[i] += wh.center[i];
  return out;
}

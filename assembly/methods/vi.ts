// Mean-field Gaussian VI (Bayes by Backprop): the reparameterization θ = μ + softplus(ρ)·ε and its
// backward pass, with the closed-form KL to the prior N(0, 1/λ) fused in.

import { sigmoid, softplus } from '../nn/special';

/** theta[i] = mu[i] + softplus(rho[i])·eps[i] over n elements. */
export function vi_sample_f32(theta: usize, mu: usize, rho: usize, eps: usize, n: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const s = <f32>softplus(<f64>load<f32>(rho + o));
    store<f32>(theta + o, load<f32>(mu + o) + s * load<f32>(eps + o));
  }
}

/**
 * Chain rule from ∂L/∂θ at θ = μ + σ⊙ε (σ = softplus(ρ)) to (μ, ρ), plus kl_scale times the gradient
 * of KL(N(μ, σ²) ‖ N(0, 1/λ)) = ½ Σ (λσ² + λμ² − 1 − log λσ²):
 *   gmu = gθ + s·λμ,   grho = (gθ·ε + s·(λσ − 1/σ))·sigmoid(ρ).
 * gmu may alias gtheta (each element is read before it is written). Returns the unscaled KL (f64).
 */
export function vi_grad_f32(gmu: usize, grho: usize, gtheta: usize, mu: usize, rho: usize, eps: usize, n: i32, lambda: f64, kl_scale: f32): f64 {
  const lf = <f32>lambda;
  const logLambda = Math.log(lambda);
  let kl: f64 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const r = <f64>load<f32>(rho + o);
    const s64 = softplus(r);
    const s = <f32>s64;
    const m = load<f32>(mu + o);
    const g = load<f32>(gtheta + o);
    const m64 = <f64>m;
    kl += 0.5 * (lambda * (s64 * s64 + m64 * m64) - 1 - logLambda - 2 * Math.log(s64));
    store<f32>(gmu + o, g + kl_scale * lf * m);
    store<f32>(grho + o, (g * load<f32>(eps + o) + kl_scale * (lf * s - 1 / s)) * <f32>sigmoid(r));
  }
  return kl;
}

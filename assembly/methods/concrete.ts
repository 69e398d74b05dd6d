// Concrete (relaxed Bernoulli) dropout masks (Gal, Hron & Kendall 2017) and their derivative.

import { sigmoid } from '../nn/special';

/**
 * Relaxed inverted-dropout mask from uniforms u ∈ (0,1) and a = logit p:
 *   z = sigmoid((a + log u − log(1−u))·inv_t)   (≈ 1 when the unit drops),
 *   mask = (1 − z)/(1 − p),
 * and dmask = ∂mask/∂a = mask·(p − z·inv_t), so ∂L/∂a = Σ ∂L/∂mask ⊙ dmask (a dot product).
 * mask and dmask may not alias u.
 */
export function concrete_mask_f32(mask: usize, dmask: usize, u: usize, n: i32, logit_p: f64, inv_t: f64): void {
  const p = sigmoid(logit_p);
  const keep = 1 / (1 - p);
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const v = <f64>load<f32>(u + o);
    const z = sigmoid((logit_p + Math.log(v) - Math.log1p(-v)) * inv_t);
    const m = (1 - z) * keep;
    store<f32>(mask + o, <f32>m);
    store<f32>(dmask + o, <f32>(m * (p - z * inv_t)));
  }
}

// posteriordb garch-garch11: σ₁ = sigma1, σₜ² = α₀ + α₁(yₜ₋₁ − μ)² + β₁σₜ₋₁², yₜ ~ normal(μ, σₜ), flat
// priors on μ, α₀ > 0, 0 < α₁ < 1, 0 < β₁ < 1 − α₁. Unconstrained as Stan does it: α₀ = e^u₁,
// α₁ = logistic(u₂), β₁ = (1 − α₁)·logistic(u₃) — the last bound depends on α₁, so the Jacobian is
// triangular: log α₀ + log α₁(1 − α₁) + log (1 − α₁) s₃(1 − s₃). The gradient runs the recursion's
// derivatives forward alongside σₜ².
import { fixture } from './fixture.mjs';

const { data } = fixture('garch');
const { T, y, sigma1 } = data;
export const dim = 4;
export const names = ['mu', 'log_alpha0', 'logit_alpha1', 'logit_beta1_scaled'];

const logistic = (u) => 1 / (1 + Math.exp(-u));

export function logDensity(q, g) {
  const mu = q[0];
  const a0 = Math.exp(q[1]);
  const a1 = logistic(q[2]);
  const s3 = logistic(q[3]);
  const b1 = (1 - a1) * s3;
  let v = sigma1 * sigma1;
  // ∂σₜ²/∂(μ, α₀, α₁, β₁)
  let dMu = 0, dA0 = 0, dA1 = 0, dB1 = 0;
  let lp = 0;
  let gMu = 0, gA0 = 0, gA1 = 0, gB1 = 0;
  for (let t = 0; t < T; t++) {
    if (t > 0) {
      const e = y[t - 1] - mu;
      dMu = -2 * a1 * e + b1 * dMu;
      dA0 = 1 + b1 * dA0;
      dA1 = e * e + b1 * dA1;
      dB1 = v + b1 * dB1;
      v = a0 + a1 * e * e + b1 * v;
    }
    const e = y[t] - mu;
    lp -= 0.5 * Math.log(v) + (e * e) / (2 * v);
    const dv = -0.5 / v + (e * e) / (2 * v * v);
    gMu += e / v + dv * dMu;
    gA0 += dv * dA0;
    gA1 += dv * dA1;
    gB1 += dv * dB1;
  }
  lp += q[1] + Math.log(a1) + 2 * Math.log1p(-a1) + Math.log(s3) + Math.log1p(-s3);
  g[0] = gMu;
  g[1] = gA0 * a0 + 1;
  g[2] = (gA1 - gB1 * s3) * a1 * (1 - a1) + (1 - 2 * a1) - a1;
  g[3] = gB1 * (1 - a1) * s3 * (1 - s3) + 1 - 2 * s3;
  return lp;
}

export function constrain(q) {
  const a1 = logistic(q[2]);
  return [q[0], Math.exp(q[1]), a1, (1 - a1) * logistic(q[3])];
}

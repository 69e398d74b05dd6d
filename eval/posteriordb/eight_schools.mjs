// posteriordb eight_schools-eight_schools_noncentered: θⱼ = μ + τ·θ̃ⱼ, θ̃ⱼ ~ normal(0, 1),
// yⱼ ~ normal(θⱼ, σⱼ), μ ~ normal(0, 5), τ ~ cauchy(0, 5) on τ > 0. Unconstrained: (θ̃, μ, log τ);
// the reference holds (θ, μ, τ).
import { fixture } from './fixture.mjs';

const { data } = fixture('eight_schools');
const { J, y, sigma } = data;
export const dim = J + 2;
export const names = [...Array.from({ length: J }, (_, j) => `theta_trans[${j + 1}]`), 'mu', 'log_tau'];

export function logDensity(q, g) {
  const mu = q[J];
  const tau = Math.exp(q[J + 1]);
  let lp = 0;
  let gMu = 0;
  let gTau = 0;
  for (let j = 0; j < J; j++) {
    const t = q[j];
    const r = (y[j] - mu - tau * t) / sigma[j];
    lp -= 0.5 * (t * t + r * r);
    g[j] = -t + (r / sigma[j]) * tau;
    gMu += r / sigma[j];
    gTau += (r / sigma[j]) * t;
  }
  const u = (tau * tau) / 25;
  lp -= (mu * mu) / 50 + Math.log1p(u) - q[J + 1];
  g[J] = gMu - mu / 25;
  g[J + 1] = tau * gTau - (2 * u) / (1 + u) + 1;
  return lp;
}

export function constrain(q) {
  const mu = q[J];
  const tau = Math.exp(q[J + 1]);
  return [...Array.from({ length: J }, (_, j) => mu + tau * q[j]), mu, tau];
}

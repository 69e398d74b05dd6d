// The two models of the simulation-based calibration (eval/sbc.mjs): each draws θ from its prior,
// simulates a data set, and writes the posterior given that data as a self-contained user target
// module (source text; run as a data: URL inside the workers). `ranked` maps a draw of the sampled
// (unconstrained) coordinates to the ranked quantities, in the order of `quantities`.

/** y_j ~ normal(μ + τ·η_j, σ_j), η_j ~ normal(0, 1), μ ~ normal(0, 5), τ ~ normal⁺(0, 5); J = 8, the
 * eight schools' σ_j. Sampled non-centred: (η, μ, log τ). `priorScale` multiplies the simulator's
 * prior scales only (1 = calibrated; another value is the deliberately broken simulator). */
export const hierarchical = {
  name: 'hierarchical',
  quantities: ['mu', 'tau', 'theta[1]'],
  simulate(rng, priorScale = 1) {
    const sigma = [15, 10, 16, 11, 9, 11, 10, 18];
    const J = sigma.length;
    const z = new Float64Array(J + 2 + J);
    rng.normal(z);
    const mu = 5 * priorScale * z[0];
    const tau = Math.abs(5 * priorScale * z[1]);
    const theta = sigma.map((_, j) => mu + tau * z[2 + j]);
    const y = theta.map((t, j) => t + sigma[j] * z[2 + J + j]);
    return { truth: [mu, tau, theta[0]], data: { J, y, sigma } };
  },
  source: (data) => `const { J, y, sigma } = ${JSON.stringify(data)};
export const dim = J + 2;
export function logDensity(q, g) {
  const mu = q[J], tau = Math.exp(q[J + 1]);
  let lp = 0, gMu = 0, gTau = 0;
  for (let j = 0; j < J; j++) {
    const r = (y[j] - mu - tau * q[j]) / sigma[j];
    lp -= 0.5 * (q[j] * q[j] + r * r);
    g[j] = -q[j] + (r / sigma[j]) * tau;
    gMu += r / sigma[j];
    gTau += (r / sigma[j]) * q[j];
  }
  g[J] = gMu - mu / 25;
  g[J + 1] = tau * (gTau - tau / 25) + 1;
  return lp - (mu * mu + tau * tau) / 50 + q[J + 1];
}
`,
  ranked: (q) => [q[8], Math.exp(q[9]), q[8] + Math.exp(q[9]) * q[0]],
};

/** Logistic regression, n = 50 rows, an intercept and two predictors correlated 0.6 (drawn per data
 * set), β ~ normal(0, 1) each. */
export const logistic = {
  name: 'logistic',
  quantities: ['beta[1]', 'beta[2]', 'beta[3]'],
  simulate(rng, priorScale = 1) {
    const n = 50;
    const z = new Float64Array(3 + 2 * n);
    rng.normal(z);
    const beta = [z[0], z[1], z[2]].map((b) => priorScale * b);
    const x1 = Array.from({ length: n }, (_, i) => z[3 + i]);
    const x2 = x1.map((a, i) => 0.6 * a + 0.8 * z[3 + n + i]);
    const y = x1.map((a, i) => (rng.uniform() < 1 / (1 + Math.exp(-(beta[0] + beta[1] * a + beta[2] * x2[i])))) ? 1 : 0);
    return { truth: beta, data: { n, x1, x2, y } };
  },
  source: (data) => `const { n, x1, x2, y } = ${JSON.stringify(data)};
export const dim = 3;
export function logDensity(q, g) {
  let lp = -0.5 * (q[0] * q[0] + q[1] * q[1] + q[2] * q[2]);
  g[0] = -q[0]; g[1] = -q[1]; g[2] = -q[2];
  for (let i = 0; i < n; i++) {
    const eta = q[0] + q[1] * x1[i] + q[2] * x2[i];
    // log(1 + e^η) without overflow
    lp += y[i] * eta - (eta > 0 ? eta + Math.log1p(Math.exp(-eta)) : Math.log1p(Math.exp(eta)));
    const r = y[i] - 1 / (1 + Math.exp(-eta));
    g[0] += r; g[1] += r * x1[i]; g[2] += r * x2[i];
  }
  return lp;
}
`,
  ranked: (q) => [q[0], q[1], q[2]],
};

export const MODELS = { hierarchical, logistic };

// The 6-parameter target of the multi-chain benchmark (bench/chains-run.mjs): a correlated Gaussian,
// log p(θ) = −½ θᵀAθ with A tridiagonal (2 on the diagonal, −0.9 beside it) — cheap gradients, so
// the benchmark measures the pool's overhead per draw, not the target.
export const dim = 6;
export const names = ['a', 'b', 'c', 'd', 'e', 'f'];
export function logDensity(q, g) {
  let lp = 0;
  for (let i = 0; i < 6; i++) {
    const ai = 2 * q[i] - (i > 0 ? 0.9 * q[i - 1] : 0) - (i < 5 ? 0.9 * q[i + 1] : 0);
    g[i] = -ai;
    lp -= 0.5 * q[i] * ai;
  }
  return lp;
}

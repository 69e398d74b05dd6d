// Update rules of the stochastic-gradient MCMC transforms (src/train/sgmcmc.ts). Each rewrites the
// update u in place (it enters holding the per-example mean gradient g = ∇Ũ/N); the training loop
// then applies θ ← θ − lr·u. xi holds standard normals drawn by the caller from Philox.

/**
 * Preconditioned SGLD (Li et al. 2016, RMSprop preconditioner, the Γ correction term dropped):
 * v ← a·v + (1−a)·g², G = 1/(√(v/bc) + eps), u ← G·g + noise·√G·ξ. bc = 1 − aᵗ is Adam's bias
 * correction: without it the first steps see v ≈ 0, a huge G and noise kicks of order one.
 */
export function psgld_f32(u: usize, v: usize, xi: usize, n: i32, a: f32, bc: f32, eps: f32, noise: f32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(u + o);
    const vi = a * load<f32>(v + o) + (1 - a) * g * g;
    store<f32>(v + o, vi);
    const G: f32 = 1 / (Mathf.sqrt(vi / bc) + eps);
    store<f32>(u + o, G * g + noise * Mathf.sqrt(G) * load<f32>(xi + o));
  }
}

/**
 * SGHMC velocity step (Chen et al. 2014, eq. 15, with v = the θ increment of one step):
 * v ← keep·v − lr·g + noise·ξ, then u ← −v/lr so that the loop's θ − lr·u is θ + v.
 */
export function sghmc_f32(u: usize, v: usize, xi: usize, n: i32, keep: f32, lr: f32, noise: f32): void {
  const inv: f32 = -1 / lr;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const vi = keep * load<f32>(v + o) - lr * load<f32>(u + o) + noise * load<f32>(xi + o);
    store<f32>(v + o, vi);
    store<f32>(u + o, vi * inv);
  }
}

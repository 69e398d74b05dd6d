// The f64 side of the BNN posterior's log density (src/samplers/bnn-target.ts).

/**
 * grad[i] = −(g[i] + λ[i]·θ[i])·invT for the f32 data-term gradient g, and returns Σ λ[i]·θ[i]² —
 * the Gaussian prior joined to the likelihood's gradient and tempered. A plain sequential loop, so
 * the sums are those of the same loop in JavaScript, bit for bit.
 */
export function bnn_prior_grad_f64(grad: usize, g: usize, theta: usize, lambda: usize, invT: f64, n: i32): f64 {
  let quad: f64 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 3;
    const t = load<f64>(theta + o);
    const l = load<f64>(lambda + o);
    quad += l * t * t;
    store<f64>(grad + o, -(<f64>load<f32>(g + (<usize>i << 2)) + l * t) * invT);
  }
  return quad;
}

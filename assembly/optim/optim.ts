// Optimizer transforms over flat f32 vectors. Each rewrites the update buffer u in place (it enters
// holding the gradient), so transforms compose by running one after another.

/** Σ x[i]², accumulated in f64 (gradient-norm clipping needs it exact for large vectors). */
export function sumsq_f32(x: usize, n: i32): f64 {
  let acc0: f64 = 0, acc1: f64 = 0;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const sq = f32x4.mul(v, v);
    // Pairwise into f64 lanes: f32 squares summed exactly enough per group of 4.
    acc0 += <f64>f32x4.extract_lane(sq, 0) + <f64>f32x4.extract_lane(sq, 1);
    acc1 += <f64>f32x4.extract_lane(sq, 2) + <f64>f32x4.extract_lane(sq, 3);
  }
  for (; i < n; i++) {
    const v = <f64>load<f32>(x + (<usize>i << 2));
    acc0 += v * v;
  }
  return acc0 + acc1;
}

/**
 * Adam's scaling: m ← β1·m + (1−β1)·u, v ← β2·v + (1−β2)·u², u ← (m/bc1) / (√(v/bc2) + ε), where
 * bc1 = 1−β1ᵗ and bc2 = 1−β2ᵗ are the bias corrections for step t (computed by the caller in f64).
 */
export function adam_f32(u: usize, m: usize, v: usize, n: i32, b1: f32, b2: f32, eps: f32, bc1: f32, bc2: f32): void {
  const B1 = f32x4.splat(b1), C1 = f32x4.splat(1 - b1);
  const B2 = f32x4.splat(b2), C2 = f32x4.splat(1 - b2);
  const I1 = f32x4.splat(1 / bc1), I2 = f32x4.splat(1 / bc2), E = f32x4.splat(eps);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(u + o);
    const mi = f32x4.add(f32x4.mul(B1, v128.load(m + o)), f32x4.mul(C1, g));
    const vi = f32x4.add(f32x4.mul(B2, v128.load(v + o)), f32x4.mul(C2, f32x4.mul(g, g)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    v128.store(u + o, f32x4.div(f32x4.mul(mi, I1), f32x4.add(f32x4.sqrt(f32x4.mul(vi, I2)), E)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(u + o);
    const mi = b1 * load<f32>(m + o) + (1 - b1) * g;
    const vi = b2 * load<f32>(v + o) + (1 - b2) * g * g;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(u + o, (mi / bc1) / (Mathf.sqrt(vi / bc2) + eps));
  }
}

/** Heavy-ball momentum: buf ← μ·buf + u; u ← buf, or u + μ·buf (Nesterov) when nesterov ≠ 0. */
export function momentum_f32(u: usize, buf: usize, n: i32, mu: f32, nesterov: i32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(u + o);
    const b = mu * load<f32>(buf + o) + g;
    store<f32>(buf + o, b);
    store<f32>(u + o, nesterov ? g + mu * b : b);
  }
}

// Dense-layer epilogues: bias + activation forward, activation backward, bias gradient.
// Activation codes (the ABI): 0 identity, 1 relu, 2 tanh, 3 sigmoid, 4 gelu (exact, x·Φ(x)).
// Bias add, relu and the tanh/sigmoid backward are f32x4; tanh, sigmoid and gelu forward are
// scalar (tanh and sigmoid through Mathf, within an ulp or two; gelu through f64 Φ).

import { norm_cdf, norm_pdf, sigmoidf } from './special';

const IDENTITY = 0;
const RELU = 1;
const TANH = 2;
const SIGMOID = 3;
const GELU = 4;

/** y[i] = act(z[i]) for the scalar activations (tanh, sigmoid, gelu). */
function act_scalar(y: usize, z: usize, len: i32, act: i32): void {
  for (let i = 0; i < len; i++) {
    const o = <usize>i << 2;
    const x = load<f32>(z + o);
    let v: f32;
    if (act == TANH) v = Mathf.tanh(x);
    else if (act == SIGMOID) v = sigmoidf(x);
    else v = <f32>(<f64>x * norm_cdf(<f64>x));
    store<f32>(y + o, v);
  }
}

/**
 * z[m×n] += bias (added to every row) in place, then y = act(z). `bias` 0 means no bias.
 * y may equal z (then z is overwritten with the activations: only do so when backward needs y
 * alone, i.e. identity, tanh, sigmoid — relu and gelu backward need z).
 */
export function bias_act_f32(z: usize, y: usize, bias: usize, m: i32, n: i32, act: i32): void {
  const zero = f32x4.splat(0);
  for (let r = 0; r < m; r++) {
    const zr = z + ((<usize>r * <usize>n) << 2);
    const yr = y + ((<usize>r * <usize>n) << 2);
    let j = 0;
    if (bias != 0) {
      for (; j + 4 <= n; j += 4) {
        const o = <usize>j << 2;
        const v = f32x4.add(v128.load(zr + o), v128.load(bias + o));
        v128.store(zr + o, v);
        if (act == RELU) v128.store(yr + o, v128.and(v, f32x4.gt(v, zero)));
      }
      for (; j < n; j++) {
        const o = <usize>j << 2;
        const v = load<f32>(zr + o) + load<f32>(bias + o);
        store<f32>(zr + o, v);
        if (act == RELU) store<f32>(yr + o, v > 0 ? v : 0);
      }
    }
  }
  const len = m * n;
  if (act == IDENTITY) {
    if (y != z) memory.copy(y, z, <usize>len << 2);
  } else if (act == RELU) {
    if (bias == 0) relu(y, z, len);
  } else {
    act_scalar(y, z, len, act);
  }
}

/** y = max(z, 0). The comparison form maps −0 and NaN to 0 like the scalar tail. */
@inline function relu(y: usize, z: usize, len: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    const v = v128.load(z + o);
    v128.store(y + o, v128.and(v, f32x4.gt(v, zero)));
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(z + o);
    store<f32>(y + o, v > 0 ? v : 0);
  }
}

/**
 * dz = dy ⊙ act'(z) over len elements. relu and gelu read z; tanh (1 − y²) and sigmoid (y(1 − y))
 * read y; identity copies. dz may equal dy.
 */
export function act_backward_f32(dz: usize, dy: usize, z: usize, y: usize, len: i32, act: i32): void {
  if (act == IDENTITY) {
    if (dz != dy) memory.copy(dz, dy, <usize>len << 2);
    return;
  }
  if (act == GELU) {
    for (let i = 0; i < len; i++) {
      const o = <usize>i << 2;
      const x = <f64>load<f32>(z + o);
      store<f32>(dz + o, <f32>(<f64>load<f32>(dy + o) * (norm_cdf(x) + x * norm_pdf(x))));
    }
    return;
  }
  const zero = f32x4.splat(0);
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(dy + o);
    let d: v128;
    if (act == RELU) {
      d = v128.and(g, f32x4.gt(v128.load(z + o), zero));
    } else {
      const v = v128.load(y + o);
      d = act == TANH ? f32x4.mul(g, f32x4.sub(one, f32x4.mul(v, v))) : f32x4.mul(g, f32x4.mul(v, f32x4.sub(one, v)));
    }
    v128.store(dz + o, d);
  }
  for (; i < len; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(dy + o);
    let d: f32;
    if (act == RELU) {
      d = load<f32>(z + o) > 0 ? g : 0;
    } else {
      const v = load<f32>(y + o);
      d = act == TANH ? g * (1 - v * v) : g * (v * (1 - v));
    }
    store<f32>(dz + o, d);
  }
}

/** db[n] = column sums of dz[m×n] (beta 0), or db += them (beta 1; any beta scales db first). */
export function bias_grad_f32(db: usize, dz: usize, m: i32, n: i32, beta: f32): void {
  // beta 0 overwrites without reading db, so stale NaNs in db do not leak through.
  if (beta == 0) memory.fill(db, 0, <usize>n << 2);
  else if (beta != 1) {
    for (let j = 0; j < n; j++) store<f32>(db + (<usize>j << 2), beta * load<f32>(db + (<usize>j << 2)));
  }
  for (let r = 0; r < m; r++) {
    const row = dz + ((<usize>r * <usize>n) << 2);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      v128.store(db + o, f32x4.add(v128.load(db + o), v128.load(row + o)));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      store<f32>(db + o, load<f32>(db + o) + load<f32>(row + o));
    }
  }
}

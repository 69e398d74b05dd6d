// Inverted dropout masks from the Philox stream, and the elementwise product that applies them.

import { fill, KEEP } from '../rng/fill';

/**
 * Inverted-dropout mask: mask[i] = 0 with probability p, else 1/(1−p) (so E[mask] = 1).
 * Element i drops exactly when rng_uniform_f32 element i (same key and counter) is < p.
 * p = 0 keeps everything (mask 1); p = 1 drops everything (mask 0).
 */
export function dropout_mask_f32(mask: usize, n: i32, p: f32, k0: u32, k1: u32, c1: u32, c2: u32, c3: u32): void {
  fill(mask, <usize>n << 2, KEEP, p, <f32>(1.0 / (1.0 - <f64>p)), k0, k1, c1, c2, c3);
}

/** out[i] = a[i]·b[i] over n elements (applies a mask forward and backward). out may alias a or b. */
export function mul_f32(out: usize, a: usize, b: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, f32x4.mul(v128.load(a + o), v128.load(b + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(out + o, load<f32>(a + o) * load<f32>(b + o));
  }
}

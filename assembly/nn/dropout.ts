// Inverted dropout masks from the Philox stream, and the elementwise product that applies them.

import { philox4, philox_setup, R0, R1, R2, R3, store_partial, uniform_f32x4 } from '../rng/philox_core';

/** Keep-mask of one block: 1/(1−p) where uniform ≥ p, else 0. */
@inline function keep(w: v128, pv: v128, sv: v128): v128 {
  return v128.and(f32x4.ge(uniform_f32x4(w), pv), sv);
}

/**
 * Inverted-dropout mask: mask[i] = 0 with probability p, else 1/(1−p) (so E[mask] = 1).
 * Element i drops exactly when rng_uniform_f32 element i (same key and counter) is < p.
 * p = 0 keeps everything (mask 1); p = 1 drops everything (mask 0).
 */
export function dropout_mask_f32(mask: usize, n: i32, p: f32, k0: u32, k1: u32, c1: u32, c2: u32, c3: u32): void {
  philox_setup(k0, k1, c1, c2, c3);
  const pv = f32x4.splat(p);
  const sv = f32x4.splat(<f32>(1.0 / (1.0 - <f64>p)));
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    philox4(<u32>i >>> 2);
    const q = mask + (<usize>i << 2);
    v128.store(q, keep(R0, pv, sv));
    v128.store(q, keep(R1, pv, sv), 16);
    v128.store(q, keep(R2, pv, sv), 32);
    v128.store(q, keep(R3, pv, sv), 48);
  }
  if (i < n) {
    philox4(<u32>i >>> 2);
    store_partial(mask + (<usize>i << 2), keep(R0, pv, sv), keep(R1, pv, sv), keep(R2, pv, sv), keep(R3, pv, sv), <usize>(n - i) << 2);
  }
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

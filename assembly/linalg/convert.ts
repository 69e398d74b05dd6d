// Precision conversions between the f32 network side and the f64 linear-algebra side.
import { at } from './simd64';

/** out[i] = f64(in[i]) for n values (exact). */
export function f32_to_f64(out: usize, inp: usize, n: i32): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    v128.store(out + at(i), f64x2.promote_low_f32x4(v128.load64_zero(inp + (<usize>i << 2))));
  }
  if (i < n) store<f64>(out + at(i), <f64>load<f32>(inp + (<usize>i << 2)));
}

/** out[i] = f32(in[i]) for n values, rounded to nearest. */
export function f64_to_f32(out: usize, inp: usize, n: i32): void {
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    v128.store64_lane(out + (<usize>i << 2), f32x4.demote_f64x2_zero(v128.load(inp + at(i))), 0);
  }
  if (i < n) store<f32>(out + (<usize>i << 2), <f32>load<f64>(inp + at(i)));
}

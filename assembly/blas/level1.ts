// Level-1 BLAS over f32: dot, axpy, scal. Pure kernels over raw pointers.
import { lane_sum, madd } from './simd';

/** Returns Σ x[i]·y[i] over n elements. */
export function dot_f32(x: usize, y: usize, n: i32): f32 {
  // Two accumulators: one add chain would be bound by its latency, not by throughput.
  let acc0 = f32x4.splat(0);
  let acc1 = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    acc0 = madd(v128.load(x + o), v128.load(y + o), acc0);
    acc1 = madd(v128.load(x + o, 16), v128.load(y + o, 16), acc1);
  }
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    acc0 = madd(v128.load(x + o), v128.load(y + o), acc0);
  }
  let s = lane_sum(f32x4.add(acc0, acc1));
  for (; i < n; i++) s += load<f32>(x + (<usize>i << 2)) * load<f32>(y + (<usize>i << 2));
  return s;
}

/** y[i] += alpha·x[i] over n elements (y and x may not partially overlap). */
export function axpy_f32(y: usize, alpha: f32, x: usize, n: i32): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    v128.store(y + o, madd(va, v128.load(x + o), v128.load(y + o)));
    v128.store(y + o, madd(va, v128.load(x + o, 16), v128.load(y + o, 16)), 16);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(y + o, load<f32>(y + o) + alpha * load<f32>(x + o));
  }
}

/** x[i] *= alpha over n elements. */
export function scal_f32(x: usize, alpha: f32, n: i32): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    v128.store(x + o, f32x4.mul(va, v128.load(x + o)));
    v128.store(x + o, f32x4.mul(va, v128.load(x + o, 16)), 16);
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    store<f32>(x + o, alpha * load<f32>(x + o));
  }
}

// Level-2 BLAS over f32: matrix-vector products on row-major A (m×n). Pure kernels.
import { lane_sum, madd } from './simd';

/**
 * y (+)= A·x: A is m×n row-major, x has n entries, y has m. `beta` 0 overwrites y, 1 accumulates,
 * any other value scales y first.
 */
export function gemv_f32_n(y: usize, a: usize, x: usize, m: i32, n: i32, beta: f32): void {
  const ld = <usize>n << 2;
  let i = 0;
  // Four rows at a time share each load of x.
  for (; i + 4 <= m; i += 4) {
    const r0 = a + <usize>i * ld;
    const r1 = r0 + ld;
    const r2 = r1 + ld;
    const r3 = r2 + ld;
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      const xv = v128.load(x + o);
      s0 = madd(v128.load(r0 + o), xv, s0);
      s1 = madd(v128.load(r1 + o), xv, s1);
      s2 = madd(v128.load(r2 + o), xv, s2);
      s3 = madd(v128.load(r3 + o), xv, s3);
    }
    let t0 = lane_sum(s0), t1 = lane_sum(s1), t2 = lane_sum(s2), t3 = lane_sum(s3);
    for (; j < n; j++) {
      const o = <usize>j << 2;
      const xj = load<f32>(x + o);
      t0 += load<f32>(r0 + o) * xj;
      t1 += load<f32>(r1 + o) * xj;
      t2 += load<f32>(r2 + o) * xj;
      t3 += load<f32>(r3 + o) * xj;
    }
    const yo = y + (<usize>i << 2);
    store<f32>(yo, combine(t0, load<f32>(yo), beta));
    store<f32>(yo, combine(t1, load<f32>(yo, 4), beta), 4);
    store<f32>(yo, combine(t2, load<f32>(yo, 8), beta), 8);
    store<f32>(yo, combine(t3, load<f32>(yo, 12), beta), 12);
  }
  for (; i < m; i++) {
    const r = a + <usize>i * ld;
    let s = f32x4.splat(0);
    let j = 0;
    for (; j + 4 <= n; j += 4) s = madd(v128.load(r + (<usize>j << 2)), v128.load(x + (<usize>j << 2)), s);
    let t = lane_sum(s);
    for (; j < n; j++) t += load<f32>(r + (<usize>j << 2)) * load<f32>(x + (<usize>j << 2));
    const yo = y + (<usize>i << 2);
    store<f32>(yo, combine(t, load<f32>(yo), beta));
  }
}

/**
 * y (+)= Aᵀ·x: A is m×n row-major, x has m entries, y has n. `beta` as in gemv_f32_n.
 */
export function gemv_f32_t(y: usize, a: usize, x: usize, m: i32, n: i32, beta: f32): void {
  const ld = <usize>n << 2;
  let j = 0;
  // Sixteen columns of y stay in registers while all m rows stream past.
  for (; j + 16 <= n; j += 16) {
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    let r = a + (<usize>j << 2);
    for (let i = 0; i < m; i++) {
      // Loaded, not splatted: V8 would re-materialize a loop-invariant splat every iteration.
      const xi = v128.load32_splat(x + (<usize>i << 2));
      s0 = madd(xi, v128.load(r), s0);
      s1 = madd(xi, v128.load(r, 16), s1);
      s2 = madd(xi, v128.load(r, 32), s2);
      s3 = madd(xi, v128.load(r, 48), s3);
      r += ld;
    }
    const yo = y + (<usize>j << 2);
    v128.store(yo, combine4(s0, v128.load(yo), beta));
    v128.store(yo, combine4(s1, v128.load(yo, 16), beta), 16);
    v128.store(yo, combine4(s2, v128.load(yo, 32), beta), 32);
    v128.store(yo, combine4(s3, v128.load(yo, 48), beta), 48);
  }
  for (; j + 4 <= n; j += 4) {
    let s = f32x4.splat(0);
    let r = a + (<usize>j << 2);
    for (let i = 0; i < m; i++) {
      s = madd(v128.load32_splat(x + (<usize>i << 2)), v128.load(r), s);
      r += ld;
    }
    const yo = y + (<usize>j << 2);
    v128.store(yo, combine4(s, v128.load(yo), beta));
  }
  for (; j < n; j++) {
    let t: f32 = 0;
    let r = a + (<usize>j << 2);
    for (let i = 0; i < m; i++) {
      t += load<f32>(x + (<usize>i << 2)) * load<f32>(r);
      r += ld;
    }
    const yo = y + (<usize>j << 2);
    store<f32>(yo, combine(t, load<f32>(yo), beta));
  }
}

/** The new value t combined with the old y: beta 0 ignores y (even NaN), 1 adds, else scales. */
@inline function combine(t: f32, old: f32, beta: f32): f32 {
  return beta == 0 ? t : beta == 1 ? t + old : t + beta * old;
}

@inline function combine4(t: v128, old: v128, beta: f32): v128 {
  return beta == 0 ? t : beta == 1 ? f32x4.add(t, old) : f32x4.add(t, f32x4.mul(f32x4.splat(beta), old));
}

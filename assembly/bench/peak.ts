// The machine's f32x4 ceiling for the benchmarks: a register-only loop of independent
// multiply-add chains, so GEMM figures can be read as a fraction of what wasm can reach here.

/** Constants and the result land in static memory: the loop must see neither as compile-time values. */
const scratch = memory.data(64);

/**
 * Runs `iters` rounds of independent f32x4 multiply-then-add chains (fused relaxed_madd in the
 * relaxed binary) and returns the number of floating-point operations performed.
 */
export function peak_f32x4(iters: i32): f64 {
  store<f32>(scratch, 1);
  store<f32>(scratch, 0.5, 4);
  const one = v128.load32_splat(scratch);
  const half = v128.load32_splat(scratch, 4);
  let a0 = one, a1 = one, a2 = one, a3 = one, a4 = one, a5 = one, a6 = one, a7 = one;
  let flops: f64;
  if (ASC_FEATURE_RELAXED_SIMD) {
    // Eight FMA chains of latency 4 keep two FMA pipes busy.
    let a8 = one, a9 = one;
    for (let i = 0; i < iters; i++) {
      a0 = f32x4.relaxed_madd(half, one, a0); a1 = f32x4.relaxed_madd(half, one, a1);
      a2 = f32x4.relaxed_madd(half, one, a2); a3 = f32x4.relaxed_madd(half, one, a3);
      a4 = f32x4.relaxed_madd(half, one, a4); a5 = f32x4.relaxed_madd(half, one, a5);
      a6 = f32x4.relaxed_madd(half, one, a6); a7 = f32x4.relaxed_madd(half, one, a7);
      a8 = f32x4.relaxed_madd(half, one, a8); a9 = f32x4.relaxed_madd(half, one, a9);
    }
    a0 = f32x4.add(a0, f32x4.add(a8, a9));
    flops = <f64>iters * 10 * 8;
  } else {
    // Multiplications by one on the m chains and additions on the a chains: every op depends on
    // the previous round, so nothing is hoisted, and seven pairs cover mul and add latency.
    let m0 = half, m1 = half, m2 = half, m3 = half, m4 = half, m5 = half, m6 = half;
    for (let i = 0; i < iters; i++) {
      m0 = f32x4.mul(m0, one); a0 = f32x4.add(a0, m0);
      m1 = f32x4.mul(m1, one); a1 = f32x4.add(a1, m1);
      m2 = f32x4.mul(m2, one); a2 = f32x4.add(a2, m2);
      m3 = f32x4.mul(m3, one); a3 = f32x4.add(a3, m3);
      m4 = f32x4.mul(m4, one); a4 = f32x4.add(a4, m4);
      m5 = f32x4.mul(m5, one); a5 = f32x4.add(a5, m5);
      m6 = f32x4.mul(m6, one); a6 = f32x4.add(a6, m6);
    }
    a0 = f32x4.add(a0, f32x4.add(m0, f32x4.add(m1, f32x4.add(m2, f32x4.add(m3, f32x4.add(m4, f32x4.add(m5, m6)))))));
    flops = <f64>iters * 7 * 8;
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  v128.store(scratch, s, 16);
  return flops;
}

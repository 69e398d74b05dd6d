// SIMD helpers shared by the BLAS kernels (inlined; not part of the ABI).

/**
 * c + a·b per lane. The relaxed binary fuses it into one instruction (FMA where the CPU has it);
 * the plain binary multiplies then adds, so results may differ in the last bit between binaries.
 */
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/** c − a·b per lane: fused in the relaxed binary, as madd. */
@inline export function nmadd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_nmadd(a, b, c);
  return f32x4.sub(c, f32x4.mul(a, b));
}

/** Sum of the four lanes. */
@inline export function lane_sum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

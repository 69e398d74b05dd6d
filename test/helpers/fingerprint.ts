/** FNV-1a over the float64 bits of `values`: a short name for exact results (a golden value in a test). */
export function f64Fingerprint(values: ArrayLike<number>): string {
  const u = new Uint8Array(Float64Array.from(Array.from(values)).buffer);
  let h = 0x811c9dc5;
  for (const b of u) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

// Test-only seeded generators (mulberry32 + Box–Muller): small, deterministic, good enough for
// checking estimators; library code uses the Philox generator instead.

/** Uniforms in (0, 1) from a 32-bit seed. */
export function uniforms(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}

/** Standard normals from a 32-bit seed. */
export function normals(seed: number): () => number {
  const u = uniforms(seed);
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** m chains of n iid N(mu, sd²) draws. */
export function iidChains(seed: number, m: number, n: number, mu = 0, sd = 1): Float64Array[] {
  const z = normals(seed);
  return Array.from({ length: m }, () => Float64Array.from({ length: n }, () => mu + sd * z()));
}

/** m stationary AR(1) chains x_t = φ x_{t−1} + √(1−φ²) ε_t with unit marginal variance. */
export function ar1Chains(seed: number, m: number, n: number, phi: number): Float64Array[] {
  const z = normals(seed);
  const s = Math.sqrt(1 - phi * phi);
  return Array.from({ length: m }, () => {
    const x = new Float64Array(n);
    x[0] = z();
    for (let t = 1; t < n; t++) x[t] = phi * x[t - 1] + s * z();
    return x;
  });
}

// Plain float64 TypeScript references and test matrices for the linalg tests (not a test file).

/** A small seeded generator for test data (xorshift-multiply; tests only, not library code). */
export function makeRng(seed: number): { uniform(): number; normal(): number } {
  let s = (seed >>> 0) || 1;
  const uniform = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return {
    uniform,
    normal: () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()),
  };
}

export function randn(n: number, rng: { normal(): number }): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.normal();
  return x;
}

/** C = A·B for A m×k, B k×n (row-major). */
export function matmul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const aip = a[i * k + p];
      if (aip === 0) continue;
      for (let j = 0; j < n; j++) c[i * n + j] += aip * b[p * n + j];
    }
  }
  return c;
}

export function transpose(a: ArrayLike<number>, m: number, n: number): Float64Array {
  const t = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) t[j * m + i] = a[i * n + j];
  return t;
}

export function identity(n: number): Float64Array {
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) a[i * n + i] = 1;
  return a;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** A random orthogonal n×n matrix: modified Gram-Schmidt, twice, on Gaussian columns. */
export function randomOrthogonal(n: number, rng: { normal(): number }): Float64Array {
  const q = randn(n * n, rng); // columns are the vectors
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < j; k++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += q[i * n + k] * q[i * n + j];
        for (let i = 0; i < n; i++) q[i * n + j] -= d * q[i * n + k];
      }
      let s = 0;
      for (let i = 0; i < n; i++) s += q[i * n + j] ** 2;
      s = Math.sqrt(s);
      for (let i = 0; i < n; i++) q[i * n + j] /= s;
    }
  }
  return q;
}

/** A = Q·diag(lams)·Qᵀ with a random orthogonal Q, exactly symmetric. */
export function symWithSpectrum(lams: ArrayLike<number>, rng: { normal(): number }): Float64Array {
  const n = lams.length;
  const q = randomOrthogonal(n, rng);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i * n + k] * lams[k] * q[j * n + k];
      a[i * n + j] = s;
      a[j * n + i] = s;
    }
  }
  return a;
}

/** Eigenvalues spread geometrically from 1 down to 1/cond. */
export function geometricSpectrum(n: number, cond: number): Float64Array {
  const l = new Float64Array(n);
  for (let i = 0; i < n; i++) l[i] = n === 1 ? 1 : Math.pow(cond, -i / (n - 1));
  return l;
}

/** A random SPD matrix Bᵀ·B/n + I·shift (well conditioned for shift ~ 1). */
export function randomSpd(n: number, rng: { normal(): number }, shift = 0.5): Float64Array {
  const b = randn(n * n, rng);
  const a = matmul(transpose(b, n, n), b, n, n, n);
  for (let i = 0; i < n * n; i++) a[i] /= n;
  for (let i = 0; i < n; i++) a[i * n + i] += shift;
  return a;
}

/** Textbook Cholesky (lower, row-major), for comparison. */
export function refCholesky(a: ArrayLike<number>, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] ** 2;
    l[j * n + j] = Math.sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / l[j * n + j];
    }
  }
  return l;
}

/** x = L⁻¹b or L⁻ᵀb by plain substitution. */
export function refTriSolve(l: ArrayLike<number>, b: ArrayLike<number>, n: number, trans: boolean): Float64Array {
  const x = Float64Array.from(b);
  if (!trans) {
    for (let i = 0; i < n; i++) {
      let s = x[i];
      for (let k = 0; k < i; k++) s -= l[i * n + k] * x[k];
      x[i] = s / l[i * n + i];
    }
  } else {
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i];
      for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
      x[i] = s / l[i * n + i];
    }
  }
  return x;
}

/**
 * Eigenvalues (ascending) of a symmetric matrix by cyclic Jacobi rotations in plain float64: slow
 * (O(n³) per sweep) but simple and accurate to a few ε‖A‖ whatever the spectrum (clusters, zeros,
 * wide ranges), so it is the reference the QL solver is held to.
 */
export function refEigvalsJacobi(a: ArrayLike<number>, n: number): Float64Array {
  const m = Float64Array.from(a);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        total += m[i * n + j] ** 2;
        if (i !== j) off += m[i * n + j] ** 2;
      }
    }
    if (off <= 1e-32 * total) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        // The rotation that zeroes m[p][q] (the smaller root of t² + 2θt − 1 = 0).
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.hypot(theta, 1));
        const c = 1 / Math.hypot(t, 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k * n + p];
          const mkq = m[k * n + q];
          m[k * n + p] = c * mkp - s * mkq;
          m[k * n + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p * n + k];
          const mqk = m[q * n + k];
          m[p * n + k] = c * mpk - s * mqk;
          m[q * n + k] = s * mpk + c * mqk;
        }
        // Zero by construction: set it so, and the off-diagonal mass falls quadratically to nothing.
        m[p * n + q] = 0;
        m[q * n + p] = 0;
      }
    }
  }
  return Float64Array.from({ length: n }, (_, i) => m[i * n + i]).sort();
}

/** JᵀJ for J k×n (row-major): a Gram matrix of rank ≤ k, as the GGN of k residuals is. */
export function gram(j: ArrayLike<number>, k: number, n: number): Float64Array {
  return matmul(transpose(j, k, n), j, n, k, n);
}

/** Runs steps (a stepwise kernel's generator) to their end, counting them. */
export function drainCounting<T>(g: Generator<number | void, T, void>): { value: T; steps: number } {
  let steps = 0;
  for (;;) {
    const r = g.next();
    if (r.done) return { value: r.value, steps };
    steps++;
  }
}

/** The same float64 bits (Uint8Array views compared, as Node and the browser both have them). */
export function sameBits(a: Float64Array, b: Float64Array): boolean {
  const [x, y] = [new Uint8Array(a.buffer, a.byteOffset, a.byteLength), new Uint8Array(b.buffer, b.byteOffset, b.byteLength)];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

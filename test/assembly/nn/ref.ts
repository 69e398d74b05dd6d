// Float64 references and small utilities for the nn kernel tests (not a test file itself).
import { Rng } from '../../../src/random/index.js';

/** erf by its Maclaurin series (|x| < 2.5, ~1e-13 relative) or erfc's continued fraction beyond. */
export function erfc(x: number): number {
  if (x < 0) return 2 - erfc(-x);
  if (x < 2.5) {
    let term = x;
    let sum = x;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-18 * Math.abs(sum); n++) {
      term *= (-x * x) / n;
      sum += term / (2 * n + 1);
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  // x + (1/2)/(x + 1/(x + (3/2)/(x + ...))), evaluated from the bottom.
  let f = x;
  for (let k = 300; k >= 1; k--) f = x + k / 2 / f;
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * f);
}

export const normCdf = (x: number): number => 0.5 * erfc(-x / Math.SQRT2);
export const normPdf = (x: number): number => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
export const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
export const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

export const ACTS = ['identity', 'relu', 'tanh', 'sigmoid', 'gelu'] as const;

/** Activation forward in float64, by code. */
export function actRef(code: number, x: number): number {
  switch (code) {
    case 0: return x;
    case 1: return x > 0 ? x : 0;
    case 2: return Math.tanh(x);
    case 3: return sigmoid(x);
    default: return x * normCdf(x);
  }
}

/** Activation derivative in float64, by code. */
export function actDerivRef(code: number, x: number): number {
  switch (code) {
    case 0: return 1;
    case 1: return x > 0 ? 1 : 0;
    case 2: return 1 - Math.tanh(x) ** 2;
    case 3: return sigmoid(x) * (1 - sigmoid(x));
    default: return normCdf(x) + x * normPdf(x);
  }
}

/** n deterministic f32 values, normal × scale + shift. */
export function randF32(n: number, seed: number, scale = 1, shift = 0): Float32Array {
  const r = new Rng(seed, 1);
  return Float32Array.from({ length: n }, () => r.normal() * scale + shift);
}

/** The awkward shapes every kernel is tested on. */
export const SHAPES: readonly (readonly [number, number])[] = [[1, 1], [7, 13], [37, 129], [4, 8], [3, 5]];

/** Largest |a − b| / (|b| + floor) over two arrays. */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-30): number {
  let w = 0;
  for (let i = 0; i < b.length; i++) {
    const e = Math.abs(a[i] - b[i]) / (Math.abs(b[i]) + floor);
    if (!(e <= w)) w = e; // NaN propagates as the worst
  }
  return w;
}

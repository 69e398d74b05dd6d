import * as exact from '../../random/exact-math.js';

/**
 * The one-coordinate log det every Laplace structure's evidence search evaluates: with the work that
 * does not depend on the searched λ done once (the other coordinates' terms summed into `base`, the
 * searched block reduced to the values `v`), log det = base + Σᵢ log(vᵢ + λ), O(len v) per λ.
 */
export function shiftedLogdet(base: number, v: Float64Array): (lambda: number) => number {
  return (lambda) => {
    let sum = base;
    for (const e of v) {
      const x = e + lambda;
      // Not positive definite at this λ: no log det (NaN, which the search treats as no evidence).
      if (!(x > 0)) return NaN;
      sum += exact.log(x);
    }
    return sum;
  };
}

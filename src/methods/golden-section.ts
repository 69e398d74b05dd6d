/** Golden-section search: the one scalar maximizer the methods' hyperparameter searches share. */

/** Maximizes f over [lo, hi] (f unimodal there), to `tol` in x; a NaN value counts as −∞. */
export function goldenMax(f: (x: number) => number, lo: number, hi: number, tol = 1e-7): number {
  const r = (Math.sqrt(5) - 1) / 2;
  const val = (x: number) => {
    const v = f(x);
    return Number.isNaN(v) ? -Infinity : v;
  };
  let a = lo;
  let b = hi;
  let c = b - r * (b - a);
  let d = a + r * (b - a);
  let fc = val(c);
  let fd = val(d);
  while (b - a > tol) {
    if (fc >= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - r * (b - a);
      fc = val(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + r * (b - a);
      fd = val(d);
    }
  }
  return (a + b) / 2;
}

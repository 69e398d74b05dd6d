/**
 * Input checks shared by the metrics, run at the public boundary before any work: shapes, emptiness,
 * finiteness, label ranges. Each error names the argument, what was expected, what was found and
 * what to do.
 */
import { argError, describe } from '../errors.js';

/** A matrix as a flat row-major array, or as an array of rows. */
export type SampleMatrix = ArrayLike<number> | ReadonlyArray<ArrayLike<number>>;

/** Checks a non-empty array of finite numbers. */
export function finiteVector(x: ArrayLike<number>, argument: string): ArrayLike<number> {
  if (x == null || typeof x.length !== 'number' || typeof x === 'string') {
    throw argError('E_SHAPE', argument, 'an array of numbers', describe(x), 'Pass a number[] or a typed array.');
  }
  if (x.length === 0) throw argError('E_EMPTY', argument, 'at least one value', 'an empty array', 'Metrics need at least one prediction.');
  for (let i = 0; i < x.length; i++) {
    if (typeof x[i] !== 'number' || !Number.isFinite(x[i])) {
      throw argError('E_NONFINITE', `${argument}[${i}]`, 'a finite number', describe(x[i]), 'Remove or fix the non-finite value (a NaN prediction usually means training diverged).');
    }
  }
  return x;
}

/** Checks that two arrays have the same length. */
export function sameLength(a: ArrayLike<unknown>, aName: string, b: ArrayLike<unknown>, bName: string): void {
  if (a.length !== b.length) {
    throw argError('E_SHAPE', bName, `${a.length} values (one per entry of ${aName})`, `${b.length}`, `Pass ${aName} and ${bName} for the same points.`);
  }
}

/** Checks variances: finite and strictly positive. */
export function positiveVector(x: ArrayLike<number>, argument: string): ArrayLike<number> {
  finiteVector(x, argument);
  for (let i = 0; i < x.length; i++) {
    if (!(x[i] > 0)) {
      throw argError('E_ARG', `${argument}[${i}]`, 'a variance > 0', String(x[i]), 'Add a small floor (e.g. 1e-12) to degenerate variances.');
    }
  }
  return x;
}

/** How far outside [0, 1] a probability may stray by floating-point rounding. */
export const PROB_ROUNDING = 1e-9;

/**
 * Checks an N×K row-major probability matrix (entries in [0, 1] up to rounding, rows summing to 1
 * within 1e-4, which catches logits passed by mistake) and returns K.
 */
export function probabilityMatrix(probs: ArrayLike<number>, n: number, argument = 'probs'): number {
  finiteVector(probs, argument);
  const k = probs.length / n;
  if (!Number.isInteger(k) || k < 1) {
    throw argError('E_SHAPE', argument, `N×K values with N = ${n} (a multiple of ${n})`, `${probs.length}`, 'Pass the probabilities row-major, one row of K classes per point.');
  }
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) {
      const p = probs[i * k + j];
      // Averages of softmax outputs can land an ulp or so outside [0, 1]: allow rounding, not logits.
      if (p < -PROB_ROUNDING || p > 1 + PROB_ROUNDING) {
        throw argError('E_ARG', `${argument}[${i * k + j}]`, 'a probability in [0, 1]', String(p), 'Pass probabilities (softmax outputs), not logits.');
      }
      s += p;
    }
    if (Math.abs(s - 1) > 1e-4) {
      throw argError('E_ARG', `${argument} row ${i}`, 'probabilities summing to 1', `sum ${s}`, 'Pass normalized probabilities (softmax outputs), not logits or scores.');
    }
  }
  return k;
}

/** Checks class labels: integers in [0, k). */
export function labelVector(labels: ArrayLike<number>, k: number, argument = 'labels'): void {
  finiteVector(labels, argument);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= k) {
      throw argError('E_ARG', `${argument}[${i}]`, `an integer class index in [0, ${k})`, String(y), `Labels must index the ${k} columns of probs; re-encode them as 0 … ${k - 1}.`);
    }
  }
}

/** Flattens an S×N matrix (flat or as rows) whose rows have length n; returns the data and S. */
export function matrixRows(x: SampleMatrix, n: number, argument: string): { data: ArrayLike<number>; rows: number } {
  if (Array.isArray(x) && x.length > 0 && typeof x[0] !== 'number') {
    const rows = x as ReadonlyArray<ArrayLike<number>>;
    const data = new Float64Array(rows.length * n);
    rows.forEach((r, s) => {
      if (r == null || r.length !== n) {
        throw argError('E_SHAPE', `${argument}[${s}]`, `${n} values (one per test point)`, describe(r), 'Every sample row must cover all test points.');
      }
      data.set(finiteVector(r, `${argument}[${s}]`), s * n);
    });
    return { data, rows: rows.length };
  }
  const flat = finiteVector(x as ArrayLike<number>, argument);
  if (flat.length % n !== 0) {
    throw argError('E_SHAPE', argument, `S×N values with N = ${n}`, `${flat.length}`, 'Pass S rows of N values (flat row-major or as an array of rows).');
  }
  return { data: flat, rows: flat.length / n };
}

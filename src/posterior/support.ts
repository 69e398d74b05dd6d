/**
 * Where the training inputs are, so that a heteroscedastic variance head is not trusted where it was
 * never fitted. A ReLU head extrapolates its raw output linearly, and softplus of a large negative
 * number is ~0: far from the data every member can claim near-zero noise while their means miss — on
 * UCI wine (split 3 of eval/) two test wines with 278 and 289 mg/L total SO₂ (training maximum 165)
 * got σ² ≈ 1e-5 from all five members and cost −1322 and −752 nats. Detlefsen, Jørgensen & Hauberg
 * (2019, "Reliable training and estimation of variance networks") let the variance revert to a
 * prior level away from the data; this is the same idea, post hoc and with no free parameter:
 *
 *   w(x) = clamp((d(x) − d_near) / (d_far − d_near), 0, 1),   σ²(x) ← σ²(x) + w(x)·max(0, η − σ²(x)),
 *
 * d(x) the distance from x to its nearest training input (in the space the network sees), d_near and
 * d_far the median and the maximum of the training inputs' own leave-one-out nearest-neighbour
 * distances (so the ramp is set by how sparse the data are, not by a tuned scale), and η the member's
 * mean predicted variance on its training rows. Inside the data w ≈ 0 and nothing changes; beyond the
 * most isolated training row the variance is at least the member's typical noise. Only raises.
 */
import { argError, describe } from '../errors.js';

/** The training inputs kept to measure distances (row-major, `inputs` columns) and the ramp's ends. */
export interface InputSupport {
  rows: Float32Array;
  inputs: number;
  /** Median leave-one-out nearest-neighbour distance of the kept rows: w = 0 up to here. */
  near: number;
  /** Largest leave-one-out nearest-neighbour distance: w = 1 from here on. */
  far: number;
}

/** Rows kept at most (every k-th row beyond): the distances cost O(rows·inputs) per test point. */
export const SUPPORT_ROWS = 2000;

/** The default cap: SUPPORT_ROWS, fewer for wide inputs so the leave-one-out pass (rows²·inputs) stays ≤ 1e9 flops. */
export function supportRows(inputs: number): number {
  return Math.max(2, Math.min(SUPPORT_ROWS, Math.floor(Math.sqrt(1e9 / inputs))));
}

/** The support of n rows of training inputs (already in the network's input space). */
export function inputSupport(x: Float32Array, inputs: number, maxRows = supportRows(inputs)): InputSupport {
  const n = x.length / inputs;
  if (!(n >= 2 && Number.isInteger(n))) throw argError('E_SHAPE', 'x', `at least 2 whole rows of ${inputs} inputs`, describe(x), 'Pass the training inputs.');
  const stride = Math.ceil(n / maxRows);
  const kept = Math.ceil(n / stride);
  const rows = new Float32Array(kept * inputs);
  for (let r = 0; r < kept; r++) rows.set(x.subarray(r * stride * inputs, (r * stride + 1) * inputs), r * inputs);
  const loo = new Float64Array(kept);
  for (let r = 0; r < kept; r++) loo[r] = nearest(rows, inputs, rows, r, r);
  loo.sort();
  return { rows, inputs, near: loo[kept >> 1], far: loo[kept - 1] };
}

/** w(x) per row of x (same input space as the support): 0 on the data, 1 beyond its most isolated row. */
export function offDataWeight(s: InputSupport, x: Float32Array): Float64Array {
  const n = x.length / s.inputs;
  const w = new Float64Array(n);
  const span = s.far - s.near;
  for (let i = 0; i < n; i++) {
    const d = nearest(s.rows, s.inputs, x, i, -1);
    w[i] = span > 0 ? Math.min(1, Math.max(0, (d - s.near) / span)) : d > s.far ? 1 : 0;
  }
  return w;
}

/** Raises a variance towards `level` by the weight w (never lowers it). */
export function revertVariance(v: number, level: number, w: number): number {
  return v < level ? v + w * (level - v) : v;
}

/** Euclidean distance from row i of x to the nearest row of `rows`, skipping row `skip`. */
function nearest(rows: Float32Array, D: number, x: Float32Array, i: number, skip: number): number {
  let best = Infinity;
  const n = rows.length / D;
  for (let r = 0; r < n; r++) {
    if (r === skip) continue;
    let s = 0;
    for (let j = 0; j < D; j++) {
      const d = rows[r * D + j] - x[i * D + j];
      s += d * d;
    }
    if (s < best) best = s;
  }
  return Math.sqrt(best);
}

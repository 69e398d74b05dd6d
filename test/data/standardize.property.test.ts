// Property test over standardization (src/data/standardize.ts): scaling a column by a power of two
// is exact in floating point, so the standardized values must not change — whatever the scale, as
// long as the values stay normal float32 numbers and the target within the limits fitStandardizer
// sets (σ_y within [1e-18, 1e18]). A column is constant only when its values are equal, not when
// they are small.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Dataset } from '../../src/data/dataset.js';
import { applyStandardizer, fitStandardizer } from '../../src/data/standardize.js';
import { fuzz } from '../helpers/fuzz.js';

/** n rows of `cols` values that are multiples of 1/16 in [-4, 4] (exact under any power-of-two scale). */
const table = (cols: number) => fc.integer({ min: 2, max: 12 }).chain((n) => fc.array(fc.integer({ min: -64, max: 64 }), { minLength: n * cols, maxLength: n * cols }).map((v) => ({ n, v: Float32Array.from(v, (k) => k / 16) })));

function dataset(x: Float32Array, y: Float32Array, inputs: number): Dataset {
  return { x, y, n: y.length, inputs, targets: 1 };
}

describe('standardization under a power-of-two scale', () => {
  it('standardized inputs and targets are the same bits at every scale (inputs 2^-100 … 2^55, targets from 2^-50)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }).chain((d) => fc.tuple(fc.constant(d), table(d + 1))), fc.integer({ min: -100, max: 55 }), fc.boolean(), ([d, { n, v }], k, scaleTargets) => {
        const x = new Float32Array(n * d);
        const y = new Float32Array(n);
        for (let i = 0; i < n; i++) {
          x.set(v.subarray(i * (d + 1), i * (d + 1) + d), i * d);
          y[i] = v[i * (d + 1) + d];
        }
        const f = 2 ** k;
        const base = applyStandardizer(fitStandardizer(dataset(x, y, d), scaleTargets), dataset(x, y, d));
        const xs = x.map((a) => a * f);
        // Targets keep σ ≥ 1e-18 (TARGET_STD_FLOOR): their scale stops at 2^-50.
        const ys = y.map((a) => a * 2 ** Math.max(k, -50));
        const scaled = applyStandardizer(fitStandardizer(dataset(xs, ys, d), scaleTargets), dataset(xs, ys, d));
        expect(Array.from(scaled.x)).toEqual(Array.from(base.x));
        if (scaleTargets) expect(Array.from(scaled.y)).toEqual(Array.from(base.y));
      }),
      fuzz(),
    );
  });
});

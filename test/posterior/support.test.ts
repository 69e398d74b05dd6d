import { describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { inputSupport, offDataWeight, revertVariance, supportRows } from '../../src/posterior/support.js';

describe('input support (off-data weight of a variance head)', () => {
  // Points 0, 1, 2, 10 on a line: leave-one-out nearest distances 1, 1, 1, 8.
  const line = Float32Array.from([0, 1, 2, 10]);

  it('sets the ramp from the median and the largest leave-one-out nearest-neighbour distance', () => {
    const s = inputSupport(line, 1);
    expect(s.near).toBe(1);
    expect(s.far).toBe(8);
    expect(Array.from(s.rows)).toEqual([0, 1, 2, 10]);
  });

  it('weighs 0 on the data, 1 beyond its most isolated row, linearly between', () => {
    const w = offDataWeight(inputSupport(line, 1), Float32Array.from([1.5, 5, 6, -20, 10]));
    // distances 0.5, 3, 4, 20, 0
    expect(w[0]).toBe(0);
    expect(w[1]).toBeCloseTo((3 - 1) / 7, 12);
    expect(w[2]).toBeCloseTo((4 - 1) / 7, 12);
    expect(w[3]).toBe(1);
    expect(w[4]).toBe(0);
  });

  it('measures Euclidean distance over all inputs (2-D rows)', () => {
    const s = inputSupport(Float32Array.from([0, 0, 3, 4, 0, 1]), 2); // LOO: 1, 4.243, 1
    expect(s.near).toBeCloseTo(1, 12);
    expect(s.far).toBeCloseTo(Math.hypot(3, 3), 5);
    const w = offDataWeight(s, Float32Array.from([3, 6.5, 6, 8])); // distances 2.5 and 5 from (3, 4)
    expect(w[0]).toBeCloseTo((2.5 - 1) / (Math.hypot(3, 3) - 1), 5);
    expect(w[1]).toBe(1);
  });

  it('keeps every k-th row beyond the cap', () => {
    const x = Float32Array.from({ length: 10 }, (_, i) => i);
    const s = inputSupport(x, 1, 4); // stride 3: rows 0, 3, 6, 9
    expect(Array.from(s.rows)).toEqual([0, 3, 6, 9]);
    expect(s.near).toBe(3);
    expect(s.far).toBe(3);
    // A zero-width ramp: off the data means beyond the farthest row.
    expect(Array.from(offDataWeight(s, Float32Array.from([1, 4.5, 13])))).toEqual([0, 0, 1]);
  });

  it('only ever raises a variance, by the weight', () => {
    expect(revertVariance(0.1, 1, 0)).toBe(0.1);
    expect(revertVariance(0.1, 1, 1)).toBe(1);
    expect(revertVariance(0.1, 1, 0.5)).toBeCloseTo(0.55, 15);
    expect(revertVariance(2, 1, 1)).toBe(2);
  });

  it('refuses fewer than two rows with a typed error', () => {
    expect(() => inputSupport(Float32Array.from([1]), 1)).toThrow(BdlError);
    expect(() => inputSupport(Float32Array.from([1, 2, 3]), 2)).toThrow(BdlError);
  });
});

describe('support size', () => {
  it('keeps at most 2000 rows, fewer for wide inputs (leave-one-out pass ≤ 1e9 flops)', () => {
    expect(supportRows(13)).toBe(2000);
    expect(supportRows(784)).toBe(1129);
    expect(supportRows(784) ** 2 * 784).toBeLessThanOrEqual(1e9);
  });
});

import { describe, expect, it } from 'vitest';
import { goldenMax } from '../../src/methods/golden-section.js';

describe('goldenMax', () => {
  it('finds the maximizer of a unimodal function to the tolerance, at either end too', () => {
    expect(goldenMax((x) => -((x - 0.3) ** 2), -2, 5)).toBeCloseTo(0.3, 6);
    expect(goldenMax((x) => Math.log(x) - x, 0.01, 10, 1e-9)).toBeCloseTo(1, 7);
    expect(goldenMax((x) => x, 0, 1)).toBeCloseTo(1, 6);
  });

  it('treats NaN as −∞ (e.g. a precision that is not positive definite there)', () => {
    expect(goldenMax((x) => (x > 2 ? NaN : -((x - 1) ** 2)), 0, 4)).toBeCloseTo(1, 6);
  });
});

import { describe, expect, it } from 'vitest';
import { gaussianLogLik, intervalWidth, mixtureLogLik, picp, rmse } from '../../src/metrics/regression.js';
import { BdlError } from '../../src/errors.js';

const LOG_2PI = Math.log(2 * Math.PI);

describe('regression metrics', () => {
  it('RMSE by hand', () => {
    // errors 1, 0, 2 → √(5/3)
    expect(rmse([1, 2, 3], [2, 2, 5])).toBeCloseTo(Math.sqrt(5 / 3), 15);
  });

  it('Gaussian log-likelihood by hand', () => {
    // point 1: N(1 | 0, 1) → −½(ln 2π + 0 + 1) = −1.418939
    // point 2: N(1 | 1, 4) → −½(ln 2π + ln 4 + 0) = −1.612086
    // mean −1.515512
    const expected = (-0.5 * (LOG_2PI + 1) - 0.5 * (LOG_2PI + Math.log(4))) / 2;
    expect(gaussianLogLik([0, 1], [1, 4], [1, 1])).toBeCloseTo(expected, 14);
    expect(expected).toBeCloseTo(-1.515512, 6);
  });

  it('mixture of identical components equals the single Gaussian', () => {
    const mean = [0.3, -1.2, 4];
    const variance = [0.5, 2, 0.01];
    const y = [0, -1, 4.05];
    const rows = [mean, mean, mean, mean];
    expect(mixtureLogLik(rows, [variance, variance, variance, variance], y)).toBeCloseTo(gaussianLogLik(mean, variance, y), 13);
    // flat S×N (Float32Array, as members.mean) gives the same
    expect(mixtureLogLik(Float32Array.from(rows.flat()), Float32Array.from([variance, variance, variance, variance].flat()), y))
      .toBeCloseTo(gaussianLogLik(Float32Array.from(mean), Float32Array.from(variance), y), 6);
  });

  it('mixture by hand: ½N(0|0,1) + ½N(0|0,4)', () => {
    // ½(0.3989423 + 0.1994711) = 0.2992067 → ln = −1.206621
    const expected = Math.log(0.5 * (1 / Math.sqrt(2 * Math.PI) + 1 / Math.sqrt(8 * Math.PI)));
    expect(mixtureLogLik([[0], [0]], [[1], [4]], [0])).toBeCloseTo(expected, 14);
    expect(expected).toBeCloseTo(-1.206621, 6);
  });

  it('mixture stays finite where every component underflows', () => {
    // components at ±1000 with variance 1e-6, y = 1000: the first dominates, log ½ + log N(0 | 0, 1e-6)
    const ll = mixtureLogLik([[1000], [-1000]], [[1e-6], [1e-6]], [1000]);
    expect(ll).toBeCloseTo(Math.log(0.5) - 0.5 * (LOG_2PI + Math.log(1e-6)), 10);
    const far = mixtureLogLik([[0], [1]], [[1e-6], [1e-6]], [1000]);
    expect(Number.isFinite(far)).toBe(true);
  });

  it('PICP and interval width of a known case', () => {
    // N(0, 1), 95%: z = 1.959964; |y| ≤ z for 0, 1.9, −1.95 but not 1.96, 2.0, −3 → 3/6
    const y = [0, 1.9, 1.96, 2.0, -1.95, -3];
    const zeros = y.map(() => 0);
    const ones = y.map(() => 1);
    expect(picp(zeros, ones, y)).toBe(0.5);
    expect(picp(zeros, ones, y, 0.99)).toBeCloseTo(5 / 6, 15); // z = 2.5758: only −3 outside
    expect(intervalWidth(ones)).toBeCloseTo(2 * 1.959963984540054, 13);
    expect(intervalWidth([1, 4])).toBeCloseTo(1.5 * 2 * 1.959963984540054, 13);
  });

  it('validates its input', () => {
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as BdlError).code;
      }
      return 'none';
    };
    expect(err(() => rmse([1, 2], [1]))).toBe('E_SHAPE');
    expect(err(() => rmse([], []))).toBe('E_EMPTY');
    expect(err(() => gaussianLogLik([0], [0], [0]))).toBe('E_ARG');
    expect(err(() => gaussianLogLik([0], [Infinity], [0]))).toBe('E_NONFINITE');
    expect(err(() => mixtureLogLik([[0, 1]], [[1, 1], [1, 1]], [0, 1]))).toBe('E_SHAPE');
    expect(err(() => mixtureLogLik([0, 1, 2], [1, 1, 1], [0, 1]))).toBe('E_SHAPE');
    expect(err(() => picp([0], [1], [0], 1.5))).toBe('E_ARG');
    expect(() => rmse([1, 2], [1])).toThrowError(/y: expected 2 values \(one per entry of mean\), found 1/);
  });
});

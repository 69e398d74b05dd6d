import { describe, expect, it } from 'vitest';
import { windowInit, windowStep } from '../../src/samplers/metric-window.js';

describe('metric window (pure)', () => {
  it('closes windows at Stan\'s points with the regularized variance and never mutates its input', () => {
    const W = 1000;
    let s = windowInit(2, W, { initBuffer: 75, baseWindow: 25, termBuffer: 50 });
    const closed: number[] = [];
    const x = new Float64Array(2);
    for (let c = 0; c < W; c++) {
      x[0] = c % 2;
      x[1] = 3;
      const before = JSON.stringify(s);
      const [next, inv] = windowStep(s, W, x);
      expect(JSON.stringify(s)).toBe(before);
      if (inv) {
        closed.push(c);
        const from = closed.length === 1 ? 75 : closed[closed.length - 2] + 1;
        const n = c + 1 - from;
        {
          let ones = 0;
          for (let k = from; k <= c; k++) ones += k % 2;
          const v = (ones * (n - ones)) / n / (n - 1); // sample variance of `ones` ones among n 0/1 values
          expect(inv[0]).toBeCloseTo((n / (n + 5)) * v + 1e-3 * (5 / (n + 5)), 12);
          expect(inv[1]).toBeCloseTo(1e-3 * (5 / (n + 5)), 15);
        }
      }
      s = next;
    }
    expect(closed).toEqual([99, 149, 249, 449, 949]); // Stan's 25, 50, 100, 200, 500
  });
});

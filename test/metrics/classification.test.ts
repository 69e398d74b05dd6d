import { describe, expect, it } from 'vitest';
import { accuracy, brier, ece, eceOf, mce, nll, reliability, reliabilityOf, topClass } from '../../src/metrics/classification.js';
import { BdlError } from '../../src/errors.js';

// 3 points, 3 classes
const probs = [0.7, 0.2, 0.1, 0.1, 0.6, 0.3, 0.3, 0.3, 0.4];
const labels = [0, 2, 2];

describe('accuracy, NLL, Brier', () => {
  it('by hand', () => {
    // argmax 0, 1, 2 vs labels 0, 2, 2 → 2 of 3 right
    expect(accuracy(probs, labels)).toBeCloseTo(2 / 3, 15);
    // −(ln 0.7 + ln 0.3 + ln 0.4)/3 = (0.356675 + 1.203973 + 0.916291)/3 = 0.825646
    expect(nll(probs, labels)).toBeCloseTo(-(Math.log(0.7) + Math.log(0.3) + Math.log(0.4)) / 3, 14);
    expect(nll(probs, labels)).toBeCloseTo(0.825646, 6);
    // (0.3² + 0.2² + 0.1²) + (0.1² + 0.6² + 0.7²) + (0.3² + 0.3² + 0.6²) = 0.14 + 0.86 + 0.54 = 1.54 → /3
    expect(brier(probs, labels)).toBeCloseTo(1.54 / 3, 14);
  });

  it('clamps the true-class probability at 1e-12 in the NLL', () => {
    // −ln(1e-12) = 27.631021
    expect(nll([1, 0], [1])).toBeCloseTo(-Math.log(1e-12), 12);
  });

  it('accepts typed arrays and float labels holding integers', () => {
    expect(accuracy(Float32Array.from([0.25, 0.75]), Float32Array.from([1]))).toBe(1);
  });
});

// 6 binary predictions: (probs, label) → (top-class confidence, correct?)
const p6 = [0.9, 0.1, 0.8, 0.2, 0.4, 0.6, 0.5, 0.5, 0.55, 0.45, 0.3, 0.7];
const y6 = [0, 1, 1, 0, 1, 1];
// → (0.9, ✓) (0.8, ✗) (0.6, ✓) (0.5, ✓ — the first class wins the tie) (0.55, ✗) (0.7, ✓)

describe('calibration', () => {
  it('ECE and MCE with 3 equal-width bins on 6 predictions, by hand', () => {
    // bins (0, 1/3], (1/3, 2/3], (2/3, 1]:
    //   bin 0: empty (binary confidences are ≥ 0.5)
    //   bin 1: 0.6 ✓, 0.5 ✓, 0.55 ✗ → confidence 0.55, accuracy 2/3, gap 0.116667
    //   bin 2: 0.9 ✓, 0.8 ✗, 0.7 ✓ → confidence 0.8,  accuracy 2/3, gap 0.133333
    // ECE = 3/6·0.116667 + 3/6·0.133333 = 0.125;  MCE = 0.133333
    expect(ece(p6, y6, { bins: 3 })).toBeCloseTo(0.125, 14);
    expect(mce(p6, y6, { bins: 3 })).toBeCloseTo(2 / 15, 14);
    const r = reliability(p6, y6, { bins: 3 });
    expect(r[0]).toEqual({ lo: 0, hi: 1 / 3, count: 0, confidence: NaN, accuracy: NaN });
    expect(r[1].count).toBe(3);
    expect(r[1].confidence).toBeCloseTo(0.55, 14);
    expect(r[2].accuracy).toBeCloseTo(2 / 3, 14);
  });

  it('topClass gives the per-point confidences and hits; reliabilityOf and eceOf on them match reliability and ece', () => {
    const t = topClass(p6, y6);
    expect(Array.from(t.confidence)).toEqual([0.9, 0.8, 0.6, 0.5, 0.55, 0.7]);
    expect(Array.from(t.correct)).toEqual([1, 0, 1, 1, 0, 1]);
    expect(eceOf(t.confidence, t.correct, { bins: 3 })).toBeCloseTo(0.125, 14);
    expect(reliabilityOf(t.confidence, t.correct, { bins: 3, scheme: 'mass' })).toEqual(reliability(p6, y6, { bins: 3, scheme: 'mass' }));
    // A resample with repeats: the two hits at 0.9 and the miss at 0.8 → one bin (2/3, 1], confidence 0.8667, accuracy 2/3.
    expect(eceOf([0.9, 0.9, 0.8], [1, 1, 0], { bins: 3 })).toBeCloseTo(Math.abs(2 / 3 - 2.6 / 3), 14);
    expect(() => eceOf([0.9, 1.5], [1, 0])).toThrow(/confidence\[1\]/);
    expect(() => eceOf([0.9, 0.5], [1, 2])).toThrow(/correct\[1\]/);
    expect(() => eceOf([0.9], [1, 0])).toThrow(/correct/);
    expect(() => eceOf([], [])).toThrow(/at least one/);
  });

  it('ECE and MCE with 3 equal-mass bins, by hand', () => {
    // sorted confidences 0.5 ✓, 0.55 ✗ | 0.6 ✓, 0.7 ✓ | 0.8 ✗, 0.9 ✓
    // gaps |0.5 − 0.525| = 0.025, |1 − 0.65| = 0.35, |0.5 − 0.85| = 0.35
    // ECE = (2·0.025 + 2·0.35 + 2·0.35)/6 = 1.45/6;  MCE = 0.35
    expect(ece(p6, y6, { bins: 3, scheme: 'mass' })).toBeCloseTo(1.45 / 6, 14);
    expect(mce(p6, y6, { bins: 3, scheme: 'mass' })).toBeCloseTo(0.35, 14);
    const r = reliability(p6, y6, { bins: 3, scheme: 'mass' });
    expect(r.map((b) => [b.lo, b.hi, b.count])).toEqual([[0.5, 0.55, 2], [0.6, 0.7, 2], [0.8, 0.9, 2]]);
  });

  it('puts a confidence on a bin edge into the lower bin: with 5 bins 0.6 is in (0.4, 0.6], 0.8 in (0.6, 0.8]', () => {
    const r = reliability([0.6, 0.4, 0.2, 0.8], [0, 0], { bins: 5 });
    expect(r.map((b) => b.count)).toEqual([0, 0, 1, 1, 0]);
  });

  it('defaults to 15 equal-width bins, and a perfectly calibrated set has ECE 0', () => {
    // every top-class confidence is 0.75 (predicted classes 0, 0, 0, 1)
    const p = [0.75, 0.25, 0.75, 0.25, 0.75, 0.25, 0.25, 0.75];
    expect(reliability(p, [0, 0, 0, 0])).toHaveLength(15);
    // labels 0, 0, 1, 1: 3 of 4 right → accuracy 0.75 = confidence → ECE 0
    expect(ece(p, [0, 0, 1, 1])).toBeCloseTo(0, 15);
    // labels 0, 0, 1, 0: 2 of 4 right → |0.5 − 0.75| = 0.25
    expect(ece(p, [0, 0, 1, 0])).toBeCloseTo(0.25, 15);
  });
});

describe('input validation', () => {
  function code(f: () => unknown): string {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(BdlError);
      return (e as BdlError).code;
    }
    return 'none';
  }

  it('names the argument and gives a stable code', () => {
    expect(code(() => accuracy([0.5, 0.5, 0.2], [0, 1]))).toBe('E_SHAPE');
    expect(code(() => nll([0.5, NaN], [0]))).toBe('E_NONFINITE');
    expect(code(() => brier([], []))).toBe('E_EMPTY');
    expect(code(() => accuracy([0.5, 0.5], [2]))).toBe('E_ARG');
    expect(code(() => accuracy([0.5, 0.5], [0.5]))).toBe('E_ARG');
    expect(code(() => ece(p6, y6, { bins: 0 }))).toBe('E_ARG');
    expect(() => accuracy([0.5, 0.5], [2])).toThrowError(/labels\[0\]: expected an integer class index in \[0, 2\), found 2/);
    expect(() => nll([2.3, -1.1], [0])).toThrowError(/not logits/);
    expect(() => nll([0.3, 0.3], [0])).toThrowError(/probs row 0: expected probabilities summing to 1/);
    expect(() => nll([1.01, -0.01], [0])).toThrowError(/not logits/);
  });

  it('accepts probabilities an ulp outside [0, 1], as averaged softmax outputs give', () => {
    const p = [1 + 2 ** -50, -(2 ** -52), 0.25, 0.75];
    expect(accuracy(p, [0, 1])).toBe(1);
    expect(nll(p, [0, 1])).toBeCloseTo(Math.log(4 / 3) / 2, 12);
  });

  it('does not mutate its input', () => {
    const p = p6.slice();
    ece(p, y6, { scheme: 'mass' });
    expect(p).toEqual(p6);
  });
});

import { describe, expect, it } from 'vitest';
import { decodePosterior, encodePosterior } from '../../src/posterior/serialize.js';
import { regressionPredictive, classificationPredictive } from '../../src/posterior/aggregate.js';
import { BdlError } from '../../src/errors.js';

const spec = { inputs: 2, hidden: [3], outputs: 1, activation: 'relu', likelihood: 'gaussian' } as const;

describe('posterior format', () => {
  it('round-trips method, spec, standardizer, state and arrays exactly', () => {
    const theta = Float32Array.from([1.5, -2.25, Math.PI, 1e-30]);
    const m = Float64Array.from([Math.E, -0]);
    const bytes = encodePosterior({
      method: 'test',
      spec: { ...spec, hidden: [3] },
      standardizer: { xMean: Float64Array.from([1, 2]), xStd: Float64Array.from([3, 4]), yMean: Float64Array.from([5]), yStd: Float64Array.from([6]) },
      state: { k: 20 },
      arrays: { theta, m },
    });
    const p = decodePosterior(bytes);
    expect(p.method).toBe('test');
    expect(p.state).toEqual({ k: 20 });
    expect(Array.from(p.arrays.theta)).toEqual(Array.from(theta));
    expect(p.arrays.m).toBeInstanceOf(Float64Array);
    expect(Array.from(p.arrays.m)).toEqual(Array.from(m));
    expect(Array.from(p.standardizer!.yStd!)).toEqual([6]);
  });

  it('rejects foreign, truncated and newer buffers with E_FORMAT', () => {
    const bytes = encodePosterior({ method: 't', spec: { ...spec, hidden: [3] }, arrays: { a: new Float32Array(100) } });
    const code = (b: Uint8Array) => {
      try {
        decodePosterior(b);
      } catch (e) {
        return (e as BdlError).code;
      }
    };
    expect(code(new Uint8Array([1, 2, 3]))).toBe('E_FORMAT');
    expect(code(bytes.subarray(0, bytes.length - 50))).toBe('E_FORMAT');
    const newer = bytes.slice();
    newer[4] = 99;
    expect(code(newer)).toBe('E_FORMAT');
  });
});

describe('aggregation', () => {
  it('splits regression variance into aleatoric (mean of variances) and epistemic (variance of means)', () => {
    // Two samples at one point: means 1 and 3, variances 0.5 and 1.5.
    const p = regressionPredictive(Float32Array.from([1, 3]), Float32Array.from([0.5, 1.5]), 2);
    expect(p.mean[0]).toBe(2);
    expect(p.aleatoric[0]).toBe(1);
    expect(p.epistemic[0]).toBe(1); // ((1−2)² + (3−2)²)/2
    expect(p.variance[0]).toBe(2);
  });

  it('gives mutual information = entropy − expected entropy', () => {
    // Two confident samples that disagree: each has entropy ≈ 0, the average is uniform (ln 2).
    const p = classificationPredictive(Float32Array.from([1, 0, 0, 1]), 2, 2);
    expect(p.probs[0]).toBe(0.5);
    expect(p.entropy[0]).toBeCloseTo(Math.LN2, 12);
    expect(p.expectedEntropy[0]).toBe(0);
    expect(p.mutualInformation[0]).toBeCloseTo(Math.LN2, 12);
  });
});

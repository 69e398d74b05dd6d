import { describe, expect, it } from 'vitest';
import { atIndices, bootstrapSe } from '../../src/metrics/bootstrap.js';
import { Rng } from '../../src/random/index.js';

const mean = (a: ArrayLike<number>) => Array.from(a).reduce((p, q) => p + q, 0) / a.length;

describe('bootstrapSe', () => {
  it('matches the closed-form standard error of a mean, sd/√n, within bootstrap noise', () => {
    const rng = new Rng(7);
    const x = Array.from({ length: 400 }, () => rng.normal() * 3);
    const m = mean(x);
    const sd = Math.sqrt(x.reduce((p, v) => p + (v - m) ** 2, 0) / x.length);
    const se = bootstrapSe([x.length], ([i]) => mean(atIndices(x, i)), { resamples: 2000 });
    // 2000 resamples: the SE itself is estimated to about 1/√(2·2000) ≈ 1.6 %.
    expect(se / (sd / Math.sqrt(x.length))).toBeGreaterThan(0.94);
    expect(se / (sd / Math.sqrt(x.length))).toBeLessThan(1.06);
  });

  it('pairs the resamples: a difference of two scores sharing their noise has a small SE, identical scores none', () => {
    const rng = new Rng(8);
    const shared = Array.from({ length: 300 }, () => rng.normal());
    const other = shared.map((v) => v + 0.1 * rng.normal());
    const diff = bootstrapSe([300], ([i]) => mean(atIndices(shared, i)) - mean(atIndices(other, i)));
    const alone = bootstrapSe([300], ([i]) => mean(atIndices(shared, i)));
    expect(diff).toBeLessThan(alone / 5);
    expect(diff).toBeGreaterThan(0);
    expect(bootstrapSe([300], ([i]) => mean(atIndices(shared, i)) - mean(atIndices(shared, i)))).toBe(0);
  });

  it('resamples each group to its own size, from its own range, the same for the same seed', () => {
    const seen: number[][] = [];
    const se = bootstrapSe([3, 5], ([a, b]) => {
      seen.push([a.length, b.length, Math.max(...a), Math.max(...b), Math.min(...a, ...b)]);
      return a[0];
    }, { resamples: 50, seed: 4 });
    expect(seen.every(([na, nb, ma, mb, lo]) => na === 3 && nb === 5 && ma < 3 && mb < 5 && lo >= 0)).toBe(true);
    expect(Math.max(...seen.map((r) => r[3]))).toBe(4);
    expect(bootstrapSe([3, 5], ([a]) => a[0], { resamples: 50, seed: 4 })).toBe(se);
    expect(bootstrapSe([3, 5], ([a]) => a[0], { resamples: 50, seed: 5 })).not.toBe(se);
  });

  it('rejects bad arguments', () => {
    expect(() => bootstrapSe([], () => 0)).toThrow(/groupSizes/);
    expect(() => bootstrapSe([0], () => 0)).toThrow(/groupSizes/);
    expect(() => bootstrapSe([3], () => 0, { resamples: 1 })).toThrow(/resamples/);
  });
});

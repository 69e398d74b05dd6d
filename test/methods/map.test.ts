import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { trainMap } from '../../src/methods/map.js';
import { posteriorFromBytes } from '../../src/posterior/restore.js';
import { Rng } from '../../src/random/index.js';
import { expectRefit } from './helpers.js';

function linear(n: number, noise: number, seed: number) {
  const rng = new Rng(seed);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = 4 * rng.uniform() - 2;
    x.push([a]);
    y.push(10 + 3 * a + noise * (rng.uniform() + rng.uniform() + rng.uniform() - 1.5) * 2);
  }
  return makeDataset(x, y);
}

describe('MAP', () => {
  it('fits the mean and the noise level, in original units, with zero epistemic variance', async () => {
    const train = linear(400, 1, 1);
    const post = await trainMap(train, { hidden: [16], epochs: 60, seed: 1 });
    const x = Float32Array.from([-1, 0, 1]);
    const p = await post.predict(x);
    if (p.kind !== 'regression') throw new Error('regression expected');
    expect(p.mean[1]).toBeCloseTo(10, 0);
    expect(p.mean[2] - p.mean[0]).toBeCloseTo(6, 0);
    // Uniform-sum noise with sd = noise·√(3·(1/12))·2 = 1.
    expect(Math.sqrt(p.aleatoric[0])).toBeGreaterThan(0.8);
    expect(Math.sqrt(p.aleatoric[0])).toBeLessThan(1.25);
    expect(p.epistemic[0]).toBe(0);
  });

  it('restores from bytes with identical predictions', async () => {
    const post = await trainMap(linear(100, 0.5, 2), { hidden: [8], epochs: 5 });
    const again = await posteriorFromBytes(post.toBytes());
    const x = Float32Array.from([0.3, -1.2]);
    const a = await post.predict(x);
    const b = await again.predict(x);
    expect(again.method).toBe('map');
    expect(Array.from(b.kind === 'regression' ? b.mean : [])).toEqual(Array.from(a.kind === 'regression' ? a.mean : []));
  });

  it('regression that stops early trains again on every row for the epochs it kept (the same weights as asking for them); classification does not', async () => {
    await expectRefit(trainMap);
    const labels = makeDataset(Array.from({ length: 300 }, (_, i) => [Math.sin(i)]), Array.from({ length: 300 }, (_, i) => (Math.sin(i) > 0 ? 1 : 0)));
    let starts = 0;
    await trainMap(labels, { task: 'classification', hidden: [4], seed: 2, onProgress: (p) => (starts += p.epoch === 1 ? 1 : 0) });
    expect(starts).toBe(1);
  });
});

/** The 1-D "gap" regression: y = sin(2x) + small noise on x ∈ [−2,−1] ∪ [1,2], nothing in between. */
import { makeDataset, type Dataset } from '../../src/data/dataset.js';
import { Rng } from '../../src/random/index.js';

export function gapData(n: number, seed: number): Dataset {
  const rng = new Rng(seed, 3);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = i % 2 ? -2 + rng.uniform() : 1 + rng.uniform();
    x.push([a]);
    y.push(Math.sin(2 * a) + 0.34 * (rng.uniform() - 0.5));
  }
  return makeDataset(x, y);
}

/** Test inputs: on the left data, in the gap, on the right data. */
export const GAP_X = Float32Array.from([-1.5, 0, 1.5]);

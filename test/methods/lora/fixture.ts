// The small categorical network and data the adapter tests share.
import { makeDataset, type Dataset } from '../../../src/data/dataset.js';
import { Mlp } from '../../../src/model/mlp.js';
import { Rng } from '../../../src/random/index.js';

export const spec = { inputs: 4, hidden: [6], outputs: 3, activation: 'tanh' as const, likelihood: 'categorical' as const };

export function data(n: number, seed: number): Dataset {
  const r = new Rng(seed);
  const x = Array.from({ length: n }, () => Array.from({ length: 4 }, () => r.normal()));
  const y = x.map((row) => (row[0] + 0.5 * row[1] > 0.5 ? 2 : row[2] > 0 ? 1 : 0));
  return makeDataset(x, y);
}

export async function frozen() {
  const mlp = await Mlp.create(spec, { capacity: 64 });
  return { mlp, theta0: mlp.init(3, 0) };
}

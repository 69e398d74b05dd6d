// The same classification predictive in every JavaScript engine: its softmax, the temperature fit
// and the entropies pass through TypeScript's exp/log, which must be exact-math's
// (src/random/exact-math.ts), not Math's, whose last bits differ between V8 versions. Runs in Node
// and Chromium; both must reproduce the golden fingerprints (the plain-SIMD core in both).
import { beforeAll, describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { trainMethod } from '../../src/methods/registry.js';
import { Rng } from '../../src/random/index.js';
import { f64Fingerprint as hash } from '../helpers/fingerprint.js';
import { pinCore } from '../../src/wasm/load.js';


const rng = new Rng(5);
const x = Array.from({ length: 120 }, () => [rng.uniform() * 4 - 2, rng.uniform() * 4 - 2]);
const data = makeDataset(x, x.map(([a, b]) => (a * a + b < 1 ? 0 : a > 0 ? 1 : 2)));
const grid = [[-2, 0], [0, 0], [1, 1], [0.5, -1.5]];

beforeAll(async () => {
  await pinCore('simd');
});

describe('classification predictives in every engine', () => {
  // Before exact-math in src/posterior and src/methods/variational, VI's predictive gave 4593e534 in
  // Node 20 and 81e864ea in Chromium 156 (its σ = softplus(ρ) through Math.log1p/exp); MAP's and MC
  // dropout's agreed on these rows by luck.
  it.each([
    ['map, tempered', 'map', {}, 'ff99babd'],
    ['mc-dropout, tempered', 'mc-dropout', { dropout: 0.1, samples: 8 }, '091a0d29'],
    ['vi, tempered', 'vi', { samples: 8 }, '4593e534'],
  ] as const)('%s: the same temperature and probabilities', async (_, method, o, golden) => {
    const { posterior } = await trainMethod(method, data, { task: 'classification', hidden: [8], epochs: 30, seed: 2, ...o });
    const p = await posterior.predict(grid);
    const got = hash([...(p as { probs: Float32Array | Float64Array }).probs, ...Array.from((p as { entropy?: ArrayLike<number> }).entropy ?? [])]);
    expect(got).toBe(golden);
  });
});

// These three agreed between Node 20 and Chromium 156 before the change too (the rows never met an
// input where the two Maths differ); they guard the training paths that now use exact-math (the
// gaussian loss's log σ², the cosine schedule, SG-MCMC's energy tests).
describe('regression predictives in every engine', () => {
  const xr = Array.from({ length: 100 }, () => [rng.uniform() * 4 - 2]);
  const reg = makeDataset(xr, xr.map(([a]) => Math.sin(2 * a) + 0.2 * (rng.uniform() - 0.5)));
  it.each([
    ['map (noise fitted as it trains)', 'map', {}, '816dc407'],
    ['csgld (cosine cycles)', 'csgld', { epochs: 40, samples: 8 }, '693dcd82'],
    ['sghmc-mh (energy tests)', 'sghmc-mh', { epochs: 40, samples: 8 }, '65a1136a'],
  ] as const)('%s: the same predictive bits', async (_, method, o, golden) => {
    const { posterior } = await trainMethod(method, reg, { hidden: [8], seed: 4, ...o });
    const p = await posterior.predict([[-2.5], [0], [1], [2.5]]);
    const got = hash([...Array.from((p as { mean: ArrayLike<number> }).mean), ...Array.from((p as { variance: ArrayLike<number> }).variance)]);
    expect(got).toBe(golden);
  });
});

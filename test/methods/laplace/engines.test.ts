// The same Laplace posterior in every JavaScript engine: its prior search and evidence pass through
// TypeScript's exp/log, which must be exact-math's (src/random/exact-math.ts) and not Math's, whose
// last bits differ between V8 versions. Runs in Node and Chromium; both must reproduce the golden
// fingerprints (the plain-SIMD core in both: relaxed SIMD rounds differently by design).
import { beforeAll, describe, expect, it } from 'vitest';
import { makeDataset } from '../../../src/data/dataset.js';
import { trainLaplace } from '../../../src/methods/laplace/index.js';
import { Rng } from '../../../src/random/index.js';
import { f64Fingerprint as hash } from '../../helpers/fingerprint.js';
import { pinCore } from '../../../src/wasm/load.js';


const rng = new Rng(11);
const x = Array.from({ length: 80 }, () => [rng.uniform() * 4 - 2, rng.uniform() * 4 - 2]);
const data = makeDataset(x, x.map(([a, b]) => Math.sin(2 * a) + 0.3 * b + 0.1 * (rng.uniform() - 0.5)));
const grid = [[-3, 0], [-1, 1], [0, 0], [1.5, -1], [3, 2]];

beforeAll(async () => {
  await pinCore('simd');
});

describe('Laplace in every engine', () => {
  // Before exact-math in src/methods/laplace and src/linalg/cholesky.ts, the per-layer search gave
  // 60f49070 in Node 20 and e93b724e in Chromium 156 (the last-layer case agreed by luck).
  it.each([
    ['last-layer kron, marglik', { subset: 'last-layer', hessian: 'kron' }, 'f3e09811'],
    ['all full, per-layer marglik', { subset: 'all', hessian: 'full', perLayer: true }, '60f49070'],
  ] as const)('%s: the same prior, evidence and predictive bits', async (_, o, golden) => {
    const post = await trainLaplace(data, { hidden: [8], epochs: 40, seed: 3, ...o });
    const p = await post.predict(grid);
    const info = post.info as Record<string, unknown>;
    const got = hash([...p.mean, ...p.variance, ...[info.priorPrecision].flat().map(Number), Number(info.logEvidence ?? 0)]);
    expect(got).toBe(golden);
  });
});

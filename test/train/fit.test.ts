import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { unscaleMean } from '../../src/data/standardize.js';
import { Mlp } from '../../src/model/mlp.js';
import { fit } from '../../src/train/fit.js';
import { adam, compose, clipByGlobalNorm, momentum, sgd } from '../../src/train/optimizers.js';
import { constant, cosine, cyclical, stepDecay } from '../../src/train/schedules.js';
import { Arena, compileCore } from '../../src/wasm/index.js';
import { Rng } from '../../src/random/index.js';

/** y = sin(3x₀) + x₁² + small noise, x uniform in [-1, 1]². */
function regression(n: number, seed: number) {
  const rng = new Rng(seed, 0);
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = 2 * rng.uniform() - 1;
    const b = 2 * rng.uniform() - 1;
    x.push([a, b]);
    y.push(Math.sin(3 * a) + b * b + 0.05 * (rng.uniform() - 0.5));
  }
  return makeDataset(x, y);
}

/** Three Gaussian blobs in 2-D. */
function blobs(n: number, seed: number) {
  const rng = new Rng(seed, 1);
  const centres = [[0, 2], [2, -1], [-2, -1]];
  const x: number[][] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    x.push([centres[c][0] + 0.5 * (rng.uniform() - 0.5) * 2, centres[c][1] + 0.5 * (rng.uniform() - 0.5) * 2]);
    y.push(c);
  }
  return makeDataset(x, y);
}

/** FNV-1a over the bits of a Float32Array: a compact fingerprint of trained weights. */
function fingerprint(a: Float32Array): string {
  const u = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  let h = 0x811c9dc5;
  for (const b of u) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

describe('fit', () => {
  it('drives a synthetic regression to a low loss, in original units', async () => {
    const ds = regression(400, 1);
    const mlp = await Mlp.create({ inputs: 2, hidden: [32, 32], outputs: 1, activation: 'tanh', likelihood: 'gaussian', noise: 0.1 });
    const r = await fit(mlp, ds, { epochs: 150, batchSize: 32, learningRate: cosine(3e-3), seed: 1, priorPrecision: 1e-2 });
    expect(r.losses.at(-1)!).toBeLessThan(r.losses[0]);
    const pred = unscaleMean(r.standardizer!, mlp.forward(r.params, standardizeRows(r.standardizer!, ds.x)));
    let se = 0;
    for (let i = 0; i < ds.n; i++) se += (pred[i] - ds.y[i]) ** 2;
    expect(Math.sqrt(se / ds.n)).toBeLessThan(0.1); // targets span about ±2
  });

  it('drives a synthetic classification to a low loss', async () => {
    const ds = blobs(300, 2);
    const mlp = await Mlp.create({ inputs: 2, hidden: [16], outputs: 3, activation: 'relu', likelihood: 'categorical' });
    const r = await fit(mlp, ds, { epochs: 30, learningRate: 1e-2, seed: 3 });
    expect(r.losses.at(-1)!).toBeLessThan(0.05);
  });

  it('runs with every optimizer and schedule', async () => {
    const ds = regression(100, 4);
    const mlp = await Mlp.create({ inputs: 2, hidden: [8], outputs: 1, activation: 'relu', likelihood: 'gaussian' });
    for (const [optimizer, lr] of [
      [sgd(), stepDecay(0.05, 50)],
      [momentum(0.9), constant(0.01)],
      [momentum(0.9, true), cyclical(0.01, 2)],
      [compose(clipByGlobalNorm(1), adam()), cosine(0.01)],
    ] as const) {
      const r = await fit(mlp, ds, { epochs: 20, optimizer, learningRate: lr, seed: 1 });
      expect(r.losses.at(-1)!).toBeLessThan(r.losses[0]);
    }
  });

  it('gives bit-identical weights for the same seed, and the same bits in Node and Chromium', async () => {
    // The plain-SIMD core everywhere: relaxed SIMD's fused multiply-add rounds differently by design.
    const arena = await Arena.create(await compileCore('simd'));
    const ds = regression(200, 9);
    const mlp = await Mlp.create({ inputs: 2, hidden: [20], outputs: 1, activation: 'gelu', likelihood: 'gaussian', dropout: 0.1 }, { arena });
    const a = await fit(mlp, ds, { epochs: 5, seed: 42 });
    const b = await fit(mlp, ds, { epochs: 5, seed: 42 });
    const c = await fit(mlp, ds, { epochs: 5, seed: 43 });
    expect(fingerprint(a.params)).toBe(fingerprint(b.params));
    expect(fingerprint(a.params)).not.toBe(fingerprint(c.params));
    expect(fingerprint(a.params)).toBe(GOLDEN_FIT);
  });

  it('calls hooks, stops on request and honours cancellation', async () => {
    const ds = regression(64, 5);
    const mlp = await Mlp.create({ inputs: 2, hidden: [4], outputs: 1, activation: 'relu', likelihood: 'gaussian' });
    let steps = 0;
    const r = await fit(mlp, ds, { epochs: 10, batchSize: 16, hooks: { onStep: () => void steps++, onEpoch: (c) => (c.epoch === 2 ? 'stop' : undefined) } });
    expect(r.losses.length).toBe(3);
    expect(steps).toBe(12);
    const ctl = new AbortController();
    ctl.abort();
    await expect(fit(mlp, ds, { signal: ctl.signal })).rejects.toMatchObject({ code: 'E_ABORTED' });
  });

  it('names the argument that is wrong: epochs, batchSize, priorPrecision', async () => {
    const ds = regression(20, 2);
    const mlp = await Mlp.create({ inputs: 2, hidden: [4], outputs: 1, activation: 'relu', likelihood: 'gaussian' });
    for (const [bad, argument] of [[{ epochs: 0 }, 'epochs'], [{ batchSize: 1.5 }, 'batchSize'], [{ priorPrecision: -1 }, 'priorPrecision'], [{ priorPrecision: 'grid' }, 'priorPrecision']] as const) {
      await expect(fit(mlp, ds, bad as never)).rejects.toMatchObject({ code: 'E_ARG', argument });
    }
    await expect(fit(mlp, ds, { epoch: 3 } as never)).rejects.toMatchObject({ code: 'E_ARG', argument: 'epoch', message: expect.stringMatching(/Did you mean epochs\?/) });
    await expect(fit(mlp, ds, { earlyStopping: { fraction: 0.1 } } as never)).rejects.toMatchObject({ code: 'E_ARG', argument: 'earlyStopping.patience' });
  });

  it('does not mutate the data or the initial values it is given', async () => {
    const ds = regression(50, 6);
    const copyX = ds.x.slice();
    const mlp = await Mlp.create({ inputs: 2, hidden: [4], outputs: 1, activation: 'relu', likelihood: 'gaussian' });
    const init = mlp.init(1);
    const copyInit = init.slice();
    await fit(mlp, ds, { epochs: 2, init });
    expect(Array.from(ds.x)).toEqual(Array.from(copyX));
    expect(Array.from(init)).toEqual(Array.from(copyInit));
  });
});

function standardizeRows(s: { xMean: Float64Array; xStd: Float64Array }, x: Float32Array): Float32Array {
  const d = s.xMean.length;
  return Float32Array.from(x, (v, i) => (v - s.xMean[i % d]) / s.xStd[i % d]);
}

/** Fingerprint of the weights above, recorded once; Node and Chromium must both reproduce it. */
const GOLDEN_FIT = '3d5b5964';

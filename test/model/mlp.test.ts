import { describe, expect, it } from 'vitest';
import { makeDataset } from '../../src/data/dataset.js';
import { BdlError } from '../../src/errors.js';
import { Mlp } from '../../src/model/mlp.js';
import type { Activation, Likelihood, MlpSpec } from '../../src/model/spec.js';
import { refForward, refGrad, refLoss } from '../helpers/reference-mlp.js';

function data(spec: MlpSpec, n: number, seed: number) {
  let s = seed;
  const rand = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
  const x = Array.from({ length: n }, () => Array.from({ length: spec.inputs }, rand));
  const K = spec.outputs;
  const y =
    spec.likelihood === 'categorical'
      ? Array.from({ length: n }, (_, i) => i % K)
      : spec.likelihood === 'bernoulli'
        ? Array.from({ length: n }, (_, i) => Array.from({ length: K }, (_, j) => (i + j) % 2))
        : Array.from({ length: n }, () => Array.from({ length: K }, rand));
  return makeDataset(x, y);
}

const maxAbs = (a: ArrayLike<number>) => Math.max(...Array.from(a, Math.abs));

describe('Mlp engine against a float64 reference', () => {
  const activations: Activation[] = ['relu', 'tanh', 'sigmoid', 'gelu', 'identity', 'elu', 'selu', 'swish', 'relu6', 'softsign', 'hard-sigmoid'];
  const likelihoods: Likelihood[] = ['gaussian', 'heteroscedastic', 'categorical', 'bernoulli'];
  for (const activation of activations) {
    for (const likelihood of likelihoods) {
      it(`${activation} × ${likelihood}: forward, loss and gradient`, async () => {
        const spec: MlpSpec = { inputs: 5, hidden: [7, 3], outputs: likelihood === 'categorical' ? 4 : 2, activation, likelihood };
        const mlp = await Mlp.create(spec, { capacity: 8 });
        const theta = mlp.init(3);
        const ds = data(spec, 13, 11); // 13 rows: two chunks of the capacity-8 engine
        const out = mlp.forward(theta, ds.x);
        const ref = refForward(spec, theta, ds.x, ds.n);
        for (let i = 0; i < ref.length; i++) expect(Math.abs(out[i] - ref[i])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(ref[i])));

        const { loss, grad } = mlp.lossAndGrad(theta, ds);
        const refL = refLoss(spec, theta, ds.x, ds.y, ds.n) / ds.n;
        expect(Math.abs(loss - refL)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(refL)));
        const refG = refGrad(spec, theta, ds.x, ds.y, ds.n);
        const scale = maxAbs(refG) + 1e-3;
        for (let i = 0; i < refG.length; i++) expect(Math.abs(grad[i] - refG[i] / ds.n)).toBeLessThanOrEqual(2e-4 * scale);

        // Finite differences on the engine itself, along a random direction.
        const v = Float32Array.from(theta, (_, i) => Math.sin(i * 12.9898) );
        const h = 1e-2;
        const plus = Float32Array.from(theta, (t, i) => t + h * v[i]);
        const minus = Float32Array.from(theta, (t, i) => t - h * v[i]);
        const fd = (mlp.loss(plus, ds) - mlp.loss(minus, ds)) / (2 * h);
        const dir = grad.reduce((s, g, i) => s + g * v[i], 0);
        // Piecewise-linear activations: a step of h may cross a kink.
        if (!['relu', 'relu6', 'hard-sigmoid'].includes(activation)) expect(Math.abs(fd - dir)).toBeLessThanOrEqual(2e-3 * (1 + Math.abs(dir)));
      });
    }
  }

  it('takes a fixed noise variance for the gaussian likelihood', async () => {
    const spec: MlpSpec = { inputs: 3, hidden: [4], outputs: 1, activation: 'tanh', likelihood: 'gaussian' };
    const mlp = await Mlp.create(spec);
    const theta = mlp.init(1);
    const ds = data(spec, 9, 2);
    const l = mlp.loss(theta, ds, { noiseVar: 0.25 });
    expect(l).toBeCloseTo(refLoss(spec, theta, ds.x, ds.y, ds.n, 0.25) / ds.n, 5);
  });

  it('is deterministic in the seed and scales init by fan-in', async () => {
    const mlp = await Mlp.create({ inputs: 200, hidden: [300], outputs: 1, activation: 'relu', likelihood: 'gaussian' });
    const a = mlp.init(5);
    expect(Array.from(mlp.init(5))).toEqual(Array.from(a));
    expect(Array.from(mlp.init(6).subarray(0, 10))).not.toEqual(Array.from(a.subarray(0, 10)));
    const W = a.subarray(0, 200 * 300);
    const sd = Math.sqrt(W.reduce((s, w) => s + w * w, 0) / W.length);
    expect(sd).toBeCloseTo(Math.sqrt(2 / 200), 2);
  });

  it('dropout masks are seeded, change with the counter, and keep the mean', async () => {
    const spec: MlpSpec = { inputs: 4, hidden: [64], outputs: 1, activation: 'relu', likelihood: 'gaussian', dropout: 0.5 };
    const mlp = await Mlp.create(spec);
    const theta = mlp.init(1);
    const x = new Float32Array(4).fill(1);
    const a = mlp.forward(theta, x, { seed: 1, stream: 0, counter: 0 });
    const b = mlp.forward(theta, x, { seed: 1, stream: 0, counter: 0 });
    const c = mlp.forward(theta, x, { seed: 1, stream: 0, counter: 1 });
    expect(a[0]).toBe(b[0]);
    expect(a[0]).not.toBe(c[0]);
    let mean = 0;
    for (let t = 0; t < 2000; t++) mean += mlp.forward(theta, x, { seed: 2, stream: 0, counter: t })[0] / 2000;
    const det = mlp.forward(theta, x)[0];
    expect(Math.abs(mean - det)).toBeLessThan(0.1 * (1 + Math.abs(det)));
  });

  it('rejects a bad spec, θ or data with typed errors', async () => {
    const bad = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return (e as BdlError).code;
      }
    };
    await expect(Mlp.create({ inputs: 0, hidden: [], outputs: 1, activation: 'relu', likelihood: 'gaussian' })).rejects.toThrow(/spec\.inputs: expected a positive integer, found 0/);
    await expect(Mlp.create({ inputs: 2, hidden: [3], outputs: 1, activation: 'mish' as never, likelihood: 'gaussian' })).rejects.toBeInstanceOf(BdlError);
    const mlp = await Mlp.create({ inputs: 2, hidden: [3], outputs: 3, activation: 'relu', likelihood: 'categorical' });
    expect(bad(() => mlp.forward(new Float32Array(2), new Float32Array(2)))).toBe('E_SHAPE');
    expect(bad(() => mlp.loss(mlp.init(0), makeDataset([[1, 2]], [3])))).toBe('E_ARG');
    expect(bad(() => mlp.loss(mlp.init(0), makeDataset([[1, 2, 3]], [0])))).toBe('E_SHAPE');
  });
});

// Post-hoc posteriors on imported networks: the predictive mean of last-layer GLM Laplace is the
// network's output; import → Laplace / MC dropout → toBytes → restore → the identical predictive.
import { describe, expect, it } from 'vitest';
import { makeDataset, type Dataset } from '../../../src/data/dataset.js';
import type { ImportedNetwork } from '../../../src/import/chain.js';
import { importModelFile } from '../../../src/import/node.js';
import { networkOutputs } from '../../../src/import/run.js';
import { posthoc, posthocBranch } from '../../../src/methods/posthoc/index.js';
import { LaplacePosterior } from '../../../src/methods/laplace/index.js';
import { McDropoutPosterior } from '../../../src/methods/variational/mc-dropout.js';
import { posteriorFromBytes } from '../../../src/posterior/serialize.js';
import { Rng } from '../../../src/random/index.js';

const dir = 'test/fixtures/import';

/** Inputs drawn uniformly in [−2, 2] and targets made by the network itself (+ noise / sampled labels). */
async function dataFor(net: ImportedNetwork, n: number, seed: number): Promise<Dataset> {
  const rng = new Rng(seed, 0, [0, 0, 0x99]);
  const x = Float32Array.from({ length: n * net.spec.inputs }, () => 4 * rng.uniform() - 2);
  const out = await networkOutputs(net, x);
  const K = net.spec.outputs;
  if (net.spec.likelihood === 'gaussian') {
    const y = Array.from({ length: n }, (_, i) => Array.from({ length: K }, (_, t) => out[i * K + t] + 0.1 * rng.normal()));
    return makeDataset({ data: x, cols: net.spec.inputs }, y);
  }
  const probs = net.output === 'log-softmax' ? out.map(Math.exp) : out;
  const y = Array.from({ length: n }, (_, i) => {
    let u = rng.uniform();
    for (let k = 0; k < K; k++) if ((u -= probs[i * K + k]) < 0) return k;
    return K - 1;
  });
  return makeDataset({ data: x, cols: net.spec.inputs }, y);
}

describe('posthoc on imported networks', () => {
  it('last-layer GLM Laplace keeps the network output as the predictive mean (safetensors regression)', async () => {
    const net = await importModelFile(`${dir}/torch-reg.safetensors`, { layers: '3-16r-16r-1' });
    expect(posthocBranch(net).method).toBe('laplace');
    const train = await dataFor(net, 200, 1);
    const post = await posthoc(net, train, { method: 'laplace' });
    expect(post).toBeInstanceOf(LaplacePosterior);
    const test = await dataFor(net, 20, 2);
    const p = await post.predict(test.x);
    const f = await networkOutputs(net, test.x);
    if (p.kind !== 'regression') throw new Error('regression expected');
    for (let i = 0; i < f.length; i++) expect(Math.abs(p.mean[i] - f[i])).toBeLessThan(1e-5);
    for (let i = 0; i < f.length; i++) expect(p.epistemic[i]).toBeGreaterThan(0);
    // The evidence-tuned noise recovers the 0.1 the targets were made with (within sampling error).
    expect((post.info as { noiseStd: number }).noiseStd).toBeGreaterThan(0.08);
    expect((post.info as { noiseStd: number }).noiseStd).toBeLessThan(0.12);
  });

  it('import → Laplace (kron, all layers, per-layer prior) → toBytes → restore → identical predictive (TF.js)', async () => {
    const net = await importModelFile(`${dir}/tfjs-reg/model.json`);
    const train = await dataFor(net, 150, 3);
    const post = await posthoc(net, train, { method: 'laplace', subset: 'all', hessian: 'kron', perLayer: true });
    expect(Array.isArray((post.info as { priorPrecision: unknown }).priorPrecision)).toBe(true);
    const back = await posteriorFromBytes(post.toBytes());
    const x = (await dataFor(net, 10, 4)).x;
    expect(await back.predict(x)).toEqual(await post.predict(x));
  });

  it('auto picks MC dropout for a model with dropout; its predictive survives toBytes/restore (ONNX classifier)', async () => {
    const net = await importModelFile(`${dir}/torch-clf.onnx`);
    const b = posthocBranch(net);
    expect(b.method).toBe('mc-dropout');
    expect(b.reason).toMatch(/dropout/);
    const train = await dataFor(net, 100, 5);
    const post = await posthoc(net, train);
    expect(post).toBeInstanceOf(McDropoutPosterior);
    const x = (await dataFor(net, 8, 6)).x;
    const p = await post.predict(x, { seed: 3 });
    const back = await posteriorFromBytes(post.toBytes());
    expect(await back.predict(x, { seed: 3 })).toEqual(p);
    if (p.kind !== 'classification') throw new Error('classification expected');
    // Dropout on: the passes disagree somewhere (mutual information > 0).
    expect(Math.max(...p.mutualInformation)).toBeGreaterThan(0);
  });

  it('diag and full Laplace, MC predictive, on the TF.js classifier (batch norm folded)', async () => {
    const net = await importModelFile(`${dir}/tfjs-clf/model.json`);
    const train = await dataFor(net, 120, 7);
    const x = (await dataFor(net, 6, 8)).x;
    for (const hessian of ['diag', 'full'] as const) {
      const post = await posthoc(net, train, { method: 'laplace', subset: 'all', hessian, predictive: 'mc' });
      const p = await post.predict(x, { samples: 20 });
      const back = await posteriorFromBytes(post.toBytes());
      expect(await back.predict(x, { samples: 20 })).toEqual(p);
    }
  });

  it('standardize: the statistics of --train go in and out; without it no scaling', async () => {
    const net = await importModelFile(`${dir}/torch-reg.safetensors`, { layers: '3-16r-16r-1' });
    const train = await dataFor(net, 100, 9);
    const plain = await posthoc(net, train);
    const std = await posthoc(net, train, { standardize: true });
    const x = (await dataFor(net, 5, 10)).x;
    const a = await plain.predict(x);
    const b = await std.predict(x);
    expect(a.kind === 'regression' && b.kind === 'regression' && a.mean[0] !== b.mean[0]).toBe(true);
  });

  it('refuses data that do not fit the network, naming the argument', async () => {
    const net = await importModelFile(`${dir}/torch-reg.safetensors`, { layers: '3-16r-16r-1' });
    const bad = makeDataset([[1, 2], [3, 4]], [0, 1]);
    await expect(posthoc(net, bad)).rejects.toMatchObject({ code: 'E_SHAPE', argument: 'train.inputs' });
    await expect(posthoc(net, await dataFor(net, 10, 1), { method: 'mc-dropout' })).rejects.toMatchObject({ code: 'E_ARG', argument: 'method' });
  });
});

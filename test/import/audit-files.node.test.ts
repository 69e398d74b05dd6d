// importModelFile against hostile folders (sizes and kinds checked before a byte is read), and models
// written by TensorFlow.js itself (@tensorflow/tfjs-layers): use_bias false and batch norms without
// center/scale reproduce the producer's predictions; a model with two outputs is refused.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { importModelFile } from '../../src/import/node.js';
import { networkOutputs } from '../../src/import/run.js';
import { importTfjs } from '../../src/import/tfjs.js';
import { dense, tfjsModel } from './hostile.js';

const root = mkdtempSync(join(tmpdir(), 'bdl-import-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A sparse file of `bytes` (nothing written) in a fresh folder; returns its path. */
function sparseFile(folderName: string, name: string, bytes: number): string {
  const dir = join(root, folderName);
  mkdirSync(dir);
  const path = join(dir, name);
  writeFileSync(path, '');
  truncateSync(path, bytes);
  return path;
}

/** A 2-3-1 model.json in a fresh folder, its shard named `path`; returns model.json's path. */
function folder(name: string, path = 'group1-shard1of1.bin', shard?: (file: string) => void): string {
  const a = dense('d1', 2, 3, 'relu', true);
  const b = dense('d2', 3, 1);
  const { model, shards } = tfjsModel([a.layer, b.layer], [...a.weights, ...b.weights]);
  model.weightsManifest[0].paths = [path];
  const dir = join(root, name, 'model');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), JSON.stringify(model));
  const file = join(dir, path);
  if (shard) shard(file);
  else writeFileSync(file, shards[0]);
  return join(dir, 'model.json');
}

describe('importModelFile reads only plain files of the sizes model.json declares', () => {
  it('a manifest path out of the folder ("../w.bin") is refused, though the file exists there', async () => {
    const path = folder('traversal', '../w.bin');
    await expect(importModelFile(path)).rejects.toMatchObject({ code: 'E_FORMAT', argument: 'weightsManifest', message: expect.stringMatching(/paths\[0\]: .*a path out of model\.json's folder \(".."\), "\.\.\/w\.bin"/) });
  });
  it('a 3 GB shard (sparse) is refused by its size before it is read', async () => {
    const path = folder('huge', undefined, (f) => {
      writeFileSync(f, '');
      truncateSync(f, 3e9);
    });
    await expect(importModelFile(path)).rejects.toMatchObject({ code: 'E_FORMAT', message: expect.stringMatching(/weight shards: expected 52 bytes .* found 3000000000 in 1 shard/) });
  });
  it('a shard that is a FIFO is refused, not read (the read would block forever)', async () => {
    const path = folder('fifo', undefined, (f) => execFileSync('mkfifo', [f]));
    await expect(importModelFile(path)).rejects.toMatchObject({ code: 'E_ARG', message: expect.stringMatching(/group1-shard1of1\.bin: expected a file, found a special file/) });
  });
  it('an .onnx of 3 GB (sparse) is E_MEMORY by its size before it is read, not a read error blaming the path', async () => {
    const path = sparseFile('big-onnx', 'model.onnx', 3e9);
    await expect(importModelFile(path)).rejects.toMatchObject({ code: 'E_MEMORY', message: expect.stringMatching(/model\.onnx: expected a model file of at most 2147483647 bytes .*found 3000000000 bytes/) });
  });
  it('a model.json of 150 MB (sparse) is refused by its size before it is read', async () => {
    const path = sparseFile('big-json', 'model.json', 150e6);
    await expect(importModelFile(path)).rejects.toMatchObject({ code: 'E_FORMAT', message: expect.stringMatching(/expected a TF\.js model\.json .* found 150000000 bytes/) });
  });
});

/** A model saved by TF.js itself, as model.json's contents and its one shard. */
async function saved(model: tfl.LayersModel): Promise<{ model: Record<string, unknown>; shards: Uint8Array[] }> {
  let out: { model: Record<string, unknown>; shards: Uint8Array[] } | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    out = { model: { format: 'layers-model', modelTopology: a.modelTopology, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: a.weightSpecs }] }, shards: [new Uint8Array(a.weightData as ArrayBuffer)] };
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return out!;
}

describe('models written by TensorFlow.js', () => {
  it('Dense without bias, batch norms without center or scale: the producer\'s predictions', async () => {
    await tf.setBackend('cpu');
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ inputShape: [3], units: 5, useBias: false }),
        tfl.layers.batchNormalization({ center: false }),
        tfl.layers.activation({ activation: 'tanh' }),
        tfl.layers.batchNormalization({ scale: false }),
        tfl.layers.dense({ units: 4, useBias: false, activation: 'softmax' }),
      ],
    });
    // Moving statistics away from 0 and 1, so the folds matter.
    for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
      layer.setWeights(layer.getWeights().map((w, i, all) => tf.add(w, tf.scalar(i === all.length - 1 ? 1.5 : 0.3 * (i + 1)))));
    }
    const net = importTfjs(await saved(model));
    expect(net.spec).toMatchObject({ inputs: 3, hidden: [5], outputs: 4, activation: 'tanh', likelihood: 'categorical' });
    expect(net.folded).toHaveLength(2);
    const x = Float32Array.from({ length: 18 }, (_, i) => Math.sin(i * 1.7) * 2);
    const theirs = (model.predict(tf.tensor2d(x, [6, 3])) as tf.Tensor).dataSync();
    const ours = await networkOutputs(net, x);
    theirs.forEach((v, i) => expect(Math.abs(ours[i] - v)).toBeLessThan(1e-5));
  });
  it('a functional model with two outputs (a hidden layer and the head) is refused, not imported as the head', async () => {
    const input = tfl.input({ shape: [3] });
    const hidden = tfl.layers.dense({ units: 4, activation: 'relu', name: 'hidden' }).apply(input) as tfl.SymbolicTensor;
    const head = tfl.layers.dense({ units: 1, name: 'head' }).apply(hidden) as tfl.SymbolicTensor;
    const files = await saved(tfl.model({ inputs: input, outputs: [hidden, head] }));
    expect(() => importTfjs(files)).toThrow(expect.objectContaining({ code: 'E_FORMAT', message: expect.stringMatching(/output_layers: expected the one output layer of a single path, found 2 layers \("hidden", "head"\)/) }));
    const single = await saved(tfl.model({ inputs: input, outputs: head }));
    expect(importTfjs(single).spec).toMatchObject({ inputs: 3, hidden: [4], outputs: 1 });
  });
});

// Models as TensorFlow.js (@tensorflow/tfjs-layers 4.22) writes them, imported and run against the
// producer's own predict: a model saved with its optimizer (TF.js stores the step counter as int32),
// nested Sequential models, and weights quantized as tensorflowjs_converter's --quantize_uint8 /
// --quantize_uint16 / --quantize_float16 store them (loaded back into TF.js for its predictions).
// Each case was refused before its fix.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { fetchModel, importModel } from '../../src/import/load.js';
import { importModelFile } from '../../src/import/node.js';
import { networkOutputs } from '../../src/import/run.js';
import { importTfjs } from '../../src/import/tfjs.js';

type Artifacts = tf.io.ModelArtifacts & { weightSpecs: tf.io.WeightsManifestEntry[]; weightData: ArrayBuffer };

const root = mkdtempSync(join(tmpdir(), 'bdl-tfjs-producer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** What model.save hands a save handler: topology, weight specs and the weights' bytes. */
async function artifacts(model: tfl.LayersModel, config?: tf.io.SaveConfig): Promise<Artifacts> {
  let out: Artifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => {
    out = a as Artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }), config);
  return out!;
}

/** model.json as TF.js's file handlers write it, and its one shard. */
function files(a: Artifacts): { model: Record<string, unknown>; shards: Uint8Array[] } {
  const model = { modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, convertedBy: a.convertedBy ?? null, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] };
  return { model, shards: [new Uint8Array(a.weightData)] };
}

const X = Float32Array.from({ length: 5 * 3 }, (_, i) => Math.sin(i * 1.3) * 1.7);

async function expectPredicts(net: Awaited<ReturnType<typeof importModelFile>>, model: tfl.LayersModel, x = X, tol = 1e-5) {
  const width = net.spec.inputs;
  const theirs = (model.predict(tf.tensor2d(x, [x.length / width, width])) as tf.Tensor).dataSync();
  const ours = await networkOutputs(net, x);
  expect(ours.length).toBe(theirs.length);
  theirs.forEach((v, i) => expect(Math.abs(ours[i] - v)).toBeLessThan(tol));
}

function mlp(): tfl.Sequential {
  return tfl.sequential({
    layers: [
      tfl.layers.dense({ inputShape: [3], units: 6, activation: 'tanh' }),
      tfl.layers.dense({ units: 6, activation: 'tanh' }),
      tfl.layers.dense({ units: 2 }),
    ],
  });
}

describe('a model saved with its optimizer (includeOptimizer: true)', () => {
  it('imports the network, its optimizer state (an int32 step counter among it) skipped, from files and in memory', async () => {
    const model = mlp();
    model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    await model.fit(tf.tensor2d(X, [5, 3]), tf.ones([5, 2]), { epochs: 2, verbose: 0 });
    const a = await artifacts(model, { includeOptimizer: true });
    expect(a.weightSpecs.find((w) => w.name === 'iter')).toMatchObject({ dtype: 'int32', group: 'optimizer' });
    const { model: json, shards } = files(a);
    const dir = join(root, 'with-optimizer');
    mkdirSync(dir);
    writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
    writeFileSync(join(dir, 'weights.bin'), shards[0]);
    const net = await importModelFile(join(dir, 'model.json'));
    expect(net.spec).toMatchObject({ inputs: 3, hidden: [6, 6], outputs: 2, activation: 'tanh' });
    await expectPredicts(net, model);
    await expectPredicts(importTfjs({ model: json, shards }), model);
  });
  it('a network weight of dtype int32, or an optimizer weight of dtype string (no fixed width), is still refused by name', () => {
    const model = mlp();
    const { model: json, shards } = files({ modelTopology: model.toJSON(null, false) as object, weightSpecs: [], weightData: new ArrayBuffer(0) } as Artifacts);
    const specs = model.weights.map((w) => ({ name: w.originalName, shape: w.shape as number[], dtype: 'float32' }));
    const manifest = (extra: Record<string, unknown>, i = 0) => ({ ...json, weightsManifest: [{ paths: ['weights.bin'], weights: specs.map((s, k) => (k === i ? { ...s, ...extra } : s)) }] });
    expect(() => importTfjs({ model: manifest({ dtype: 'int32' }), shards })).toThrow(expect.objectContaining({ code: 'E_FORMAT', message: expect.stringMatching(/weight ".*kernel": expected dtype float32 \(or a float32 weight quantized to uint8, uint16 or float16\), found dtype "int32"/) }));
    const withString = { ...json, weightsManifest: [{ paths: ['weights.bin'], weights: [...specs, { name: 'labels', shape: [2], dtype: 'string', group: 'optimizer' }] }] };
    expect(() => importTfjs({ model: withString, shards })).toThrow(expect.objectContaining({ code: 'E_FORMAT', message: expect.stringMatching(/weight "labels": expected an optimizer weight of a fixed-width dtype .*found dtype "string"/) }));
  });
});

describe("the artifacts a save handler receives (tf.io.withSaveHandler), passed as they are", () => {
  it('importModel({ tfjs: { model: artifacts } }): the weights read from their weightData (one buffer, or a list of them)', async () => {
    const model = mlp();
    const a = await artifacts(model);
    await expectPredicts(importModel({ tfjs: { model: a } }), model);
    await expectPredicts(importModel({ tfjs: { model: a, shards: [a.weightData] } }), model);
    const bytes = new Uint8Array(a.weightData);
    const split = { ...a, weightData: [bytes.slice(0, 40).buffer, bytes.slice(40).buffer] };
    await expectPredicts(importModel({ tfjs: { model: split } }), model);
    // Nothing of the caller's is changed.
    expect(a.weightData.byteLength).toBe(bytes.length);
    expect('weightsManifest' in a).toBe(false);
  });
  it('artifacts without weightData, or with bytes of the wrong size: E_ARG / E_FORMAT naming them', async () => {
    const a = await artifacts(mlp());
    expect(() => importModel({ tfjs: { model: { ...a, weightData: undefined } } })).toThrow(expect.objectContaining({ code: 'E_ARG', argument: 'model.weightData' }));
    expect(() => importModel({ tfjs: { model: { ...a, weightData: 'bytes' } } })).toThrow(expect.objectContaining({ code: 'E_ARG', message: expect.stringMatching(/model\.weightData: expected an ArrayBuffer or Uint8Array, or a list of them, found "bytes"/) }));
    expect(() => importModel({ tfjs: { model: { ...a, weightData: a.weightData.slice(4) } } })).toThrow(expect.objectContaining({ code: 'E_FORMAT', message: expect.stringMatching(/weight shards: expected 320 bytes .*found 316/) }));
  });
});

describe('nested Sequential models', () => {
  it('a Sequential inside a Sequential, and inside a functional model: its layers imported in place', async () => {
    const inner = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 5, activation: 'relu' }), tfl.layers.dropout({ rate: 0.25 }), tfl.layers.dense({ units: 4, activation: 'relu' })] });
    const outer = tfl.sequential({ layers: [inner, tfl.layers.dense({ units: 3, activation: 'softmax' })] });
    const net = importTfjs(files(await artifacts(outer)));
    expect(net.spec).toMatchObject({ inputs: 3, hidden: [5, 4], outputs: 3, activation: 'relu', likelihood: 'categorical', dropout: [0, 0.25, 0] });
    await expectPredicts(net, outer);

    const input = tfl.input({ shape: [3] });
    const head = tfl.layers.dense({ units: 1 }).apply(inner.apply(input)) as tfl.SymbolicTensor;
    const functional = tfl.model({ inputs: input, outputs: head });
    const f = importTfjs(files(await artifacts(functional)));
    expect(f.spec).toMatchObject({ inputs: 3, hidden: [5, 4], outputs: 1, likelihood: 'gaussian' });
    await expectPredicts(f, functional);
  });
  it('two nested models with a layer of one name: tfjs-layers saves both weights under one name (it cannot load that back either), refused saying why', async () => {
    const enc = tfl.sequential({ name: 'enc', layers: [tfl.layers.dense({ name: 'h', inputShape: [3], units: 5, activation: 'relu' })] });
    const dec = tfl.sequential({ name: 'dec', layers: [tfl.layers.dense({ name: 'h', inputShape: [5], units: 2 })] });
    const a = await artifacts(tfl.sequential({ layers: [enc, dec] }));
    expect(a.weightSpecs.map((w) => w.name)).toEqual(['h/kernel', 'h/bias', 'h/kernel', 'h/bias']);
    await expect(tfl.loadLayersModel(tf.io.fromMemory(a))).rejects.toThrow(/Duplicate weight name: h\/kernel/);
    expect(() => importTfjs(files(a))).toThrow(expect.objectContaining({ code: 'E_FORMAT', message: expect.stringMatching(/found "h\/kernel" twice.*two layers of one name.*nested models.*TF\.js's own loader refuses it too/) }));
  });
  it('a nested Sequential whose layers are malformed: E_FORMAT naming the field, not a TypeError', async () => {
    const inner = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 2 })] });
    const { model, shards } = files(await artifacts(tfl.sequential({ layers: [inner] })));
    const layers = (model.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers;
    layers[0].config.layers = 'dense';
    expect(() => importTfjs({ model, shards })).toThrow(expect.objectContaining({ code: 'E_FORMAT', message: expect.stringMatching(/modelTopology layers\[0\]\.config\.layers: expected a list of layers \(a nested Sequential model\), found/) }));
    layers[0].config.layers = [{ class_name: 'Dense' }];
    expect(() => importTfjs({ model, shards })).toThrow(expect.objectContaining({ code: 'E_FORMAT', message: expect.stringMatching(/modelTopology layers\[0\]\.config\.layers\[0\]: expected \{ class_name, config \}/) }));
  });
});

describe('a layer called with training=… (kept in the functional model\'s nodes)', () => {
  /** input → dense (relu) → `layer` called with `kwargs` → dense. */
  function chain(layer: tfl.layers.Layer, kwargs: Record<string, unknown>): tfl.LayersModel {
    const input = tfl.input({ shape: [3] });
    const h = tfl.layers.dense({ units: 4, activation: 'relu' }).apply(input) as tfl.SymbolicTensor;
    const out = tfl.layers.dense({ units: 2 }).apply(layer.apply(h, kwargs) as tfl.SymbolicTensor) as tfl.SymbolicTensor;
    return tfl.model({ inputs: input, outputs: out });
  }
  it('Dropout with training=false never drops: imported without dropout; with training=true its rate is what MC dropout samples', async () => {
    const off = chain(tfl.layers.dropout({ rate: 0.5 }), { training: false });
    const a = await artifacts(off);
    expect((a.modelTopology as { config: { layers: { inbound_nodes: unknown[] }[] } }).config.layers[2].inbound_nodes).toEqual([[[expect.any(String), 0, 0, { training: false }]]]);
    const net = importTfjs(files(a));
    expect(net.spec.dropout).toBeUndefined();
    await expectPredicts(net, off);
    expect(importTfjs(files(await artifacts(chain(tfl.layers.dropout({ rate: 0.5 }), { training: true })))).spec.dropout).toEqual([0, 0.5]);
  });
  it('a Dropout whose noise_shape shares one draw across the features (noiseShape [null, 1]: whole rows dropped) is refused; [null, width] is plain dropout', async () => {
    const drop = (noiseShape: (number | null)[]) => tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 4, activation: 'relu' }), tfl.layers.dropout({ rate: 0.5, noiseShape: noiseShape as number[] }), tfl.layers.dense({ units: 1 })] });
    const rows = files(await artifacts(drop([null, 1])));
    expect(() => importTfjs(rows)).toThrow(expect.objectContaining({ code: 'E_FORMAT', message: expect.stringMatching(/\(Dropout\): dropout with noise_shape \[null,1\]/) }));
    expect(importTfjs(files(await artifacts(drop([null, 4])))).spec.dropout).toEqual([0, 0.5]);
  });
  it('a BatchNormalization or GaussianNoise with training=true (batch statistics, noise in predict) is refused by name', async () => {
    for (const [layer, what] of [[tfl.layers.batchNormalization({}), /\(BatchNormalization\): .*training=true/], [tfl.layers.gaussianNoise({ stddev: 0.1 }), /\(GaussianNoise\): .*training=true/]] as const) {
      const f = files(await artifacts(chain(layer, { training: true })));
      expect(() => importTfjs(f)).toThrow(expect.objectContaining({ code: 'E_FORMAT', message: expect.stringMatching(what) }));
    }
  });
});

describe('layers that are valid as written and were refused', () => {
  it('Dense(relu) → Dropout → BatchNormalization → Dense: the norm folds into the next layer, after the dropout', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 6, activation: 'relu' }), tfl.layers.dropout({ rate: 0.3 }), tfl.layers.batchNormalization({}), tfl.layers.dense({ units: 2 })] });
    const bn = model.layers[2];
    bn.setWeights(bn.getWeights().map((w, i) => tf.add(tf.mul(w, 1 + i / 2), i === 3 ? 0.5 : 0.3)));
    const net = importTfjs(files(await artifacts(model)));
    expect(net.spec.dropout).toEqual([0, 0.3]);
    expect(net.folded).toHaveLength(1);
    await expectPredicts(net, model);
  });
  it('ReLU({ maxValue: 6 }) runs as the engine\'s relu6; another maxValue is still refused, naming it', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 6 }), tfl.layers.reLU({ maxValue: 6 }), tfl.layers.dense({ units: 2 })] });
    // Weights large enough that some units pass 6.
    model.layers[0].setWeights(model.layers[0].getWeights().map((w) => tf.mul(w, 8)));
    const net = importTfjs(files(await artifacts(model)));
    expect(net.spec).toMatchObject({ hidden: [6], activation: 'relu6' });
    await expectPredicts(net, model);
    const clipped = (model.layers[1].apply(model.layers[0].apply(tf.tensor2d(X, [5, 3]))) as tf.Tensor).dataSync();
    expect(Math.max(...clipped)).toBe(6);
    const three = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 6 }), tfl.layers.reLU({ maxValue: 3 }), tfl.layers.dense({ units: 2 })] });
    const threeFiles = files(await artifacts(three));
    expect(() => importTfjs(threeFiles)).toThrow(expect.objectContaining({ code: 'E_FORMAT', message: expect.stringMatching(/\(ReLU\): a ReLU with max_value 3, negative_slope 0 or threshold 0 \(a plain ReLU or ReLU\(max_value=6\) is\) is not supported/) }));
  });
  it('GaussianNoise, GaussianDropout and AlphaDropout: the identity in predict, imported as such (no dropout rate to sample)', async () => {
    const model = tfl.sequential({
      layers: [
        tfl.layers.gaussianNoise({ inputShape: [3], stddev: 0.5 }),
        tfl.layers.dense({ units: 4, activation: 'selu' }),
        tfl.layers.alphaDropout({ rate: 0.2 }),
        tfl.layers.dense({ units: 4, activation: 'selu' }),
        tfl.layers.gaussianDropout({ rate: 0.3 }),
        tfl.layers.dense({ units: 2 }),
      ],
    });
    const net = importTfjs(files(await artifacts(model)));
    expect(net.spec).toMatchObject({ inputs: 3, hidden: [4, 4], outputs: 2, activation: 'selu' });
    expect(net.spec.dropout).toBeUndefined();
    await expectPredicts(net, model);
  });
  it('Dropout then Activation("linear"): the linear activation is no operation, as anywhere else', async () => {
    const model = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [3], units: 4, activation: 'relu' }), tfl.layers.dropout({ rate: 0.3 }), tfl.layers.activation({ activation: 'linear' }), tfl.layers.dense({ units: 2 })] });
    const net = importTfjs(files(await artifacts(model)));
    expect(net.spec).toMatchObject({ hidden: [4], activation: 'relu', dropout: [0, 0.3] });
    await expectPredicts(net, model);
  });
});

/**
 * tensorflowjs_converter's quantization (tensorflowjs/quantization.py, written_weights.py): uint8 /
 * uint16 values over [min, max] nudged so 0 is exact, stored with { dtype, scale, min, original_dtype };
 * float16 as IEEE half precision. Returns the manifest entries and the shard.
 */
function quantize(a: Artifacts, dtypes: ('uint8' | 'uint16' | 'float16' | undefined)[]): { weights: tf.io.WeightsManifestEntry[]; shard: Uint8Array } {
  const values = tf.io.decodeWeights(a.weightData, a.weightSpecs);
  const parts: Uint8Array[] = [];
  const weights = a.weightSpecs.map((spec, i) => {
    const v = (values[spec.name] as tf.Tensor).dataSync() as Float32Array;
    const dtype = dtypes[i % dtypes.length];
    if (dtype === undefined) {
      parts.push(new Uint8Array(Float32Array.from(v).buffer));
      return spec;
    }
    if (dtype === 'float16') {
      const bits = new Uint16Array(v.length);
      for (let k = 0; k < v.length; k++) bits[k] = toHalf(v[k]);
      parts.push(new Uint8Array(bits.buffer));
      return { ...spec, quantization: { dtype, original_dtype: 'float32' } };
    }
    const qmax = dtype === 'uint8' ? 255 : 65535;
    let min = Math.min(...v);
    const max = Math.max(...v);
    let scale = 1;
    const q = dtype === 'uint8' ? new Uint8Array(v.length) : new Uint16Array(v.length);
    if (min !== max) {
      scale = (max - min) / qmax;
      let hi = max;
      if (min <= 0 && 0 <= max) {
        min = -Math.round(-min / scale) * scale;
        hi = qmax * scale + min;
      }
      for (let k = 0; k < v.length; k++) q[k] = Math.round((Math.min(Math.max(v[k], min), hi) - min) / scale);
    }
    parts.push(new Uint8Array(q.buffer));
    return { ...spec, quantization: { dtype, scale, min, original_dtype: 'float32' } };
  });
  const shard = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    shard.set(p, at);
    at += p.length;
  }
  return { weights: weights as tf.io.WeightsManifestEntry[], shard };
}

/** float32 → IEEE half bits, round to nearest even (numpy's astype(float16)); values here are normal or zero. */
function toHalf(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const abs = Math.abs(x);
  if (abs < 2 ** -24) return sign;
  if (abs < 2 ** -14) return sign | Math.round(abs / 2 ** -24);
  const e = Math.floor(Math.log2(abs));
  let m = Math.round((abs / 2 ** e - 1) * 1024);
  let E = e + 15;
  if (m === 1024) {
    m = 0;
    E++;
  }
  return sign | (E << 10) | m;
}

describe('quantized weights (tensorflowjs_converter --quantize_*)', () => {
  const cases: [string, ('uint8' | 'uint16' | 'float16' | undefined)[]][] = [
    ['uint8', ['uint8']],
    ['uint16', ['uint16']],
    ['float16', ['float16']],
    ['mixed uint8, float16, float32 and uint16 (odd byte offsets)', ['uint8', 'float16', undefined, 'uint16']],
  ];
  for (const [name, dtypes] of cases) {
    it(`${name}: the values TF.js reads from the same files, and its predictions`, async () => {
      const model = mlp();
      const a = await artifacts(model);
      const { weights, shard } = quantize(a, dtypes);
      // The producer loads the quantized files back: its predictions are the reference.
      const loaded = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: a.modelTopology, weightSpecs: weights, weightData: shard.slice().buffer }));
      const json = { modelTopology: a.modelTopology, format: 'layers-model', weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights }] };
      const dir = join(root, `quantized-${dtypes.join('-')}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
      writeFileSync(join(dir, 'group1-shard1of1.bin'), shard);
      const net = await importModelFile(join(dir, 'model.json'));
      // The same float32 values as TF.js's decoder, bit for bit.
      const decoded = tf.io.decodeWeights(shard.slice().buffer, weights);
      const theirs = [0, 1, 2].flatMap((l) => [...(decoded[`${model.layers[l].name}/kernel`] as tf.Tensor).dataSync(), ...(decoded[`${model.layers[l].name}/bias`] as tf.Tensor).dataSync()]);
      expect(Array.from(net.theta)).toEqual(theirs);
      await expectPredicts(net, loaded);
      // Quantization moved the weights: the check above would catch a reader ignoring it.
      if (dtypes[0] === 'uint8') expect(Array.from(net.theta)).not.toEqual(Array.from(importTfjs(files(a)).theta));
    });
  }

  it('fetchModel: the shards bounded by their quantized size, imported as from files', async () => {
    const model = mlp();
    const a = await artifacts(model);
    const { weights, shard } = quantize(a, ['uint8']);
    const json = { modelTopology: a.modelTopology, format: 'layers-model', weightsManifest: [{ paths: ['w.bin'], weights }] };
    const get = (async (u: string) => new Response(String(u).endsWith('model.json') ? JSON.stringify(json) : new Blob([shard as Uint8Array<ArrayBuffer>]), { headers: String(u).endsWith('w.bin') ? { 'content-length': String(shard.length) } : {} })) as typeof fetch;
    const net = await fetchModel('http://models.example/q/model.json', { fetch: get });
    expect(net.theta).toEqual(importTfjs({ model: json, shards: [shard] }).theta);
    // A shard of the float32 size (4 times the quantized one) is refused by the bound.
    const big = (async (u: string) => new Response(String(u).endsWith('model.json') ? JSON.stringify(json) : new Blob([new Uint8Array(4 * shard.length)]))) as typeof fetch;
    await expect(fetchModel('http://models.example/q/model.json', { fetch: big })).rejects.toMatchObject({ code: 'E_FORMAT', argument: 'shards', message: expect.stringMatching(new RegExp(`its weights take ${shard.length} bytes`)) });
  });

  const small = () => {
    const d = { class_name: 'Dense', config: { name: 'd', units: 2, activation: 'linear', use_bias: true, batch_input_shape: [null, 2] } };
    return (q: Record<string, unknown>, bytes: number) => ({
      model: { format: 'layers-model', modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [d] } }, weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'd/kernel', shape: [2, 2], dtype: 'float32', quantization: q }, { name: 'd/bias', shape: [2], dtype: 'float32' }] }] },
      shards: [new Uint8Array(bytes)],
    });
  };
  it.each([
    [{ dtype: 'int8', scale: 1, min: 0 }, /weight "d\/kernel": expected a quantization \{ dtype: "uint8" \| "uint16" \| "float16", scale, min \}, found quantization dtype "int8"/],
    [{ dtype: 'uint8', min: 0 }, /weight "d\/kernel": expected a uint8 quantization with a finite scale .*found scale undefined/],
    [{ dtype: 'uint8', scale: '0.1', min: 0 }, /found scale "0\.1"/],
    [{ dtype: 'uint16', scale: 0.1, min: null }, /expected a uint16 quantization with a finite min .*found min null/],
    [{ dtype: 'uint8', scale: 0.1, min: 0, original_dtype: 'int32' }, /expected a quantized float32 weight, found dtype "float32" and original_dtype "int32"/],
    ['uint8', /found quantization "uint8"/],
  ])('inconsistent quantization %j: E_FORMAT naming the weight, before the shard is read', (q, message) => {
    expect(() => importTfjs(small()(q as Record<string, unknown>, 12))).toThrow(expect.objectContaining({ code: 'E_FORMAT', argument: 'd/kernel', message: expect.stringMatching(message) }));
  });
  it('a shard sized for float32 when the manifest says uint8: E_FORMAT on the sizes (4 + 8 bytes expected)', () => {
    expect(() => importTfjs(small()({ dtype: 'uint8', scale: 0.1, min: 0 }, 24))).toThrow(expect.objectContaining({ code: 'E_FORMAT', message: expect.stringMatching(/weight shards: expected 12 bytes .*found 24/) }));
  });
  it('uint8 weights of 600 MB (2.4 GB once read as float32) given in memory: E_MEMORY before any shard byte is read', () => {
    const d = { class_name: 'Dense', config: { name: 'd', units: 6e8, activation: 'linear', use_bias: false, batch_input_shape: [null, 1] } };
    const model = { format: 'layers-model', modelTopology: { class_name: 'Sequential', config: { name: 's', layers: [d] } }, weightsManifest: [{ paths: ['w.bin'], weights: [{ name: 'd/kernel', shape: [1, 6e8], dtype: 'float32', quantization: { dtype: 'uint8', scale: 1, min: 0 } }] }] };
    // The bytes are never touched (their pages are not even written): only their size is read.
    expect(() => importTfjs({ model, shards: [new Uint8Array(6e8)] })).toThrow(expect.objectContaining({ code: 'E_MEMORY', message: expect.stringMatching(/found a weightsManifest whose 1 weights take 600000000 bytes \(2400000000 as float32\)/) }));
  });
  it('a scale that takes a value past float32: E_NONFINITE naming the weight and the index', () => {
    const files = small()({ dtype: 'uint8', scale: 1e38, min: 0 }, 12);
    files.shards[0][1] = 200;
    expect(() => importTfjs(files)).toThrow(expect.objectContaining({ code: 'E_NONFINITE', message: expect.stringMatching(/weight "d\/kernel": expected finite values, found Infinity at index 1 \(\[0, 1\] in shape \[2, 2\]\)/) }));
  });
});

// An adversarial pass over importing a model trained elsewhere (files built here, test/import/hostile.ts;
// no node:fs, so this runs in Node and in Chromium): each case was a wrong network, an untyped error,
// a gigabyte allocation, a fetch from another host or a hang before its fix, and is now a BdlError
// naming what is wrong and what to do, raised before the work it would have cost.
import { describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { fetchModel } from '../../src/import/load.js';
import { importOnnx } from '../../src/import/onnx.js';
import { importSafetensors, parseLayers } from '../../src/import/safetensors.js';
import { importTfjs, tfjsShardPaths } from '../../src/import/tfjs.js';
import { thrownBdlError } from '../helpers/errors.js';
import { dense, gemm, linear, onnxModel, safetensors, tfjsModel, type Init, type NodeDef, type WeightDef } from './hostile.js';
import { networkOutputs } from '../../src/import/run.js';

function expectError(f: () => unknown, code: string, message: RegExp): BdlError {
  const e = thrownBdlError(f);
  expect(e.code).toBe(code);
  expect(e.message).toMatch(message);
  return e;
}

/** A 2-3-1 Sequential (relu, linear output) and its one shard. */
function small() {
  const a = dense('d1', 2, 3, 'relu', true);
  const b = dense('d2', 3, 1);
  return tfjsModel([a.layer, b.layer], [...a.weights, ...b.weights]);
}

/** The same chain as a functional model (InputLayer → d1 → d2), its config's input/output layers overridable. */
function functional(io: { input_layers?: unknown; output_layers?: unknown } = {}) {
  const { model, shards } = small();
  const layers = model.modelTopology.config.layers as { class_name: string; config: Record<string, unknown> }[];
  const named = [
    { class_name: 'InputLayer', name: 'in', config: { name: 'in', batch_input_shape: [null, 2] }, inbound_nodes: [] },
    ...layers.map((l, i) => ({ ...l, name: l.config.name, inbound_nodes: [[[i === 0 ? 'in' : layers[i - 1].config.name, 0, 0, {}]]] })),
  ];
  model.modelTopology = { class_name: 'Model', config: { name: 'f', layers: named, input_layers: [['in', 0, 0]], output_layers: [['d2', 0, 0]], ...io } };
  return { model, shards };
}

describe('declared sizes that would allocate gigabytes', () => {
  it('a TF.js Dense of 0 inputs × 10⁷ units without bias (a shard of 0 bytes): E_SHAPE before any allocation', () => {
    const m = tfjsModel([{ class_name: 'Dense', config: { name: 'd', units: 1e7, use_bias: false, batch_input_shape: [null, 0] } }], [{ name: 'd/kernel', shape: [0, 1e7] }]);
    expectError(() => importTfjs(m), 'E_SHAPE', /layer "d" \(Dense\): expected a weight of at least 1 input × 1 output, found 0 × 10000000/);
  });
  it('a TF.js Dense of 1 input × 2³³ units without bias: E_FORMAT / E_MEMORY on the sizes, not a RangeError from sizing its zero biases', async () => {
    const m = tfjsModel([{ class_name: 'Dense', config: { name: 'd', units: 2 ** 33, use_bias: false, batch_input_shape: [null, 1] } }], [{ name: 'd/kernel', shape: [1, 2 ** 33], values: [1] }]);
    expectError(() => importTfjs(m), 'E_FORMAT', /weight shards: expected 34359738368 bytes .* found 4 in 1 shard/);
    // fetchModel checks the layers before the manifest's size: nothing may be sized by the declared shape there.
    const asked: string[] = [];
    const get = (async (u: string) => {
      asked.push(String(u));
      return new Response(JSON.stringify(m.model));
    }) as typeof fetch;
    await expect(fetchModel('http://models.example/m/model.json', { fetch: get })).rejects.toMatchObject({ code: 'E_MEMORY', argument: 'weightsManifest' });
    expect(asked).toEqual(['http://models.example/m/model.json']);
  });
  it('an ONNX Gemm weight of dims [2³³, 0] or negative dims: a typed error, not a RangeError', () => {
    const empty = gemm('fc', 'x', 'y', 2, 2, []);
    empty.inits[0].dims = [2 ** 33, 0];
    empty.inits[1] = { name: 'fc.bias', dims: [1], values: [0] };
    expectError(() => importOnnx(onnxModel({ nodes: [empty.node], inits: empty.inits, input: 'x', width: 2, output: 'y' })), 'E_SHAPE', /layer "fc" \(Gemm\): expected a weight of at least 1 input × 1 output, found 0 × 8589934592/);
    const negative = gemm('fc', 'x', 'y', 2, 2);
    negative.inits[0].dims = [-2, -2];
    expectError(() => importOnnx(onnxModel({ nodes: [negative.node], inits: negative.inits, input: 'x', width: 2, output: 'y' })), 'E_FORMAT', /weight fc\.weight: expected dims of non-negative integers, found \[-2,-2\]/);
  });
});

describe('weight shards are read only from model.json\'s own folder', () => {
  const hostilePaths = ['../group1-shard1of1.bin', '/etc/passwd', 'https://evil.example/w.bin', '//evil.example/w.bin', 'C:\\w.bin', 'sub/%2e%2E/../w.bin', 'sub\\..\\w.bin'];
  for (const p of hostilePaths) {
    it(`manifest path ${JSON.stringify(p)}: E_FORMAT naming it, before any shard is read or fetched`, () => {
      const { model, shards } = small();
      model.weightsManifest[0].paths = [p];
      expectError(() => tfjsShardPaths(model), 'E_FORMAT', /weightsManifest\[0\]\.paths\[0\]: expected a shard file name relative to model\.json .*found (a URL|an absolute path|a path out of model\.json's folder)/);
      expectError(() => importTfjs({ model, shards }), 'E_FORMAT', /never downloaded from elsewhere/);
    });
  }
  it('a plain name or a subfolder is read as before', () => {
    const { model, shards } = small();
    model.weightsManifest[0].paths = ['weights/group1-shard1of1.bin'];
    expect(tfjsShardPaths(model)).toEqual(['weights/group1-shard1of1.bin']);
    expect(importTfjs({ model, shards: { 'weights/group1-shard1of1.bin': shards[0] } }).spec).toMatchObject({ inputs: 2, hidden: [3], outputs: 1 });
  });
  it('fetchModel never requests a URL a manifest names: only model.json is fetched', async () => {
    const { model, shards } = small();
    model.weightsManifest[0].paths = ['https://evil.example/w.bin'];
    const asked: string[] = [];
    const get = (async (u: string) => {
      asked.push(String(u));
      return new Response(String(u).endsWith('model.json') ? JSON.stringify(model) : new Blob([shards[0] as Uint8Array<ArrayBuffer>]));
    }) as typeof fetch;
    await expect(fetchModel('http://models.example/m/model.json', { fetch: get })).rejects.toMatchObject({ code: 'E_FORMAT', argument: 'weightsManifest' });
    expect(asked).toEqual(['http://models.example/m/model.json']);
  });
});

describe('fetchModel', () => {
  it('a truncated model.json is E_PARSE, not a SyntaxError', async () => {
    const get = (async () => new Response('{"format": "layers-model", "modelTop')) as unknown as typeof fetch;
    await expect(fetchModel('http://models.example/model.json', { fetch: get })).rejects.toMatchObject({ code: 'E_PARSE', message: expect.stringMatching(/model\.json: not valid JSON/) });
  });
  it('a failed request releases its response body (no connection left open)', async () => {
    let cancelled = false;
    const body = new ReadableStream({ cancel: () => void (cancelled = true) });
    const get = (async () => new Response(body, { status: 404 })) as unknown as typeof fetch;
    await expect(fetchModel('http://models.example/model.onnx', { fetch: get })).rejects.toMatchObject({ code: 'E_ARG', message: expect.stringMatching(/HTTP 404/) });
    expect(cancelled).toBe(true);
  });
});

describe('each manifest group is read from its own shards', () => {
  it('two groups whose shard sizes disagree while their total agrees: E_FORMAT naming the group, not weights shifted across', () => {
    const { model, shards } = small();
    const [w1, w2] = [model.weightsManifest[0].weights.slice(0, 2), model.weightsManifest[0].weights.slice(2)];
    model.weightsManifest = [{ paths: ['a.bin'], weights: w1 }, { paths: ['b.bin'], weights: w2 }];
    const all = shards[0] as Uint8Array;
    expect(importTfjs({ model, shards: { 'a.bin': all.slice(0, 36), 'b.bin': all.slice(36) } }).spec).toMatchObject({ inputs: 2, hidden: [3], outputs: 1 });
    expectError(() => importTfjs({ model, shards: { 'a.bin': all.slice(0, 32), 'b.bin': all.slice(32) } }), 'E_FORMAT', /weight shards: weightsManifest\[0\]: expected 36 bytes in a\.bin \(the group's 2 weights\), found 32/);
  });
});

describe('shards given by file name', () => {
  it('two manifest paths of one file name ("a/w.bin", "b/w.bin") and one file "w.bin": E_ARG, not one file read twice', () => {
    const a = dense('d1', 2, 2, 'relu', true);
    const b = dense('d2', 2, 2);
    const { model, shards } = tfjsModel([a.layer, b.layer], [...a.weights, ...b.weights]);
    model.weightsManifest = [{ paths: ['a/w.bin'], weights: model.weightsManifest[0].weights.slice(0, 2) }, { paths: ['b/w.bin'], weights: model.weightsManifest[0].weights.slice(2) }];
    const all = shards[0] as Uint8Array;
    expectError(() => importTfjs({ model, shards: { 'w.bin': all.slice(0, 24) } }), 'E_ARG', /shards: the manifest names "a\/w\.bin" and "b\/w\.bin", found only a file named "w\.bin"/);
    expect(importTfjs({ model, shards: { 'a/w.bin': all.slice(0, 24), 'b/w.bin': all.slice(24) } }).spec).toMatchObject({ inputs: 2, hidden: [2], outputs: 2 });
  });
});

describe('model.json text', () => {
  it('a byte-order mark (readFileSync(path, "utf8") of a file a Windows editor saved) is not part of the JSON', () => {
    const { model, shards } = small();
    expect(importTfjs({ model: '\uFEFF' + JSON.stringify(model), shards }).spec).toMatchObject({ inputs: 2, hidden: [3], outputs: 1 });
  });
  it('values nested deeper than any Keras config: E_FORMAT, not a stack overflow in a message', () => {
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));
    const f = functional();
    f.model.modelTopology.config.layers[1].inbound_nodes = deep;
    expectError(() => importTfjs(f), 'E_FORMAT', /model\.json: expected a Keras model config \(nested at most 100 levels\)/);
    const { model, shards } = small();
    const text = JSON.stringify(model).replace('"activation":"linear"', `"activation":${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expectError(() => importTfjs({ model: text, shards }), 'E_FORMAT', /nested at most 100 levels/);
  });
});

describe('a functional model imports the path from its one input to its one output', () => {
  it('the chain as saved imports', () => {
    expect(importTfjs(functional()).spec).toMatchObject({ inputs: 2, hidden: [3], outputs: 1 });
  });
  it('an output before the end of the path, or two outputs: E_FORMAT, not the longer network', () => {
    expectError(() => importTfjs(functional({ output_layers: [['d1', 0, 0]] })), 'E_FORMAT', /output_layers: expected the one output layer of a single path, found layer "d1", while the single path ends at "d2"/);
    expectError(() => importTfjs(functional({ output_layers: [['d1', 0, 0], ['d2', 0, 0]] })), 'E_FORMAT', /found 2 layers \("d1", "d2"\)/);
    expectError(() => importTfjs(functional({ input_layers: [['d1', 0, 0]] })), 'E_FORMAT', /input_layers: .*found layer "d1", while the single path starts at "in"/);
    expectError(() => importTfjs(functional({ output_layers: 'd2' })), 'E_FORMAT', /output_layers: expected a list/);
  });
});

it("Keras 3's hard_sigmoid (relu6(x + 3) / 6) is refused, not run as Keras 2's and TF.js's clip(0.2x + 0.5)", () => {
  const a = dense('d1', 2, 3, 'hard_sigmoid', true);
  const b = dense('d2', 3, 1);
  const m = tfjsModel([a.layer, b.layer], [...a.weights, ...b.weights]);
  m.model.modelTopology = { keras_version: '3.3.3', backend: 'tensorflow', model_config: m.model.modelTopology };
  expectError(() => importTfjs(m), 'E_FORMAT', /layer "d1" \(Dense\): Keras 3's hard_sigmoid \(relu6\(x \+ 3\) \/ 6; .*\) is not supported/);
  m.model.modelTopology.keras_version = '2.15.0';
  expect(importTfjs(m).spec.activation).toBe('hard-sigmoid');
});

describe('model.json and shards as a program passes them', () => {
  it('model.json as the bytes read (a Buffer from fs.readFile, a picked file\'s arrayBuffer()): imported as its text, not "no modelTopology"', () => {
    const { model, shards } = small();
    const bytes = new TextEncoder().encode('\ufeff' + JSON.stringify(model));
    const text = importTfjs({ model: JSON.stringify(model), shards });
    expect(importTfjs({ model: bytes, shards }).theta).toEqual(text.theta);
    expect(importTfjs({ model: bytes.buffer, shards }).theta).toEqual(text.theta);
    expectError(() => importTfjs({ model: new Float32Array(4), shards }), 'E_ARG', /model: expected model\.json's text, its bytes \(an ArrayBuffer or Uint8Array\) or the parsed object, found Float32Array/);
    // Sized before it is decoded.
    expectError(() => importTfjs({ model: new Uint8Array(100_000_001), shards }), 'E_FORMAT', /found 100000001 bytes\. This is not a TF\.js model\.json/);
  });
  it('bytes inside model.json\'s object (a weightData kept beside the topology) are not walked element by element', () => {
    const { model, shards } = small();
    const t = performance.now();
    // Walked, 6·10⁷ elements took seconds and half a gigabyte before the import went on.
    expect(importTfjs({ model: { ...model, weightData: new Uint8Array(6e7) }, shards }).spec.inputs).toBe(2);
    expect(performance.now() - t).toBeLessThan(1500);
  });
  it('a shard named "constructor" that was not given: "not given", not Object.prototype\'s constructor read as the shard', () => {
    const { model, shards } = small();
    model.weightsManifest[0].paths = ['constructor'];
    expectError(() => importTfjs({ model, shards: {} }), 'E_ARG', /shards: the manifest names "constructor", which was not given/);
    expect(importTfjs({ model, shards: { constructor: shards[0] } }).spec.inputs).toBe(2);
  });
  it('shards as a Map, or one file\'s bytes without a list: E_ARG saying what to pass, not "not given"', () => {
    const { model, shards } = small();
    expectError(() => importTfjs({ model, shards: new Map([['group1-shard1of1.bin', shards[0]]]) as never }), 'E_ARG', /shards: expected the shard files: a list .*found a Map.*Object\.fromEntries/);
    expectError(() => importTfjs({ model, shards: shards[0] as never }), 'E_ARG', /shards: expected the shard files: .*found Uint8Array.*\[bytes\]/);
  });
});

describe('a layer name given twice (Keras and TF.js refuse such a model)', () => {
  it('a functional path through two layers of one name: E_FORMAT at once, not a walk that never ends (it exhausted the heap and aborted the process)', () => {
    const { model, shards } = functional();
    const layers = model.modelTopology.config.layers as { name: string; config: Record<string, unknown>; inbound_nodes: unknown[] }[];
    // in → d1 → d1: the second d1's input is named "d1", so the path from "d1" leads back to "d1".
    layers[2] = { ...layers[2], name: 'd1', config: { ...layers[2].config, name: 'd1' }, inbound_nodes: [[['d1', 0, 0, {}]]] };
    const e = expectError(() => importTfjs({ model, shards }), 'E_FORMAT', /modelTopology config\.layers: expected each layer name once .*found "d1" twice/);
    expect(e.argument).toBe('d1');
  });
  it('a Sequential with two Dense layers of one name: E_FORMAT, not the second reading the first one\'s weights', () => {
    const a = dense('d', 2, 2, 'relu', true);
    const b = dense('d', 2, 2, 'relu');
    const c = dense('out', 2, 1);
    // One set of "d" weights: both layers would take it, and nothing would be left unused.
    const m = tfjsModel([a.layer, b.layer, c.layer], [...a.weights, ...c.weights]);
    expectError(() => importTfjs(m), 'E_FORMAT', /modelTopology layers: expected each layer name once .*found "d" twice/);
    // Names that are numbers are looked up as their text ("5/kernel"): 5 twice is one name twice too.
    a.layer.config.name = 5;
    b.layer.config.name = 5;
    for (const w of a.weights) w.name = w.name.replace('d/', '5/');
    expectError(() => importTfjs(tfjsModel([a.layer, b.layer, c.layer], [...a.weights, ...c.weights])), 'E_FORMAT', /found "5" twice/);
  });
});

it('a TF.js Softmax layer over axis 0 (the batch) is refused; over the features it is the output', () => {
  const a = dense('d1', 2, 3, 'relu', true);
  const b = dense('d2', 3, 2);
  const m = (axis: unknown) => tfjsModel([a.layer, b.layer, { class_name: 'Softmax', config: { name: 'sm', axis } }], [...a.weights, ...b.weights]);
  expectError(() => importTfjs(m(0)), 'E_FORMAT', /layer "sm" \(Softmax\): a softmax over axis 0/);
  expect(importTfjs(m(-1)).output).toBe('softmax');
  expect(importTfjs(m([-1])).output).toBe('softmax');
});

it('a safetensors description ending in dropout (after the output) is refused, not ignored', () => {
  expectError(() => parseLayers('3-4r-1-d0.5'), 'E_ARG', /expected a width after d<rate>.*found "d0\.5"/);
  expect(() => importSafetensors(safetensors({ ...linear('0', 3, 4), ...linear('2', 4, 1) }), '3-4r-1-d0.5')).toThrow(/a width after d<rate>/);
  expect(parseLayers('3-d0.5-4r-d0.5-1').dropout).toEqual([0.5, 0.5]);
});

describe('ONNX activations the engine has kernels for (PyTorch exports of ELU, SELU, Softsign, ReLU6, clamp(min=0))', () => {
  const x = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i * 1.9) * 2.5);
  /** Gemm(2 → 3) · act · Gemm(3 → 1), with weights large enough that ReLU6 clips. */
  const net = (act: NodeDef, inits: Init[] = []) => {
    const a = gemm('fc1', 'x', 'h', 2, 3, [3, -2, 4, 2.5, 3.5, -3]);
    const b = gemm('fc2', 'a', 'y', 3, 1);
    return importOnnx(onnxModel({ nodes: [a.node, { ...act, inputs: ['h', ...act.inputs], outputs: ['a'] }, b.node], inits: [...a.inits, ...b.inits, ...inits], input: 'x', width: 2, output: 'y' }));
  };
  /** The same network in float64 with `f` as its hidden activation. */
  const reference = (f: (v: number) => number) => {
    const W1 = [3, -2, 4, 2.5, 3.5, -3]; // out × in (transB): fc1.weight[j][i]
    const W2 = [-0.3, -0.2, -0.1]; // gemm's default values: ((i % 7) - 3) / 10
    const out: number[] = [];
    for (let r = 0; r < 6; r++) {
      let y = 0.1;
      for (let j = 0; j < 3; j++) y += W2[j] * f(W1[2 * j] * x[2 * r] + W1[2 * j + 1] * x[2 * r + 1] + 0.1);
      out.push(y);
    }
    return out;
  };
  const selu = (v: number) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * Math.expm1(v));
  const cases: [string, NodeDef, Init[], string, (v: number) => number][] = [
    ['Elu (alpha 1)', { op: 'Elu', inputs: [], outputs: [], floats: { alpha: 1 } }, [], 'elu', (v) => (v > 0 ? v : Math.expm1(v))],
    ['Selu (PyTorch\'s constants)', { op: 'Selu', inputs: [], outputs: [], floats: { alpha: 1.6732632423543772, gamma: 1.0507009873554805 } }, [], 'selu', selu],
    ['Softsign', { op: 'Softsign', inputs: [], outputs: [] }, [], 'softsign', (v) => v / (1 + Math.abs(v))],
    ['HardSigmoid (alpha 0.2, beta 0.5)', { op: 'HardSigmoid', inputs: [], outputs: [] }, [], 'hard-sigmoid', (v) => Math.min(1, Math.max(0, 0.2 * v + 0.5))],
    ['Clip(0, 6) with bounds as initializers (ReLU6)', { op: 'Clip', inputs: ['lo', 'hi'], outputs: [] }, [{ name: 'lo', dims: [], values: [0] }, { name: 'hi', dims: [], values: [6] }], 'relu6', (v) => Math.min(6, Math.max(0, v))],
    ['Clip(0) with no upper bound (clamp(min=0))', { op: 'Clip', inputs: ['lo'], outputs: [] }, [{ name: 'lo', dims: [], values: [0] }], 'relu', (v) => Math.max(0, v)],
  ];
  for (const [what, act, inits, activation, f] of cases) {
    it(`${what}: the engine's ${activation}, same outputs as float64`, async () => {
      const n = net(act, inits);
      expect(n.spec.activation).toBe(activation);
      const ours = await networkOutputs(n, x);
      reference(f).forEach((v, i) => expect(Math.abs(ours[i] - v)).toBeLessThan(1e-5));
    });
  }
  it('other constants are refused by name: PyTorch\'s Hardsigmoid (alpha 1/6), Elu alpha 0.5, Clip(-1, 1)', () => {
    expectError(() => net({ op: 'HardSigmoid', inputs: [], outputs: [], floats: { alpha: 1 / 6 } }), 'E_FORMAT', /\(HardSigmoid\): HardSigmoid with alpha = 0\.1666.* \(the engine's hard-sigmoid has alpha = 0\.2\) is not supported/);
    expectError(() => net({ op: 'Elu', inputs: [], outputs: [], floats: { alpha: 0.5 } }), 'E_FORMAT', /Elu with alpha = 0\.5 /);
    expectError(() => net({ op: 'Clip', inputs: ['lo', 'hi'], outputs: [] }, [{ name: 'lo', dims: [], values: [-1] }, { name: 'hi', dims: [], values: [1] }]), 'E_FORMAT', /Clip to \[-1, 1\] \(only \[0, 6\], ReLU6, or \[0, inf\), ReLU\)/);
  });
});

it('an ONNX float16 weight: E_FORMAT naming the type and how to export float32', () => {
  const g = gemm('fc', 'x', 'y', 2, 2);
  const bytes = onnxModel({ nodes: [g.node], inits: g.inits, input: 'x', width: 2, output: 'y' });
  // The first initializer's data_type varint (field 2 = FLOAT, bytes 10 01) becomes FLOAT16 (10 0a).
  const at = bytes.findIndex((v, i) => v === 0x10 && bytes[i + 1] === 0x01 && bytes[i - 2] === 0x08);
  const f16 = bytes.slice();
  f16[at + 1] = 10;
  expectError(() => importOnnx(f16), 'E_FORMAT', /weight fc\.weight: expected float32 or float64 values .*found float16 \(ONNX data type 10\)\. Export the model in float32/);
});

it('an ONNX weight named twice (an initializer, or a Constant of the same name) is refused, not one of the two', () => {
  const g = gemm('fc', 'x', 'y', 2, 2);
  const again = { ...g.inits[0], values: [9, 9, 9, 9] };
  expectError(() => importOnnx(onnxModel({ nodes: [g.node], inits: [...g.inits, again], input: 'x', width: 2, output: 'y' })), 'E_FORMAT', /expected each weight \(initializer or Constant\) name once, found "fc\.weight" twice/);
});

describe('graphs built to take quadratic time are refused or read in linear time', () => {
  const N = 50_000;
  it(`an ONNX input feeding ${N} nodes: refused at once, its message naming 8 of them`, () => {
    const nodes = Array.from({ length: N }, (_, i) => ({ op: 'Relu', inputs: ['x'], outputs: [`r${i}`] }));
    const bytes = onnxModel({ nodes, input: 'x', width: 2, output: 'y' });
    const t = performance.now();
    const e = expectError(() => importOnnx(bytes), 'E_FORMAT', /"x" feeds 50000 nodes: r0 \(Relu\), .*r7 \(Relu\), and 49992 more\)/);
    expect(performance.now() - t).toBeLessThan(8000);
    expect(e.message.length).toBeLessThan(2000);
  });
  it(`a TF.js input layer feeding ${N} layers: refused at once`, () => {
    const layers = [
      { class_name: 'InputLayer', name: 'in', config: { name: 'in', batch_input_shape: [null, 2] }, inbound_nodes: [] },
      ...Array.from({ length: N }, (_, i) => ({ class_name: 'Activation', name: `a${i}`, config: { name: `a${i}`, activation: 'relu' }, inbound_nodes: [[['in', 0, 0, {}]]] })),
    ];
    const model = { format: 'layers-model', modelTopology: { class_name: 'Model', config: { layers } }, weightsManifest: [] };
    const t = performance.now();
    expectError(() => importTfjs({ model, shards: [] }), 'E_FORMAT', /not a single path \(0 inputs, 50000 consumers\)/);
    expect(performance.now() - t).toBeLessThan(8000);
  });
  it('12000 Dense layers whose weight names carry a scope ("model/d7/kernel:0"): imported in linear time', () => {
    const L = 12_000;
    const ls = Array.from({ length: L }, (_, i) => dense(`d${i}`, 1, 1, i === L - 1 ? 'linear' : 'relu', i === 0));
    const m = tfjsModel(ls.map((l) => l.layer), ls.flatMap((l) => l.weights));
    for (const w of m.model.weightsManifest[0].weights as WeightDef[]) w.name = `model/${w.name}:0`;
    const t = performance.now();
    expect(importTfjs(m).spec.hidden).toHaveLength(L - 1);
    expect(performance.now() - t).toBeLessThan(8000);
  });
});

// Bad model files are typed errors, found before any allocation beyond the file's size: truncated
// files, a weight shard of the wrong size, shapes that do not connect, and ops the engine cannot run.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BdlError } from '../../src/errors.js';
import { lowerLayers } from '../../src/import/layers.js';
import { importModel } from '../../src/import/load.js';
import { importModelFile } from '../../src/import/node.js';
import { importOnnx } from '../../src/import/onnx.js';
import { importSafetensors, parseLayers } from '../../src/import/safetensors.js';
import { importTfjs, tfjsShardPaths } from '../../src/import/tfjs.js';
import type { ImportedNetwork } from '../../src/import/layers.js';
import { makeDataset } from '../../src/data/dataset.js';
import { posthoc } from '../../src/methods/posthoc/posthoc.js';
import { dense, gemm, linear, onnxModel, safetensors, tfjsModel } from './hostile.js';

const dir = 'test/fixtures/import';
const bytes = (f: string) => new Uint8Array(readFileSync(`${dir}/${f}`));
const json = (f: string) => JSON.parse(readFileSync(`${dir}/${f}`, 'utf8'));
const shards = (m: string) => [bytes(`${m}/group1-shard1of2.bin`), bytes(`${m}/group1-shard2of2.bin`)];

function expectError(f: () => unknown, code: string, message: RegExp) {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(BdlError);
    expect((e as BdlError).code).toBe(code);
    expect((e as BdlError).message).toMatch(message);
    return;
  }
  throw new Error('expected a BdlError');
}

describe('truncated files', () => {
  it('ONNX cut short: E_PARSE saying so', () => {
    const b = bytes('torch-clf.onnx');
    for (const cut of [10, b.length / 2, b.length - 3]) expectError(() => importOnnx(b.subarray(0, Math.floor(cut))), 'E_PARSE', /truncated/);
  });
  it('safetensors cut short or with a header length past the end', () => {
    const b = bytes('torch-reg.safetensors');
    expectError(() => importSafetensors(b.subarray(0, 5), '3-16r-16r-1'), 'E_FORMAT', /truncated/);
    expectError(() => importSafetensors(b.subarray(0, b.length - 8), '3-16r-16r-1'), 'E_FORMAT', /outside the .* data bytes/);
    const huge = b.slice();
    new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
    expectError(() => importSafetensors(huge, '3-16r-16r-1'), 'E_FORMAT', /header declares/);
  });
  it('model.json cut short: E_PARSE', async () => {
    const text = readFileSync(`${dir}/tfjs-clf/model.json`, 'utf8');
    expectError(() => importTfjs({ model: text.slice(0, 200), shards: shards('tfjs-clf') }), 'E_PARSE', /not valid JSON/);
  });
});

describe('weight shards of the wrong size', () => {
  it('a shard short by 4 bytes, or one too many bytes: E_FORMAT naming the sizes', () => {
    const [a, b] = shards('tfjs-clf');
    expectError(() => importTfjs({ model: json('tfjs-clf/model.json'), shards: [a, b.subarray(0, b.length - 4)] }), 'E_FORMAT', /expected 684 bytes .* found 680/);
    expectError(() => importTfjs({ model: json('tfjs-clf/model.json'), shards: [a, new Uint8Array([...b, 0])] }), 'E_FORMAT', /found 685/);
  });
  it('a manifest declaring a huge weight is refused before anything of that size is allocated', () => {
    const m = json('tfjs-clf/model.json');
    m.weightsManifest[0].weights[0].shape = [1e6, 1e6];
    // The layer agrees (else its units are refused first, from the structure), so the bytes are what is wrong.
    m.modelTopology.config.layers[0].config.units = 1e6;
    expectError(() => importTfjs({ model: m, shards: shards('tfjs-clf') }), 'E_FORMAT', /expected 4000000000\d* bytes/);
  });
  it('an ONNX weight whose dims disagree with its data', () => {
    // Patch the dims varint of '0.weight' (8 × 4) to 9 × 4 in place: same file size, wrong count.
    const b = bytes('torch-clf.onnx').slice();
    const name = new TextEncoder().encode('0.weight');
    let at = -1;
    // The last occurrence is the initializer's own name (the first is the Gemm node's input).
    for (let i = b.length - name.length; i >= 0 && at < 0; i--) if (name.every((c, j) => b[i + j] === c)) at = i;
    // The TensorProto's dims (field 1, varint) come before its name: find "08 08 08 04" just before.
    let d = at;
    while (d > 0 && !(b[d] === 0x08 && b[d + 1] === 0x08 && b[d + 2] === 0x08 && b[d + 3] === 0x04)) d--;
    b[d + 1] = 0x09;
    expectError(() => importOnnx(b), 'E_FORMAT', /declares dims \[9,4\] \(36 values\) but holds 32/);
  });
});

describe('shapes that do not connect', () => {
  const dense = (name: string, fanIn: number, fanOut: number) => ({ kind: 'dense' as const, origin: { name, op: 'Dense' }, fanIn, fanOut, w: new Float32Array(fanIn * fanOut), b: new Float32Array(fanOut) });
  it('a dense layer whose input width is not the previous output: E_SHAPE naming the layer', () => {
    expectError(() => lowerLayers([dense('a', 3, 5), dense('b', 4, 1)], 3, 'test'), 'E_SHAPE', /layer "b" \(Dense\): expected 5 inputs/);
    expectError(() => lowerLayers([dense('a', 3, 5)], 4, 'test'), 'E_SHAPE', /layer "a" .* expected 4 inputs/);
  });
  it('a TF.js manifest whose kernels do not connect', () => {
    const m = json('tfjs-reg/model.json');
    // Same byte count, wrong shapes: 6×6 → 4×9 for the second kernel.
    m.weightsManifest[0].weights[2].shape = [4, 9];
    m.modelTopology.config.layers[3].config.units = 9;
    expectError(() => importTfjs({ model: m, shards: [bytes('tfjs-reg/group1-shard1of1.bin')] }), 'E_SHAPE', /dense_Dense5.*expected 6 inputs/);
  });
  it('a safetensors description that disagrees with the state_dict', () => {
    expectError(() => importSafetensors(bytes('torch-reg.safetensors'), '3-8r-16r-1'), 'E_SHAPE', /layer 0 \(0\) is described as 3 → 8/);
    expectError(() => importSafetensors(bytes('torch-reg.safetensors'), '3-16r-1'), 'E_SHAPE', /describes 2 linear layer/);
    expectError(() => parseLayers('3-16q!-1'), 'E_ARG', /expected a width/);
    expectError(() => importSafetensors(bytes('torch-reg.safetensors'), ''), 'E_ARG', /layers/);
  });
});

describe('unsupported layers are named, with what is supported', () => {
  it('ONNX LayerNorm exported by PyTorch (ReduceMean …)', () => {
    expectError(() => importOnnx(bytes('torch-layernorm.onnx')), 'E_FORMAT', /\(ReduceMean\).*not supported\. Supported: dense/);
  });
  it('a TF.js convolution, a softplus activation, mixed hidden activations', () => {
    const conv = json('tfjs-reg/model.json');
    conv.modelTopology.config.layers[1].class_name = 'Conv1D';
    expectError(() => importTfjs({ model: conv, shards: [bytes('tfjs-reg/group1-shard1of1.bin')] }), 'E_FORMAT', /layer "flatten_Flatten1" \(Conv1D\): layer class Conv1D is not supported/);
    const elu = json('tfjs-reg/model.json');
    elu.modelTopology.config.layers[2].config.activation = 'softplus';
    expectError(() => importTfjs({ model: elu, shards: [bytes('tfjs-reg/group1-shard1of1.bin')] }), 'E_FORMAT', /activation "softplus" is not supported/);
    const mixed = json('tfjs-reg/model.json');
    mixed.modelTopology.config.layers[2].config.activation = 'relu';
    expectError(() => importTfjs({ model: mixed, shards: [bytes('tfjs-reg/group1-shard1of1.bin')] }), 'E_FORMAT', /different activations/);
  });
  it('a functional graph that is not a single path', () => {
    const m = json('tfjs-reg/model.json');
    // dense_Dense6 reads from dense_Dense4 too: dense_Dense4 now has two consumers.
    m.modelTopology.config.layers[4].inbound_nodes = [[['dense_Dense4', 0, 0, {}]]];
    expectError(() => importTfjs({ model: m, shards: [bytes('tfjs-reg/group1-shard1of1.bin')] }), 'E_FORMAT', /not a single path/);
  });
  it('unknown sources and file names', async () => {
    expectError(() => importModel({} as never), 'E_ARG', /tfjs/);
    await expect(importModelFile(`${dir}/make-torch.py`)).rejects.toMatchObject({ code: 'E_ARG', argument: 'model' });
    await expect(importModelFile(`${dir}/missing.onnx`)).rejects.toMatchObject({ code: 'E_ARG' });
  });
});

describe('import options', () => {
  it('a misspelt or bad option is refused before the file is read', async () => {
    await expect(importModelFile('/nonexistent/model.json', { layer: '4-8r-1' } as never)).rejects.toThrow(/^importModelFile: unknown option layer\. Did you mean layers\?/);
    expect(() => importModel({ onnx: new Uint8Array(0) }, { task: 'classify' as never })).toThrow(/^importModel: task: expected 'regression' \| 'classification', found "classify"/);
  });
});

// The audit's findings, each on a file built here (test/import/hostile.ts): refused with a typed
// error naming the tensor, layer or field before any network is built — never a silently different
// network, a hang, or a TypeError.
describe('safetensors: every tensor is used, or the file is refused', () => {
  const base = { ...linear('0', 3, 4), ...linear('2', 4, 1) };
  it('a LayerNorm between the Linears (1-D weight and bias): E_FORMAT naming its tensors', () => {
    const f = safetensors({ ...linear('0', 3, 4), '1.weight': { shape: [4], values: [1, 1, 1, 1] }, '1.bias': { shape: [4], values: [0, 0, 0, 0] }, ...linear('2', 4, 1) });
    expectError(() => importSafetensors(f, '3-4r-1'), 'E_FORMAT', /found 2 that the import would not use: 1\.weight \(F32 \[4\]\), 1\.bias \(F32 \[4\]\)\..* or a LayerNorm, which is not supported/);
  });
  it('a BatchNorm1d without running statistics (track_running_stats=False: batch statistics in eval mode): E_FORMAT naming that cause, not the generic one', () => {
    const f = safetensors({ ...linear('0', 3, 4), '1.weight': { shape: [4], values: [1, 2, 1, 1] }, '1.bias': { shape: [4], values: [0, 0.5, 0, 0] }, ...linear('2', 4, 1) });
    expectError(() => importSafetensors(f, '3-4br-1'), 'E_FORMAT', /found 2 that the import would not use: 1\.weight \(F32 \[4\]\), 1\.bias \(F32 \[4\]\)\. Module "1" has a weight and a bias of one value per feature and no running_mean or running_var: a BatchNorm1d saved with track_running_stats=False, .*statistics of each batch, in eval mode too.*or a LayerNorm.*give it running statistics/);
  });
  it('a PReLU slope and a module left out of "@…": E_FORMAT naming them', () => {
    expectError(() => importSafetensors(safetensors({ ...base, 'act.weight': { shape: [1], values: [0.25] } }), '3-4r-1'), 'E_FORMAT', /act\.weight \(F32 \[1\]\)/);
    expectError(() => importSafetensors(safetensors({ ...base, ...linear('extra', 4, 4) }), '3-4r-1@0,2'), 'E_FORMAT', /module listed after "@", found 2 .*: extra\.weight \(F32 \[4,4\]\), extra\.bias/);
    expectError(() => importSafetensors(safetensors(base), '3-4r-4r-1@0,0,2'), 'E_ARG', /module "0" twice/);
  });
  it('a BatchNorm1d with its num_batches_tracked counter (int64) is used whole and folded', () => {
    const bn = { '1.weight': { shape: [4], values: [1, 2, 1, 1] }, '1.bias': { shape: [4], values: [0, 0.5, 0, 0] }, '1.running_mean': { shape: [4], values: [0, 0, 0, 0] }, '1.running_var': { shape: [4], values: [1, 1, 1, 1] }, '1.num_batches_tracked': { dtype: 'I64' as const, shape: [], values: [100] } };
    const net = importSafetensors(safetensors({ ...linear('0', 3, 4), ...bn, ...linear('2', 4, 1) }), '3-4br-1');
    expect(net.folded).toEqual(['1']);
    expect(net.spec).toMatchObject({ inputs: 3, hidden: [4], outputs: 1 });
    // The counter is never read as a weight: an int64 where a weight should be is refused by name.
    expectError(() => importSafetensors(safetensors({ '0.weight': { dtype: 'I64', shape: [1, 3], values: [1, 2, 3] } }), '3-1'), 'E_FORMAT', /tensor "0\.weight": expected a float dtype .*found I64/);
  });
  it('a malformed header entry: E_FORMAT, not a TypeError', () => {
    const h = (header: unknown) => {
      const json = new TextEncoder().encode(JSON.stringify(header));
      const b = new Uint8Array(8 + json.length);
      new DataView(b.buffer).setBigUint64(0, BigInt(json.length), true);
      b.set(json, 8);
      return b;
    };
    expectError(() => importSafetensors(h({ 'a.weight': null }), '3-1'), 'E_FORMAT', /tensor "a\.weight": expected an entry/);
    expectError(() => importSafetensors(h({ 'a.weight': { dtype: 'F32', shape: 'abc', data_offsets: [0, 0] } }), '3-1'), 'E_FORMAT', /shape/);
    expectError(() => importSafetensors(h([1, 2]), '3-1'), 'E_FORMAT', /header/);
  });
});

describe('a multi-unit sigmoid output (multi-label) is refused at import', () => {
  it('TF.js, ONNX and safetensors: E_FORMAT naming the layer; one unit stays a binary classifier', () => {
    const a = dense('d1', 2, 3, 'relu', true);
    const b = dense('d2', 3, 3, 'sigmoid');
    const m = tfjsModel([a.layer, b.layer], [...a.weights, ...b.weights]);
    expectError(() => importTfjs(m), 'E_FORMAT', /layer "d2" \(Dense\): expected a sigmoid output of 1 unit .*found 3 units.*multi-label/);
    const g = gemm('fc', 'x', 'h', 2, 2);
    const onnx = onnxModel({ nodes: [g.node, { op: 'Sigmoid', inputs: ['h'], outputs: ['y'] }], inits: g.inits, input: 'x', width: 2, output: 'y' });
    expectError(() => importOnnx(onnx), 'E_FORMAT', /found 2 units/);
    expectError(() => importSafetensors(safetensors({ ...linear('0', 3, 4), ...linear('2', 4, 2) }), '3-4r-2sigmoid'), 'E_FORMAT', /layer "2" \(Linear\): expected a sigmoid output of 1 unit/);
    expect(importSafetensors(safetensors({ ...linear('0', 3, 4), ...linear('2', 4, 1) }), '3-4r-1sigmoid').spec.likelihood).toBe('bernoulli');
  });
  it('posthoc refuses a hand-built multi-output bernoulli network before any work', async () => {
    const net: ImportedNetwork = { spec: { inputs: 2, hidden: [], outputs: 2, activation: 'relu', likelihood: 'bernoulli' }, theta: new Float32Array(6), output: 'sigmoid', format: 'test', layerNames: ['a'], folded: [] };
    const train = makeDataset([[0, 1], [1, 0], [1, 1]], [[0, 1], [1, 0], [1, 1]]);
    await expect(posthoc(net, train)).rejects.toMatchObject({ code: 'E_ARG', argument: 'net.spec.outputs', message: expect.stringMatching(/expected 1 output for a bernoulli.*found 2/) });
  });
});

describe('NaN or Infinity in the weights: E_NONFINITE naming the tensor and the first bad index', () => {
  it('TF.js', () => {
    const a = dense('d1', 2, 3, 'relu', true);
    const b = dense('d2', 3, 1);
    a.weights[0].values = [0, 0.1, 0.2, 0.3, NaN, 0.5];
    expectError(() => importTfjs(tfjsModel([a.layer, b.layer], [...a.weights, ...b.weights])), 'E_NONFINITE', /weight "d1\/kernel": expected finite values, found NaN at index 4 \(\[1, 1\] in shape \[2, 3\]\)/);
  });
  it('ONNX', () => {
    const g = gemm('fc', 'x', 'y', 2, 2, [0, Infinity, 0, 0]);
    expectError(() => importOnnx(onnxModel({ nodes: [g.node], inits: g.inits, input: 'x', width: 2, output: 'y' })), 'E_NONFINITE', /model\.onnx: weight "fc\.weight": expected finite values, found Infinity at index 1/);
  });
  it('safetensors: f32 NaN, f16 Infinity, f64 beyond float32', () => {
    const nan = { ...linear('0', 3, 4), ...linear('2', 4, 1) };
    nan['2.bias'] = { shape: [1], values: [NaN] };
    expectError(() => importSafetensors(safetensors(nan), '3-4r-1'), 'E_NONFINITE', /weight "2\.bias": expected finite values, found NaN at index 0/);
    const half = { ...linear('0', 3, 1), '0.weight': { dtype: 'F16' as const, shape: [1, 3], values: [0x3c00, 0xfc00, 0x3c00] } };
    expectError(() => importSafetensors(safetensors(half), '3-1'), 'E_NONFINITE', /found -Infinity at index 1/);
    const wide = { ...linear('0', 3, 1), '0.weight': { dtype: 'F64' as const, shape: [1, 3], values: [1, 2, 1e300] } };
    expectError(() => importSafetensors(safetensors(wide), '3-1'), 'E_NONFINITE', /found 1e\+300 \(beyond float32's range\) at index 2/);
  });
  it('a value that overflows float32 once a batch normalization is folded in: E_NONFINITE naming the layer', () => {
    const d = { kind: 'dense' as const, origin: { name: 'fc', op: 'Dense' }, fanIn: 1, fanOut: 1, w: Float32Array.of(3e38), b: Float32Array.of(0) };
    const bn = { kind: 'affine' as const, origin: { name: 'bn', op: 'BatchNorm' }, scale: Float64Array.of(10), shift: Float64Array.of(0) };
    expectError(() => lowerLayers([d, bn], 1, 'test'), 'E_NONFINITE', /layer "fc" \(Dense\): expected weights finite in float32.*found \d\.\d+e\+39 at weight index 0/);
  });
});

describe('ONNX: cycles and foreign domains', () => {
  it('a cyclic graph is refused (E_FORMAT), not walked forever', () => {
    const g = gemm('fc', 'x', 'h', 2, 2);
    const back = onnxModel({ nodes: [g.node, { op: 'Relu', inputs: ['h'], outputs: ['x'], name: 'loop' }], inits: g.inits, input: 'x', width: 2, output: 'y' });
    expectError(() => importOnnx(back), 'E_FORMAT', /a cycle: node "fc" \(Gemm\) is reached a second time/);
    const self = onnxModel({ nodes: [g.node, { op: 'Relu', inputs: ['h'], outputs: ['h'], name: 'self' }], inits: g.inits, input: 'x', width: 2, output: 'y' });
    expectError(() => importOnnx(self), 'E_FORMAT', /a cycle: node "self" \(Relu\)/);
  });
  it('a node of another domain is refused by name; the default domain ("" or ai.onnx) is read', () => {
    const g = gemm('fc', 'x', 'h', 2, 2);
    const relu = (domain?: string) => ({ op: 'Relu', inputs: ['h'], outputs: ['z'], name: 'act', domain });
    const out = gemm('out', 'z', 'y', 2, 1);
    const model = (domain?: string) => onnxModel({ nodes: [g.node, relu(domain), out.node], inits: [...g.inits, ...out.inits], input: 'x', width: 2, output: 'y' });
    expectError(() => importOnnx(model('com.microsoft')), 'E_FORMAT', /layer "act" \(Relu\): expected an op of the default ONNX domain \("" or "ai\.onnx"\), found domain "com\.microsoft"/);
    expect(importOnnx(model('ai.onnx')).spec).toMatchObject({ inputs: 2, hidden: [2], outputs: 1, activation: 'relu' });
    expect(importOnnx(model()).spec).toMatchObject({ inputs: 2, hidden: [2], outputs: 1 });
  });
});

describe('TF.js model.json: malformed structure is E_FORMAT, never a TypeError', () => {
  // Fresh objects per case: the cases edit them.
  const good = () => {
    const a = dense('d1', 2, 3, 'relu', true);
    const b = dense('d2', 3, 1);
    return tfjsModel([a.layer, b.layer], [...a.weights, ...b.weights]);
  };
  const cases: [string, (m: Record<string, any>) => unknown, RegExp][] = [
    ['an array', () => [], /expected an object with modelTopology/],
    ['no modelTopology', (m) => ({ weightsManifest: m.weightsManifest }), /modelTopology/],
    ['modelTopology null', (m) => ({ ...m, modelTopology: null }), /modelTopology: expected an object/],
    ['layers not an array', (m) => ({ ...m, modelTopology: { class_name: 'Sequential', config: { layers: 'dense' } } }), /modelTopology\.config\.layers: expected a list of layers, found "dense"/],
    ['a layer without config', (m) => ({ ...m, modelTopology: { class_name: 'Sequential', config: { layers: [{ class_name: 'Dense' }] } } }), /layers\[0\]: expected \{ class_name, config \}/],
    ['a null layer', (m) => ({ ...m, modelTopology: { class_name: 'Sequential', config: { layers: [null] } } }), /layers\[0\]: expected/],
    ['batch_input_shape a string', (m) => { m.modelTopology.config.layers[0].config.batch_input_shape = 'abc'; return m; }, /batch_input_shape: expected a list/],
    ['Keras 3 inbound_nodes whose args are not tensors', (m) => ({ ...m, modelTopology: { class_name: 'Functional', config: { layers: m.modelTopology.config.layers.map((l: object) => ({ ...l, inbound_nodes: [{ args: [1], kwargs: {} }] })) } } }), /expected a Keras 3 node's args to be tensors .*found 1\./],
    ['weightsManifest an object', (m) => ({ ...m, weightsManifest: {} }), /weightsManifest: expected a list/],
    ['a null group', (m) => ({ ...m, weightsManifest: [null] }), /weightsManifest\[0\]: expected/],
    ['paths a string', (m) => ({ ...m, weightsManifest: [{ paths: 'x.bin', weights: [] }] }), /weightsManifest\[0\]\.paths: expected/],
    ['a null weight', (m) => ({ ...m, weightsManifest: [{ paths: ['x.bin'], weights: [null] }] }), /weightsManifest\[0\]\.weights\[0\]: expected/],
    ['a weight without a name', (m) => ({ ...m, weightsManifest: [{ paths: ['x.bin'], weights: [{ shape: [1] }] }] }), /weights\[0\]: expected an object with a name/],
    ['a weight without a shape', (m) => ({ ...m, weightsManifest: [{ paths: ['x.bin'], weights: [{ name: 'w' }] }] }), /weight "w".*shape.*non-negative integers/],
    ['a weight named twice', (m) => { m.weightsManifest[0].weights[3].name = 'd1/bias'; return m; }, /"d1\/bias" twice/],
  ];
  for (const [what, edit, message] of cases) {
    it(what, () => {
      const { model, shards } = good();
      const m = edit(model);
      expectError(() => importTfjs({ model: m, shards }), 'E_FORMAT', message);
      expectError(() => importTfjs({ model: JSON.stringify(m), shards }), 'E_FORMAT', message);
    });
  }
  it('no files object at all: E_ARG', () => {
    expectError(() => importTfjs(null as never), 'E_ARG', /tfjs: expected \{ model, shards \}/);
    expectError(() => importModel({ tfjs: undefined } as never), 'E_ARG', /tfjs/);
  });
  it('a graph model: E_FORMAT saying only layers models are read, and how to export one (also before any shard is fetched)', () => {
    const graph = { format: 'graph-model', modelTopology: { node: [{ name: 'x', op: 'Placeholder' }], library: {}, versions: {} }, weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [] }] };
    expectError(() => importTfjs({ model: graph, shards: [] }), 'E_FORMAT', /found a graph model .*Only layers models are supported.*tfjs_layers_model/);
    expectError(() => tfjsShardPaths(graph), 'E_FORMAT', /graph model/);
    const { format: _, ...unmarked } = graph;
    expectError(() => tfjsShardPaths(unmarked), 'E_FORMAT', /graph model/);
  });
  it('a manifest weight no layer uses: E_FORMAT naming it; an optimizer weight is not the network', () => {
    const a = dense('d1', 2, 3, 'relu', true);
    const b = dense('d2', 3, 1);
    const extra = tfjsModel([a.layer, b.layer], [...a.weights, ...b.weights, { name: 'p_re_lu/alpha', shape: [3] }]);
    expectError(() => importTfjs(extra), 'E_FORMAT', /found 1 that no layer uses: "p_re_lu\/alpha" \[3\]/);
    const opt = tfjsModel([a.layer, b.layer], [...a.weights, ...b.weights, { name: 'd1/kernel/m', shape: [2, 3], group: 'optimizer' }]);
    expect(importTfjs(opt).spec).toMatchObject({ inputs: 2, hidden: [3], outputs: 1 });
  });
});

describe('importModelFile is public', () => {
  it('exported from the package entry; the entry stays loadable in browsers (node: builtins are loaded lazily)', async () => {
    const entry = await import('../../src/index.js');
    expect(entry.importModelFile).toBe(importModelFile);
    expect(readFileSync('src/import/node.ts', 'utf8')).not.toMatch(/from 'node:/);
  });
  it('a path that is not a string: E_ARG', async () => {
    await expect(importModelFile(42 as never)).rejects.toMatchObject({ code: 'E_ARG', argument: 'path' });
  });
});

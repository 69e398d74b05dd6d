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
import { importTfjs } from '../../src/import/tfjs.js';

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

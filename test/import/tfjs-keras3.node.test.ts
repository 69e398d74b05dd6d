// Keras 3 models converted for TF.js. The model.json files below are written by hand after what
// tensorflowjs_converter writes for Keras 3, as found in public converted models:
//  - functional: github.com/imcnaugh/tfjs_issue_demo, tfjs-model/model.json ("generatedBy": "keras
//    v3.4.1", "convertedBy": "TensorFlow.js Converter v4.6.0"; tfjs.converters.save_keras_model):
//    InputLayer with `batch_shape`, layer `dtype` a DTypePolicy object, initializers wrapped in
//    { module, class_name, config, registered_name }, inbound nodes as { args: [__keras_tensor__ with
//    keras_history], kwargs }, weights named "dense/kernel";
//  - Sequential: a model.json of "keras v3.10.0" / "TensorFlow.js Converter v4.22.0" (the first layer an
//    InputLayer with `batch_shape`, the model's own `dtype` policy and `build_input_shape`, weights named
//    "sequential/dense/kernel").
// tfjs-layers 4.22 cannot load either (tensorflow/tfjs#8328: "An InputLayer should be passed either a
// `batchInputShape` or an `inputShape`"), so the reference is a float64 forward pass written here.
import { describe, expect, it } from 'vitest';
import { importTfjs } from '../../src/import/tfjs.js';
import { networkOutputs } from '../../src/import/run.js';

const policy = (name = 'float32') => ({ module: 'keras', class_name: 'DTypePolicy', config: { name }, registered_name: null });
const init = (class_name: string, config: Record<string, unknown> = {}) => ({ module: 'keras.initializers', class_name, config, registered_name: null });
const dense = (name: string, units: number, activation: string, dtype: unknown = policy()) => ({
  name, trainable: true, dtype, units, activation, use_bias: true,
  kernel_initializer: init('GlorotUniform', { seed: null }), bias_initializer: init('Zeros'),
  kernel_regularizer: null, bias_regularizer: null, kernel_constraint: null, bias_constraint: null,
});
const tensor = (from: string, width: number) => ({ class_name: '__keras_tensor__', config: { shape: [null, width], dtype: 'float32', keras_history: [from, 0, 0] } });
const node = (from: string, width: number, kwargs: Record<string, unknown> = {}) => [{ args: [tensor(from, width)], kwargs }];

/** Deterministic weights in (−1, 1), and a shard of them (float32, little-endian). */
function weights(shapes: [string, number[]][]): { manifest: { name: string; shape: number[]; dtype: string }[]; values: Map<string, number[]>; shard: Uint8Array } {
  const values = new Map<string, number[]>();
  let k = 0;
  for (const [name, shape] of shapes) values.set(name, Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.fround(Math.sin(1.7 * ++k) * 0.9)));
  const flat = new Float32Array([...values.values()].flat());
  return { manifest: shapes.map(([name, shape]) => ({ name, shape, dtype: 'float32' })), values, shard: new Uint8Array(flat.buffer) };
}

/** model.json as the converter writes it for a Keras 3 model, with its one shard. */
function converted<C>(keras: string, converter: string, modelConfig: C, w: ReturnType<typeof weights>) {
  const model = {
    format: 'layers-model', generatedBy: `keras v${keras}`, convertedBy: `TensorFlow.js Converter v${converter}`,
    modelTopology: { keras_version: keras, backend: 'tensorflow', model_config: modelConfig, training_config: { loss: 'binary_crossentropy', loss_weights: null, metrics: ['accuracy'] } },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: w.manifest }],
  };
  return { model, shards: [w.shard], values: w.values };
}

/** Keras 3 functional: input_layer (3) → dense (4, relu) → dense_1 (1, sigmoid). */
function functional(opts: { dtype?: unknown; kwargs?: Record<string, unknown> } = {}) {
  return converted('3.4.1', '4.6.0', {
    class_name: 'Functional',
    config: {
      name: 'functional', trainable: true,
      layers: [
        { class_name: 'InputLayer', config: { batch_shape: [null, 3], dtype: 'float32', sparse: false, name: 'input_layer' }, name: 'input_layer', inbound_nodes: [] },
        { class_name: 'Dense', config: dense('dense', 4, 'relu', opts.dtype), name: 'dense', inbound_nodes: node('input_layer', 3, opts.kwargs) },
        { class_name: 'Dense', config: dense('dense_1', 1, 'sigmoid'), name: 'dense_1', inbound_nodes: node('dense', 4) },
      ],
      input_layers: [['input_layer', 0, 0]],
      output_layers: [['dense_1', 0, 0]],
    },
  }, weights([['dense/kernel', [3, 4]], ['dense/bias', [4]], ['dense_1/kernel', [4, 1]], ['dense_1/bias', [1]]]));
}

/** Keras 3 Sequential: input_layer (3) → dense (5, tanh) → dropout 0.25 → dense_1 (2, softmax). */
function sequential() {
  return converted('3.10.0', '4.22.0', {
    class_name: 'Sequential',
    config: {
      name: 'sequential', trainable: true, dtype: policy(),
      layers: [
        { class_name: 'InputLayer', config: { batch_shape: [null, 3], dtype: 'float32', sparse: false, ragged: false, name: 'input_layer' } },
        { class_name: 'Dense', config: dense('dense', 5, 'tanh') },
        { class_name: 'Dropout', config: { name: 'dropout', trainable: true, dtype: policy(), rate: 0.25, seed: null, noise_shape: null } },
        { class_name: 'Dense', config: dense('dense_1', 2, 'softmax') },
      ],
      build_input_shape: [null, 3],
    },
  }, weights([['sequential/dense/kernel', [3, 5]], ['sequential/dense/bias', [5]], ['sequential/dense_1/kernel', [5, 2]], ['sequential/dense_1/bias', [2]]]));
}

/** Dense layers in float64: x·W + b, then the activation. */
function forward(x: number[], layers: [number[], number[], (v: number[]) => number[]][]): number[] {
  return layers.reduce((h, [W, b, act]) => act(b.map((bj, j) => bj + h.reduce((s, v, i) => s + v * W[i * b.length + j], 0))), x);
}
const relu = (v: number[]) => v.map((u) => Math.max(0, u));
const sigmoid = (v: number[]) => v.map((u) => 1 / (1 + Math.exp(-u)));
const softmax = (v: number[]) => {
  const e = v.map((u) => Math.exp(u - Math.max(...v)));
  return e.map((u) => u / e.reduce((a, b) => a + b, 0));
};
const X = [[0.5, -1.1, 2.0], [-0.3, 0.8, 0.1], [1.4, 0.2, -0.9]];

async function expectOutputs(net: ReturnType<typeof importTfjs>, reference: (x: number[]) => number[]) {
  const ours = await networkOutputs(net, Float32Array.from(X.flat()));
  const theirs = X.flatMap(reference);
  expect(ours.length).toBe(theirs.length);
  theirs.forEach((v, i) => expect(Math.abs(ours[i] - v)).toBeLessThan(1e-6));
}

describe('Keras 3 models as tensorflowjs_converter writes them', () => {
  it('functional: batch_shape, DTypePolicy objects and { args, kwargs } nodes import exactly', async () => {
    const f = functional();
    const net = importTfjs(f);
    expect(net.spec).toMatchObject({ inputs: 3, hidden: [4], outputs: 1, activation: 'relu', likelihood: 'bernoulli' });
    const v = (k: string) => f.values.get(k)!;
    await expectOutputs(net, (x) => forward(x, [[v('dense/kernel'), v('dense/bias'), relu], [v('dense_1/kernel'), v('dense_1/bias'), sigmoid]]));
  });

  it('Sequential: weights under the model\'s scope, its InputLayer\'s batch_shape read as the input width', async () => {
    const s = sequential();
    const net = importTfjs(s);
    expect(net.spec).toMatchObject({ inputs: 3, hidden: [5], outputs: 2, activation: 'tanh', likelihood: 'categorical', dropout: [0, 0.25] });
    const v = (k: string) => s.values.get(`sequential/${k}`)!;
    await expectOutputs(net, (x) => forward(x, [[v('dense/kernel'), v('dense/bias'), (h) => h.map(Math.tanh)], [v('dense_1/kernel'), v('dense_1/bias'), softmax]]));
    // The width batch_shape declares is held against the first Dense.
    (s.model.modelTopology.model_config.config.layers[0].config as { batch_shape: unknown }).batch_shape = [null, 4];
    expect(() => importTfjs(s)).toThrow(expect.objectContaining({ code: 'E_SHAPE', message: expect.stringMatching(/layer "dense" \(Dense\): expected 4 inputs/) }));
  });

  it('what the engine cannot run as Keras does is refused by name', () => {
    const refused = (files: { model: unknown; shards: Uint8Array[] }, message: RegExp) => expect(() => importTfjs(files)).toThrow(expect.objectContaining({ code: 'E_FORMAT', message: expect.stringMatching(message) }));
    // Mixed precision computes in float16: not the float32 network the engine runs.
    refused(functional({ dtype: policy('mixed_float16') }), /layer "dense" \(Dense\): dtype policy "mixed_float16"/);
    refused(functional({ dtype: { module: 'keras', class_name: 'QuantizedDTypePolicy', config: { name: 'int8_from_float32' }, registered_name: null } }), /layer "dense" \(Dense\): dtype policy "int8_from_float32"/);
    // A call with a keyword argument the import does not know the effect of (training: tfjs-producer.node.test.ts).
    refused(functional({ kwargs: { scale: 2 } }), /layer "dense" \(Dense\): a call with scale=2 /);
    // A custom layer registered under a built-in's class name.
    const custom = functional();
    Object.assign(custom.model.modelTopology.model_config.config.layers[1], { module: 'my_package.layers', registered_name: 'my_package>Dense' });
    refused(custom, /layer "dense" \(Dense\): a custom layer \(module "my_package\.layers", registered_name "my_package>Dense"\)/);
    // Weights named by their index in the layer (a .keras file converted): which is the kernel is not said.
    const byIndex = functional();
    byIndex.model.weightsManifest[0].weights.forEach((w, i) => (w.name = `_layer_checkpoint_dependencies/${w.name.split('/')[0]}/vars/${i % 2}`));
    refused(byIndex, /weights named by index .*"_layer_checkpoint_dependencies\/dense\/vars\/0"/);
  });

  it('built-in Keras 3 layers with their module wrapper import as the plain ones', async () => {
    const f = functional();
    for (const l of f.model.modelTopology.model_config.config.layers) Object.assign(l, { module: 'keras.layers', registered_name: null });
    expect(importTfjs(f).spec).toMatchObject({ inputs: 3, hidden: [4], outputs: 1 });
  });
});

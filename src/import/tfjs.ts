/**
 * TensorFlow.js / Keras layers models (`model.json` + weight shards), read directly: the topology is
 * JSON, the weights are the concatenation of the manifest's shard files, little-endian float32 (or
 * tensorflowjs_converter's uint8 / uint16 / float16 quantization of it) in the order of
 * `weightsManifest[].weights`. Dense kernels are stored inputs × units, row-major — the
 * engine's layout.
 */
import { argError, BdlError, describe } from '../errors.js';
import { batchNormAffine, checkDenseShape, lowerLayers, SUPPORTED, unsupported, where, type LayerOp, type ImportedNetwork, type LowerOptions, type Origin } from './layers.js';
import { activationOf } from './activations.js';
import { asBytes, MAX_MODEL_BYTES, type Bytes } from './bytes.js';
import { checkFinite } from './finite.js';
import { batchShapeOf, isObject, manifestOf, nestedLayers, parseModelJson, topologyOf, weightKey, type KerasLayer, type ManifestGroup } from './tfjs-json.js';
import { checkKerasLayer, refuseIndexNamed } from './keras3.js';
import { readWeights, sizeOf, weightBytes, type Weight } from './tfjs-weights.js';

/**
 * A model.json's contents (parsed, as text, or its bytes as read) and its weight shards; or the
 * artifacts TF.js hands a save handler ({ modelTopology, weightSpecs, weightData }), whose weightData
 * holds the weights.
 */
export interface TfjsFiles {
  model: unknown;
  /** The shard files' bytes, by the path the manifest names, or in manifest order (for artifacts: their weightData, by default). */
  shards?: Record<string, Bytes> | Bytes[];
}

/** The shard paths a model.json names, in order (what a loader must fetch). */
export function tfjsShardPaths(model: unknown): string[] {
  const m = parseModelJson(model);
  return manifestOf(m).flatMap((g) => g.paths);
}

/**
 * Refuses weight shards whose sizes do not add up to what the manifest's weights take. Run on
 * the sizes alone, before any shard byte is copied (importModelFile runs it on the files' sizes,
 * before reading them).
 */
export function checkShardSizes(model: unknown, sizes: readonly number[]): void {
  manifestBytes(model);
  shardSizes(manifestOf(parseModelJson(model)), sizes);
}

/**
 * The bytes a model's shards hold together: what its manifest's weights take as stored. A loader
 * bounds its reads by it; weights (as stored, or as the float32 they are read into) above
 * MAX_MODEL_BYTES are refused before any shard is opened or fetched.
 */
export function manifestBytes(model: unknown): number {
  return boundedBytes(manifestOf(parseModelJson(model)));
}

/** The manifest's bytes as stored, refused (E_MEMORY) when they or the float32 they are read into pass MAX_MODEL_BYTES. */
function boundedBytes(groups: ManifestGroup[]): number {
  const specs = groups.flatMap((g) => g.weights);
  const bytes = weightBytes(specs);
  const float32 = specs.reduce((a, s) => a + (s.group === 'optimizer' ? 0 : 4 * sizeOf(s)), 0);
  if (Math.max(bytes, float32) > MAX_MODEL_BYTES) {
    throw new BdlError('E_MEMORY', `model.json: expected weights of at most ${MAX_MODEL_BYTES} bytes (2 GiB; beyond it the engine has no room to compute in its one wasm32 memory), found a weightsManifest whose ${specs.length} weights take ${bytes} bytes${float32 > bytes ? ` (${float32} as float32)` : ''}. Import a smaller network, or check that the manifest's shapes are the model's.`, 'weightsManifest');
  }
  return bytes;
}

/** `sizes`: the shards' sizes in the manifest's order of paths. */
function shardSizes(groups: ManifestGroup[], sizes: readonly number[]): void {
  const specs = groups.flatMap((g) => g.weights);
  const expected = weightBytes(specs);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total !== expected) {
    throw new BdlError('E_FORMAT', `weight shards: expected ${expected} bytes (the ${specs.length} weights model.json declares), found ${total} in ${sizes.length} shard(s). A shard is truncated or belongs to another model; re-download or re-save it.`, 'shards');
  }
  // Each group's weights are read from its own shards (as TF.js reads them): groups whose sizes
  // disagree while the total agrees would shift weights from one group into the next.
  let at = 0;
  groups.forEach((g, i) => {
    const want = weightBytes(g.weights);
    const found = sizes.slice(at, at + g.paths.length).reduce((a, b) => a + b, 0);
    at += g.paths.length;
    if (found !== want) {
      throw new BdlError('E_FORMAT', `weight shards: weightsManifest[${i}]: expected ${want} bytes in ${g.paths.join(', ')} (the group's ${g.weights.length} weights), found ${found}. The shards are swapped, truncated or from another save of the model; re-download or re-save it.`, 'shards');
    }
  });
}

/** Imports a layers model: a sequence of InputLayer, Dense, BatchNormalization, Activation, Dropout, Flatten. */
export function importTfjs(files: TfjsFiles, opts: LowerOptions = {}): ImportedNetwork {
  if (!isObject(files)) throw argError('E_ARG', 'tfjs', '{ model, shards } (model.json and its weight shards)', describe(files), "Pass model.json's contents and the shard files its weightsManifest names.");
  const given = fromArtifacts(files);
  // The whole structure first (model.json's fields, manifest, topology, path), then bytes.
  const m = parseModelJson(given.model);
  const groups = manifestOf(m);
  checkLayers(m, groups);
  // Sizes against the bytes we were given: nothing is allocated for a file that lies.
  const shardBytes = orderedShards(groups, given.shards);
  shardSizes(groups, shardBytes.map((b) => b.length));
  // Quantized weights take 2-4 times their bytes once read: bounded before anything is decoded.
  boundedBytes(groups);
  const weights = readWeights(groups.flatMap((g) => g.weights), shardBytes, shardBytes.reduce((a, b) => a + b.length, 0));
  const { ops, inputs } = layerSequence(m, weights, true);
  return lowerLayers(ops, inputs, 'tfjs', opts);
}

/**
 * What TF.js hands a save handler (`model.save(tf.io.withSaveHandler(async (artifacts) => …))`, or
 * `tf.io.fromMemory`'s arguments): { modelTopology, weightSpecs, weightData } instead of model.json's
 * weightsManifest, the weights' bytes inline (one ArrayBuffer, or a list of them). Read as model.json
 * with one manifest group whose shards are those buffers (or `shards`, when given); anything else as is.
 */
function fromArtifacts(files: TfjsFiles): TfjsFiles {
  const a = files.model;
  if (!isObject(a) || 'weightsManifest' in a || !Array.isArray(a.weightSpecs)) return files;
  const data = files.shards ?? a.weightData;
  if (data === undefined || data === null) throw argError('E_ARG', 'model.weightData', "the weights' bytes of the artifacts a save handler receives (an ArrayBuffer, or a list of them)", describe(data), 'Pass the artifacts as TF.js gives them, or their weightData as shards.');
  const parts = Array.isArray(data) ? data : data instanceof ArrayBuffer || data instanceof Uint8Array ? [data] : undefined;
  if (!parts) throw argError('E_ARG', files.shards === undefined ? 'model.weightData' : 'shards', 'an ArrayBuffer or Uint8Array, or a list of them', describe(data), 'Pass the artifacts as TF.js gives them.');
  const { weightSpecs, weightData: _bytes, ...rest } = a;
  const model = { ...rest, weightsManifest: [{ paths: parts.map((_, i) => `weightData[${i}]`), weights: weightSpecs }] };
  return { model, shards: parts as Bytes[] };
}

/**
 * What of model.json can be refused before its shards are read: the layers (classes, activations,
 * configs) and the manifest's weights for them (present, shaped, all used). `fetchModel` runs it
 * before downloading, so a convolutional model is refused before its megabytes arrive.
 */
export function checkTfjsLayers(model: unknown): void {
  const m = parseModelJson(model);
  checkLayers(m, manifestOf(m));
}

function checkLayers(m: Record<string, unknown>, groups: ManifestGroup[]): void {
  // The declared weights with no values: the checks read shapes and names only.
  const weights = new Map<string, Weight>();
  for (const s of groups.flatMap((g) => g.weights)) if (s.group !== 'optimizer') weights.set(weightKey(s.name), { spec: s, data: new Float32Array(0) });
  layerSequence(m, weights, false);
}

/**
 * model.json's layers in order as the lowering's ops, each taking its weights by name; refuses manifest
 * weights no layer took. `finite`: check each weight's values when a layer first takes it (so an unused
 * one is reported as unused rather than as non-finite).
 */
function layerSequence(m: Record<string, unknown>, weights: Map<string, Weight>, finite: boolean): { ops: LayerOp[]; inputs: number | undefined } {
  const topology = topologyOf(m);
  const sequence = flatten(topology.className === 'Sequential' ? topology.layers : functionalOrder(topology.layers, topology.inputs, topology.outputs));
  // Layers find their weights by name: two layers of one name would both read the first's weights.
  uniqueNames(sequence.map((l) => l.config.name ?? l.name), 'layers');
  refuseIndexNamed([...weights.keys()]);
  const scoped = scopedNames(weights);
  const used = new Set<string>();
  const take = (layer: string, p: string): Weight | undefined => {
    const hit = findWeight(weights, scoped, layer, p);
    if (hit && !used.has(hit[0])) {
      if (finite) checkFinite(hit[1].data, 'model.json', hit[1].spec.name, hit[1].spec.shape);
      used.add(hit[0]);
    }
    return hit?.[1];
  };
  // Keras 3 changed what some activation names compute (see activation()).
  const keras3 = isObject(m.modelTopology) && /^3\./.test(String(m.modelTopology.keras_version ?? ''));
  let inputs: number | undefined;
  const ops: LayerOp[] = [];
  for (const layer of sequence) {
    const name = String(layer.config.name ?? layer.name ?? '?');
    const origin: Origin = { name, op: layer.class_name };
    checkKerasLayer(layer, origin);
    const shape = batchShapeOf(layer.config) as (number | null)[] | undefined | null;
    if (shape && inputs === undefined && ops.length === 0) inputs = shape.slice(1).reduce<number>((a, b) => a * (b ?? NaN), 1);
    ops.push(...layerOps(layer, origin, (p) => take(name, p), finite, keras3, callTraining(layer, origin)));
  }
  refuseUnused(weights, used);
  return { ops, inputs: inputs !== undefined && Number.isFinite(inputs) ? inputs : undefined };
}

/** The layers in order, each nested Sequential model replaced by its own layers (in order, recursively). */
function flatten(layers: KerasLayer[]): KerasLayer[] {
  return layers.flatMap((l) => {
    const inner = nestedLayers(l);
    return inner ? flatten(inner) : [l];
  });
}

/**
 * Refuses a layer name given twice. Keras and TF.js refuse such a model ("All layer names should be
 * unique"); read anyway, the second layer would take the first one's weights, or a functional
 * model's path would follow the name back to itself without end.
 */
function uniqueNames(names: unknown[], field: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    // A number is looked up as its text ("5/kernel"), so 5 and "5" are one name.
    if (name === undefined || name === null) continue;
    const n = String(name);
    if (seen.has(n)) throw new BdlError('E_FORMAT', `model.json: modelTopology ${field}: expected each layer name once (layers find their weights by name; Keras and TF.js refuse a model whose layer names repeat), found ${JSON.stringify(n)} twice. The file was edited by hand or merged from two models, or two nested models name a layer alike; give each layer its own name and re-save the model.`, n);
    seen.add(n);
  }
}

/** Refuses manifest weights no layer took: importing without them would give another network. */
function refuseUnused(weights: Map<string, Weight>, used: Set<string>): void {
  const unused = [...weights.keys()].filter((k) => !used.has(k));
  if (unused.length === 0) return;
  const shown = unused.slice(0, 8).map((k) => `${JSON.stringify(weights.get(k)!.spec.name)} ${JSON.stringify(weights.get(k)!.spec.shape)}`);
  const more = unused.length > shown.length ? `, and ${unused.length - shown.length} more` : '';
  throw new BdlError('E_FORMAT', `model.json: expected every weight of weightsManifest to be used by a layer of the topology, found ${unused.length} that no layer uses: ${shown.join(', ')}${more}. Importing without them would give a network other than yours: they belong to a layer the topology does not list or whose weights are not read (Supported: ${SUPPORTED}), or the manifest is another model's. Re-save the model as a plain sequence of supported layers.`, weights.get(unused[0])!.spec.name);
}

/**
 * A layer's activation by name. Keras 3's hard_sigmoid is relu6(x + 3) / 6 (slope 1/6), not Keras 2's
 * and TF.js's clip(0.2x + 0.5, 0, 1) the engine runs: refused rather than run as the other function.
 */
function activation(name: unknown, origin: Origin, keras3: boolean): LayerOp & { kind: 'activation' } {
  const a = activationOf(name, origin);
  if (keras3 && a === 'hard-sigmoid') throw unsupported(origin, "Keras 3's hard_sigmoid (relu6(x + 3) / 6; the engine's hard sigmoid is Keras 2's and TF.js's clip(0.2x + 0.5, 0, 1))");
  return { kind: 'activation', origin, activation: a };
}

/**
 * The mode a functional model calls a layer in: Keras 2 and TF.js keep the call's keyword arguments
 * in each inbound entry's fourth element, Keras 3 in the node's kwargs. `training` true or false fixes
 * the mode in predict too; a null value is the call's default; anything else is refused by name.
 */
function callTraining(layer: KerasLayer, origin: Origin): boolean | undefined {
  let training: boolean | undefined;
  for (const entry of layer.inbound_nodes?.[0] ?? []) {
    const kwargs = entry[3] ?? {};
    if (!isObject(kwargs)) throw unsupported(origin, `a call with keyword arguments ${JSON.stringify(kwargs)}`);
    for (const [k, v] of Object.entries(kwargs)) {
      if (v === null) continue;
      if (k === 'training' && typeof v === 'boolean') training = v;
      else throw unsupported(origin, `a call with ${k}=${JSON.stringify(v)?.slice(0, 80)} (layer(x), or layer(x, training=true/false), is read)`);
    }
  }
  return training;
}

/**
 * `read`: the weights hold their values (else only their specs are checked, and nothing is sized by
 * them). `keras3`: the model was saved by Keras 3 (its keras_version).
 */
function layerOps(layer: KerasLayer, origin: Origin, param: (p: string) => Weight | undefined, read: boolean, keras3: boolean, training: boolean | undefined): LayerOp[] {
  const c = layer.config;
  switch (layer.class_name) {
    case 'InputLayer':
    case 'Flatten':
      return [{ kind: 'noop', origin }];
    // Training-time noise: the identity in predict (Keras and TF.js apply it only while fitting), so
    // the network imported is the one predict runs; MC dropout does not sample it.
    case 'GaussianNoise':
    case 'GaussianDropout':
    case 'AlphaDropout':
      if (training === true) throw unsupported(origin, `${layer.class_name} called with training=true (its noise is applied in predict too)`);
      return [{ kind: 'noop', origin }];
    case 'Dense': {
      const kernel = param('kernel');
      if (!kernel || kernel.spec.shape.length !== 2) throw new BdlError('E_FORMAT', `${where(origin)}: expected a 2-D weight ${origin.name}/kernel in the manifest, found ${kernel ? JSON.stringify(kernel.spec.shape) : 'none'}.`, origin.name);
      const [fanIn, fanOut] = kernel.spec.shape;
      checkDenseShape(origin, fanIn, fanOut);
      if (c.units !== undefined && c.units !== fanOut) throw new BdlError('E_SHAPE', `${where(origin)}: expected ${c.units} units (its config), found a kernel of ${fanOut} columns.`, origin.name);
      const useBias = c.use_bias ?? c.useBias ?? true;
      const bias = useBias ? param('bias') : undefined;
      if (useBias && !bias) throw new BdlError('E_FORMAT', `${where(origin)}: expected a weight ${origin.name}/bias in the manifest (use_bias is true), found none.`, origin.name);
      const ops: LayerOp[] = [{ kind: 'dense', origin, fanIn, fanOut, w: kernel.data, b: bias?.data ?? new Float32Array(read ? fanOut : 0) }];
      if (c.activation !== undefined) ops.push(activation(c.activation, origin, keras3));
      return ops;
    }
    case 'Activation':
      return [activation(c.activation, origin, keras3)];
    case 'ReLU': {
      // TF.js writes maxValue; Keras max_value. ReLU(max_value=6) is relu6, which the engine runs.
      const max = c.max_value ?? c.maxValue;
      if ((max != null && max !== 6) || (c.negative_slope ?? 0) !== 0 || (c.threshold ?? 0) !== 0) throw unsupported(origin, `a ReLU with max_value ${JSON.stringify(max)}, negative_slope ${JSON.stringify(c.negative_slope ?? 0)} or threshold ${JSON.stringify(c.threshold ?? 0)} (a plain ReLU or ReLU(max_value=6) is)`);
      return [{ kind: 'activation', origin, activation: max === 6 ? 'relu6' : 'relu' }];
    }
    case 'Softmax': {
      // Over the features (the last axis, which is axis 1 of a flat row); axis 0 would be the batch.
      const axis = Array.isArray(c.axis) && c.axis.length === 1 ? c.axis[0] : c.axis;
      if (axis !== undefined && axis !== -1 && axis !== 1) throw unsupported(origin, `a softmax over axis ${JSON.stringify(c.axis)} (only over the features, axis -1)`);
      return [{ kind: 'activation', origin, activation: 'softmax' }];
    }
    case 'Dropout': {
      // A noise_shape of 1 along the features draws one mask for a whole row: not per-feature dropout.
      const noise = c.noise_shape ?? c.noiseShape;
      if (noise != null && !(Array.isArray(noise) && noise.length === 2 && noise[1] !== 1)) throw unsupported(origin, `dropout with noise_shape ${JSON.stringify(noise)} (a mask shared along an axis; MC dropout here drops each feature on its own)`);
      // training=false: never applied, in fit or predict, so there is nothing for MC dropout to sample.
      // training=true drops in predict too: the rate is what MC dropout samples.
      return training === false ? [{ kind: 'noop', origin }] : [{ kind: 'dropout', origin, rate: Number(c.rate) }];
    }
    case 'BatchNormalization': {
      if (training === true) throw unsupported(origin, 'a batch normalization called with training=true (it normalizes each batch by its own statistics, in predict too)');
      const axis = c.axis;
      if (axis !== undefined && axis !== -1 && !(Array.isArray(axis) && axis.length === 1 && (axis[0] === -1 || axis[0] === 1)) && axis !== 1) throw unsupported(origin, `a batch normalization over axis ${JSON.stringify(axis)} (only the feature axis)`);
      const mean = param('moving_mean');
      const variance = param('moving_variance');
      if (!mean || !variance) throw new BdlError('E_FORMAT', `${where(origin)}: expected weights moving_mean and moving_variance in the manifest, found ${mean ? '' : 'no moving_mean '}${variance ? '' : 'no moving_variance'}.`, origin.name);
      const gamma = (c.scale ?? true) ? param('gamma') : undefined;
      const beta = (c.center ?? true) ? param('beta') : undefined;
      return [batchNormAffine(origin, gamma?.data, beta?.data, mean.data, variance.data, Number(c.epsilon ?? 1e-3))];
    }
    default:
      throw unsupported(origin, `layer class ${layer.class_name}`);
  }
}

function orderedShards(groups: ManifestGroup[], shards: TfjsFiles['shards']): Uint8Array[] {
  const paths = groups.flatMap((g) => g.paths);
  if (Array.isArray(shards)) {
    if (shards.length !== paths.length) throw new BdlError('E_ARG', `shards: expected ${paths.length} shard(s) (${paths.join(', ')}), found ${shards.length}.`, 'shards');
    return shards.map((s, i) => asBytes(s, `shards[${i}]`));
  }
  // A Map or one file's bytes would otherwise be an object without the manifest's paths ("not given").
  if (shards !== undefined && shards !== null && (!isObject(shards) || shards instanceof Map || shards instanceof ArrayBuffer || ArrayBuffer.isView(shards))) {
    throw argError('E_ARG', 'shards', 'the shard files: a list of their bytes in manifest order, or an object { [path]: bytes }', describe(shards), shards instanceof Map ? 'Pass Object.fromEntries(map).' : 'Pass a list, [bytes] for a model of one shard.');
  }
  const nameOf = (p: string) => p.split('/').pop()!;
  // Own keys only: a shard named "constructor" or "toString" is not Object.prototype's.
  const given = (k: string): unknown => (shards && Object.hasOwn(shards, k) ? (shards as Record<string, unknown>)[k] : undefined);
  return paths.map((p) => {
    let s = given(p);
    if (s === undefined) {
      // Files picked in a browser come by name alone; two paths of one name would read one file twice.
      const twin = paths.find((q) => q !== p && nameOf(q) === nameOf(p));
      if (twin !== undefined) throw new BdlError('E_ARG', `shards: the manifest names ${JSON.stringify(p)} and ${JSON.stringify(twin)}, found only a file named ${JSON.stringify(nameOf(p))} for them. Pass each shard by its path in weightsManifest[].paths.`, 'shards');
      s = given(nameOf(p));
    }
    if (s === undefined) throw new BdlError('E_ARG', `shards: the manifest names ${JSON.stringify(p)}, which was not given. Pass every file of weightsManifest[].paths.`, 'shards');
    return asBytes(s, `shards[${JSON.stringify(p)}]`);
  });
}

/**
 * A functional model's layers in order, refused unless each layer feeds exactly the next one, from
 * the model's one input layer to its one output layer (when the config names them).
 */
function functionalOrder(layers: KerasLayer[], inputs: string[] | undefined, outputs: string[] | undefined): KerasLayer[] {
  uniqueNames(layers.map((l) => l.name ?? l.config.name), 'config.layers');
  const byName = new Map(layers.map((l) => [String(l.name ?? l.config.name), l]));
  // topologyOf checked the nodes' form: each entry is [layer name, node index, tensor index, kwargs].
  const inboundOf = (l: KerasLayer): string[] => {
    const nodes = l.inbound_nodes ?? [];
    if (nodes.length > 1) throw unsupported({ name: String(l.name), op: l.class_name }, 'a layer applied more than once (shared layer)');
    return (nodes[0] ?? []).map((e) => String(e[0]));
  };
  const consumers = new Map<string, string[]>();
  for (const l of layers) {
    for (const src of inboundOf(l)) {
      const list = consumers.get(src);
      if (list) list.push(String(l.name));
      else consumers.set(src, [String(l.name)]);
    }
  }
  for (const l of layers) {
    const ins = inboundOf(l);
    const outs = consumers.get(String(l.name)) ?? [];
    if (ins.length > 1 || outs.length > 1) {
      throw unsupported({ name: String(l.name), op: l.class_name }, `a graph that is not a single path (${ins.length} inputs, ${outs.length} consumers)`);
    }
  }
  const start = layers.find((l) => inboundOf(l).length === 0);
  if (!start) throw new BdlError('E_FORMAT', 'model.json: no input layer found in the functional model.', 'modelTopology');
  const order: KerasLayer[] = [];
  for (let l: KerasLayer | undefined = start; l; ) {
    order.push(l);
    const next: string | undefined = consumers.get(String(l.name))?.[0];
    l = next === undefined ? undefined : byName.get(next);
  }
  if (order.length !== layers.length) throw new BdlError('E_FORMAT', `model.json: the functional model has ${layers.length} layers but the path from its input reaches ${order.length}; a graph that is not a single path is not supported.`, 'modelTopology');
  // The path must end where the model does: a second output, or an output before the path's end,
  // would otherwise be imported as another network than the one the model computes.
  const ends = [['input_layers', inputs, order[0]], ['output_layers', outputs, order[order.length - 1]]] as const;
  for (const [field, names, end] of ends) {
    if (names === undefined || (names.length === 1 && names[0] === String(end.name))) continue;
    const found = names.length === 1 ? `layer ${JSON.stringify(names[0])}, while the single path ${field === 'input_layers' ? 'starts at' : 'ends at'} ${JSON.stringify(String(end.name))}` : `${names.length} layers (${names.map((n) => JSON.stringify(n)).join(', ')})`;
    throw new BdlError('E_FORMAT', `model.json: modelTopology.config.${field}: expected the one ${field === 'input_layers' ? 'input' : 'output'} layer of a single path, found ${found}. A model with several inputs or outputs is not one network here; save a model of the one path you want (tf.model({ inputs, outputs }) with a single output) and import that.`, 'modelTopology');
  }
  return order;
}

/**
 * The first weight (in manifest order) whose name ends in "/" + key, i.e. under a scope: the weights
 * are indexed by their last q name segments ("model/dense/kernel" is "dense/kernel" for q = 2), once
 * per q a key asks for, so a lookup never scans the manifest (which made importing a model of a few
 * thousand layers take minutes).
 */
function scopedNames(weights: Map<string, Weight>): (key: string) => string | undefined {
  const bySegments = new Map<number, Map<string, string>>();
  return (key) => {
    const q = key.split('/').length;
    let index = bySegments.get(q);
    if (!index) {
      index = new Map();
      for (const k of weights.keys()) {
        // The q-th '/' from the end, if the name has that many.
        let at = k.length;
        for (let i = 0; i < q && at >= 0; i++) at = at === 0 ? -1 : k.lastIndexOf('/', at - 1);
        const suffix = at >= 0 ? k.slice(at + 1) : undefined;
        if (suffix !== undefined && !index.has(suffix)) index.set(suffix, k);
      }
      bySegments.set(q, index);
    }
    return index.get(key);
  };
}

/** A layer's parameter and its key: "<layer>/<param>" at the end of the weight's name (Keras may prefix scopes). */
function findWeight(weights: Map<string, Weight>, scoped: (key: string) => string | undefined, layer: string, param: string): [string, Weight] | undefined {
  const key = `${layer}/${param}`;
  const k = weights.has(key) ? key : scoped(key);
  return k === undefined ? undefined : [k, weights.get(k)!];
}

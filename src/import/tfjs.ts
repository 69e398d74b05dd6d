/**
 * TensorFlow.js / Keras layers models (`model.json` + weight shards), read directly: the topology is
 * JSON, the weights are the concatenation of the manifest's shard files, little-endian float32 in
 * the order of `weightsManifest[].weights`. Dense kernels are stored inputs × units, row-major — the
 * engine's layout.
 */
import { BdlError } from '../errors.js';
import { batchNormAffine, lowerChain, unsupported, where, type ChainOp, type ImportedNetwork, type LowerOptions, type Origin } from './chain.js';
import { activationOf } from './activations.js';
import { asBytes, type Bytes } from './bytes.js';

/** A model.json's contents (parsed or as text) and its weight shards. */
export interface TfjsFiles {
  model: unknown;
  /** The shard files' bytes, by the path the manifest names, or in manifest order. */
  shards: Record<string, Bytes> | Bytes[];
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

interface WeightSpec {
  name: string;
  shape: number[];
  dtype?: string;
  quantization?: unknown;
}

interface KerasLayer {
  class_name: string;
  name?: string;
  config: Record<string, unknown>;
  inbound_nodes?: unknown[];
}

/** The shard paths a model.json names, in order (what a loader must fetch). */
export function tfjsShardPaths(model: unknown): string[] {
  const m = parseModelJson(model);
  return manifestOf(m).flatMap((g) => g.paths);
}

/** Imports a layers model: a chain of InputLayer, Dense, BatchNormalization, Activation, Dropout, Flatten. */
export function importTfjs(files: TfjsFiles, opts: LowerOptions = {}): ImportedNetwork {
  const m = parseModelJson(files.model);
  const groups = manifestOf(m);
  const specs = groups.flatMap((g) => g.weights);
  // Sizes first, against the bytes we were given: nothing is allocated for a file that lies.
  let expected = 0;
  for (const s of specs) {
    if (s.quantization) throw new BdlError('E_FORMAT', `model.json: weight ${JSON.stringify(s.name)} is quantized; only float32 weights are supported. Re-save the model without quantization.`, s.name);
    if ((s.dtype ?? 'float32') !== 'float32') throw new BdlError('E_FORMAT', `model.json: weight ${JSON.stringify(s.name)} has dtype ${s.dtype}; only float32 is supported.`, s.name);
    if (!Array.isArray(s.shape) || !s.shape.every((d) => Number.isInteger(d) && d >= 0)) throw new BdlError('E_FORMAT', `model.json: weight ${JSON.stringify(s.name)} has shape ${JSON.stringify(s.shape)}; expected non-negative integers.`, s.name);
    expected += 4 * s.shape.reduce((a, b) => a * b, 1);
  }
  const shardBytes = orderedShards(groups, files.shards);
  const total = shardBytes.reduce((a, b) => a + b.length, 0);
  if (total !== expected) {
    throw new BdlError('E_FORMAT', `weight shards: expected ${expected} bytes (the ${specs.length} float32 weights model.json declares), found ${total} in ${shardBytes.length} shard(s). A shard is truncated or belongs to another model; re-download or re-save it.`, 'shards');
  }
  const all = new Uint8Array(total);
  let off = 0;
  for (const b of shardBytes) {
    all.set(b, off);
    off += b.length;
  }
  const dv = new DataView(all.buffer);
  const weights = new Map<string, { shape: number[]; data: Float32Array }>();
  off = 0;
  for (const s of specs) {
    const n = s.shape.reduce((a, b) => a * b, 1);
    // `all` is a fresh buffer (aligned): on a little-endian host one copy reads the weight.
    const data = LITTLE_ENDIAN ? new Float32Array(all.buffer.slice(off, off + 4 * n)) : new Float32Array(n);
    if (!LITTLE_ENDIAN) for (let i = 0; i < n; i++) data[i] = dv.getFloat32(off + 4 * i, true);
    off += 4 * n;
    weights.set(s.name.replace(/:\d+$/, ''), { shape: s.shape, data });
  }

  const { layers, className } = topologyOf(m);
  const chain = className === 'Sequential' ? layers : functionalChain(layers);
  let inputs: number | undefined;
  const ops: ChainOp[] = [];
  for (const layer of chain) {
    const name = String(layer.config.name ?? layer.name ?? '?');
    const origin: Origin = { name, op: layer.class_name };
    const shape = (layer.config.batch_input_shape ?? layer.config.batchInputShape) as (number | null)[] | undefined;
    if (shape && inputs === undefined && ops.length === 0) inputs = shape.slice(1).reduce<number>((a, b) => a * (b ?? NaN), 1);
    const param = (p: string) => findWeight(weights, name, p);
    ops.push(...layerOps(layer, origin, param));
  }
  if (inputs !== undefined && !Number.isFinite(inputs)) inputs = undefined;
  return lowerChain(ops, inputs, 'tfjs', opts);
}

function layerOps(layer: KerasLayer, origin: Origin, param: (p: string) => { shape: number[]; data: Float32Array } | undefined): ChainOp[] {
  const c = layer.config;
  switch (layer.class_name) {
    case 'InputLayer':
    case 'Flatten':
      return [{ kind: 'noop', origin }];
    case 'Dense': {
      const kernel = param('kernel');
      if (!kernel || kernel.shape.length !== 2) throw new BdlError('E_FORMAT', `${where(origin)}: expected a 2-D weight ${origin.name}/kernel in the manifest, found ${kernel ? JSON.stringify(kernel.shape) : 'none'}.`, origin.name);
      const [fanIn, fanOut] = kernel.shape;
      if (c.units !== undefined && c.units !== fanOut) throw new BdlError('E_SHAPE', `${where(origin)}: expected ${c.units} units (its config), found a kernel of ${fanOut} columns.`, origin.name);
      const useBias = c.use_bias ?? c.useBias ?? true;
      const bias = useBias ? param('bias') : undefined;
      if (useBias && !bias) throw new BdlError('E_FORMAT', `${where(origin)}: expected a weight ${origin.name}/bias in the manifest (use_bias is true), found none.`, origin.name);
      const ops: ChainOp[] = [{ kind: 'dense', origin, fanIn, fanOut, w: kernel.data, b: bias?.data ?? new Float32Array(fanOut) }];
      if (c.activation !== undefined) ops.push({ kind: 'activation', origin, activation: activationOf(c.activation, origin) });
      return ops;
    }
    case 'Activation':
      return [{ kind: 'activation', origin, activation: activationOf(c.activation, origin) }];
    case 'ReLU':
      if (c.max_value != null || (c.negative_slope ?? 0) !== 0 || (c.threshold ?? 0) !== 0) throw unsupported(origin, 'a ReLU with max_value, negative_slope or threshold');
      return [{ kind: 'activation', origin, activation: 'relu' }];
    case 'Softmax':
      return [{ kind: 'activation', origin, activation: 'softmax' }];
    case 'Dropout':
      return [{ kind: 'dropout', origin, rate: Number(c.rate) }];
    case 'BatchNormalization': {
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

function parseModelJson(model: unknown): Record<string, unknown> {
  let m = model;
  if (typeof m === 'string') {
    try {
      m = JSON.parse(m);
    } catch (e) {
      throw new BdlError('E_PARSE', `model.json: not valid JSON (${(e as Error).message}). The file is truncated or not a TF.js model.`, 'model');
    }
  }
  if (m === null || typeof m !== 'object' || !('modelTopology' in m) || !('weightsManifest' in m)) {
    throw new BdlError('E_FORMAT', 'model.json: expected an object with modelTopology and weightsManifest (a TF.js layers model), found something else. Graph models (tfjs_graph_model) are not supported: save a layers model.', 'model');
  }
  return m as Record<string, unknown>;
}

function manifestOf(m: Record<string, unknown>): { paths: string[]; weights: WeightSpec[] }[] {
  const man = m.weightsManifest;
  if (!Array.isArray(man) || !man.every((g) => g && Array.isArray(g.paths) && Array.isArray(g.weights))) {
    throw new BdlError('E_FORMAT', 'model.json: weightsManifest must be a list of { paths, weights }.', 'weightsManifest');
  }
  return man as { paths: string[]; weights: WeightSpec[] }[];
}

function orderedShards(groups: { paths: string[] }[], shards: TfjsFiles['shards']): Uint8Array[] {
  const paths = groups.flatMap((g) => g.paths);
  if (Array.isArray(shards)) {
    if (shards.length !== paths.length) throw new BdlError('E_ARG', `shards: expected ${paths.length} shard(s) (${paths.join(', ')}), found ${shards.length}.`, 'shards');
    return shards.map((s, i) => asBytes(s, `shards[${i}]`));
  }
  return paths.map((p) => {
    const s = shards?.[p] ?? shards?.[p.split('/').pop()!];
    if (s === undefined) throw new BdlError('E_ARG', `shards: the manifest names ${JSON.stringify(p)}, which was not given. Pass every file of weightsManifest[].paths.`, 'shards');
    return asBytes(s, `shards[${JSON.stringify(p)}]`);
  });
}

function topologyOf(m: Record<string, unknown>): { layers: KerasLayer[]; className: string } {
  let t = m.modelTopology as Record<string, unknown> | undefined;
  if (t && typeof t === 'object' && 'model_config' in t) t = t.model_config as Record<string, unknown>;
  const className = String(t?.class_name ?? '');
  const cfg = t?.config as Record<string, unknown> | unknown[] | undefined;
  const layers = Array.isArray(cfg) ? cfg : cfg?.layers;
  if (!Array.isArray(layers) || (className !== 'Sequential' && className !== 'Model' && className !== 'Functional')) {
    throw new BdlError('E_FORMAT', `model.json: expected a Sequential or functional (Model) topology with a list of layers, found ${JSON.stringify(className || typeof t)}.`, 'modelTopology');
  }
  return { layers: layers as KerasLayer[], className };
}

/** A functional model's layers in order, refused unless each layer feeds exactly the next one. */
function functionalChain(layers: KerasLayer[]): KerasLayer[] {
  const byName = new Map(layers.map((l) => [String(l.name ?? l.config.name), l]));
  const inboundOf = (l: KerasLayer): string[] => {
    const nodes = (l.inbound_nodes ?? []) as unknown[][];
    if (nodes.length > 1) throw unsupported({ name: String(l.name), op: l.class_name }, 'a layer applied more than once (shared layer)');
    return (nodes[0] ?? []).map((e) => String((e as unknown[])[0] ?? (e as { args?: unknown }).args));
  };
  const consumers = new Map<string, string[]>();
  for (const l of layers) for (const src of inboundOf(l)) consumers.set(src, [...(consumers.get(src) ?? []), String(l.name)]);
  for (const l of layers) {
    const ins = inboundOf(l);
    const outs = consumers.get(String(l.name)) ?? [];
    if (ins.length > 1 || outs.length > 1) {
      throw unsupported({ name: String(l.name), op: l.class_name }, `a graph that is not a chain (${ins.length} inputs, ${outs.length} consumers)`);
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
  if (order.length !== layers.length) throw new BdlError('E_FORMAT', `model.json: the functional model has ${layers.length} layers but the chain from its input reaches ${order.length}; a graph that is not a chain is not supported.`, 'modelTopology');
  return order;
}

/** A layer's parameter: "<layer>/<param>" at the end of the weight's name (Keras may prefix scopes). */
function findWeight(weights: Map<string, { shape: number[]; data: Float32Array }>, layer: string, param: string) {
  const exact = weights.get(`${layer}/${param}`);
  if (exact) return exact;
  for (const [k, v] of weights) if (k.endsWith(`/${layer}/${param}`)) return v;
  return undefined;
}

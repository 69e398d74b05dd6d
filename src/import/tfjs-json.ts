/**
 * model.json's structure, checked whole before any byte of a shard is read: a TF.js *layers* model
 * (a graph model is refused with how to save a layers model), a weightsManifest of well-formed
 * { paths, weights } groups, and a topology whose layers each have a class_name and a config. A file
 * of the wrong shape is a BdlError naming the field, never a TypeError from deep inside the import.
 */
import { argError, BdlError, describe } from '../errors.js';
import { isKeras3Node, keras3Entries } from './keras3.js';

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype?: string;
  /**
   * How tensorflowjs_converter's --quantize_uint8 / --quantize_uint16 / --quantize_float16 stored a
   * float32 weight: uint8 / uint16 values v read as v·scale + min, or IEEE half-precision values.
   */
  quantization?: Quantization;
  /** 'optimizer' for an optimizer's state saved beside the model (includeOptimizer): not the network. */
  group?: string;
}

export type Quantization = { dtype: 'uint8' | 'uint16'; scale: number; min: number } | { dtype: 'float16' };

/** Bytes per value of the dtypes a manifest may store (TF.js's DTYPE_VALUE_SIZE_MAP); 'string' has no fixed width. */
const WIDTH: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const QUANTIZED_WIDTH: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

/** The bytes one value of a checked weight takes in its shard. */
export function bytesPerValue(s: WeightSpec): number {
  return s.quantization ? QUANTIZED_WIDTH[s.quantization.dtype] : WIDTH[s.dtype ?? 'float32'];
}

export interface ManifestGroup {
  paths: string[];
  weights: WeightSpec[];
}

export interface KerasLayer {
  class_name: string;
  name?: string;
  config: Record<string, unknown>;
  /** Keras 2 / TF.js form: one node per call, each a list of [layer name, node index, tensor index, kwargs]. */
  inbound_nodes?: unknown[][][];
}

/**
 * The largest model.json read (characters, or bytes on disk): a layers model's topology is kilobytes
 * (its weights are in the shards), so anything near this is not one, and parsing it could exhaust
 * the memory. The same bound as safetensors' JSON header.
 */
export const MAX_MODEL_JSON = 100_000_000;
/** The deepest nesting read: a Keras config nests about a dozen levels. */
const MAX_DEPTH = 100;

const SAVE_LAYERS = "Save a layers model: model.save('file://dir') in TF.js, or from Keras tensorflowjs_converter --input_format=keras --output_format=tfjs_layers_model model.h5 dir/ (tfjs.converters.save_keras_model in Python).";
const REWRITE = 'The file is not a TF.js layers model or was edited by hand; re-save the model.';

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** "model.json: <field>: expected …, found …. <hint>" as an E_FORMAT. */
function bad(field: string, expected: string, found: string, hint = REWRITE, argument = field.split(/[.[ ]/)[0]): BdlError {
  return new BdlError('E_FORMAT', `model.json: ${field}: expected ${expected}, found ${found}. ${hint}`, argument);
}

/** model.json's contents (text, its UTF-8 bytes, or parsed), refused unless it is a layers model with a manifest. */
export function parseModelJson(model: unknown): Record<string, unknown> {
  let m = model;
  if (m instanceof ArrayBuffer || ArrayBuffer.isView(m)) {
    // The file as read (fs.readFile gives a Buffer, a picked File its arrayBuffer()): UTF-8 text.
    if (!(m instanceof ArrayBuffer || m instanceof Uint8Array)) throw argError('E_ARG', 'model', "model.json's text, its bytes (an ArrayBuffer or Uint8Array) or the parsed object", describe(m), 'Pass the file as read (fs.readFile, file.text() or file.arrayBuffer()).');
    const bytes = m instanceof Uint8Array ? m : new Uint8Array(m);
    if (bytes.length > MAX_MODEL_JSON) throw new BdlError('E_FORMAT', `model.json: expected a layers model's topology (kilobytes; at most ${MAX_MODEL_JSON} bytes), found ${bytes.length} bytes. This is not a TF.js model.json: the weights belong in the shard files its weightsManifest names.`, 'model');
    // TextDecoder drops a byte-order mark.
    m = new TextDecoder().decode(bytes);
  }
  if (typeof m === 'string') {
    if (m.length > MAX_MODEL_JSON) throw new BdlError('E_FORMAT', `model.json: expected a layers model's topology (kilobytes; at most ${MAX_MODEL_JSON} characters), found ${m.length} characters. This is not a TF.js model.json: the weights belong in the shard files its weightsManifest names.`, 'model');
    try {
      // A byte-order mark (Windows editors, readFileSync(path, 'utf8')) is not part of the JSON.
      m = JSON.parse(m.charCodeAt(0) === 0xfeff ? m.slice(1) : m);
    } catch (e) {
      throw new BdlError('E_PARSE', `model.json: not valid JSON (${(e as Error).message}). The file is truncated or not a TF.js model.`, 'model');
    }
  }
  if (m !== null && typeof m === 'object') checkDepth(m);
  if (!isObject(m)) throw new BdlError('E_FORMAT', `model.json: expected an object with modelTopology and weightsManifest (a TF.js layers model), found ${describe(m)}. ${SAVE_LAYERS}`, 'model');
  // A graph model (tfjs_graph_model, a frozen TensorFlow graph) has a GraphDef of ops for topology.
  const t = m.modelTopology;
  if (m.format === 'graph-model' || (isObject(t) && Array.isArray(t.node) && !('class_name' in t) && !('model_config' in t))) {
    throw new BdlError('E_FORMAT', `model.json: expected a TF.js layers model (format "layers-model"), found a graph model (${m.format === undefined ? 'a GraphDef topology' : `format ${JSON.stringify(m.format)}`}): a frozen graph of TensorFlow ops, not layers. Only layers models are supported. ${SAVE_LAYERS}`, 'model');
  }
  if (m.format !== undefined && m.format !== 'layers-model') throw bad('format', '"layers-model"', describe(m.format), SAVE_LAYERS);
  if (!('modelTopology' in m) || !('weightsManifest' in m)) {
    throw new BdlError('E_FORMAT', `model.json: expected an object with modelTopology and weightsManifest (a TF.js layers model), found ${!('modelTopology' in m) ? 'no modelTopology' : 'no weightsManifest'}. ${SAVE_LAYERS}`, 'model');
  }
  return m;
}

/**
 * Refuses values nested deeper than any Keras config (or a cycle, in an object passed in memory):
 * the checks and messages below walk the structure, and would overflow the stack on them.
 */
function checkDepth(root: unknown): void {
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (depth > MAX_DEPTH) throw new BdlError('E_FORMAT', `model.json: expected a Keras model config (nested at most ${MAX_DEPTH} levels), found values nested deeper (or a cycle). ${REWRITE}`, 'model');
    // Bytes are a leaf: walking a typed array's elements would copy every byte into a list.
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) continue;
    for (const c of Array.isArray(v) ? v : Object.values(v as object)) if (c !== null && typeof c === 'object') stack.push([c, depth + 1]);
  }
}

/**
 * Why a manifest's shard path is refused, if it is: TF.js names shards relative to model.json and
 * reads them by appending the name to model.json's folder, so a URL, an absolute path or a ".."
 * segment is never a saved model's, and reading it would fetch or open a file elsewhere.
 */
function shardPathProblem(p: string): string | undefined {
  // The URL parser drops leading and trailing spaces and control characters and removes tabs and
  // newlines anywhere, so " //host/w.bin" or "h\ttps://host/w.bin" would resolve to another host.
  if (/[\u0000-\u001f\u007f]|^ | $/.test(p)) return 'a name with a control character or an edge space';
  if (/^[a-z][a-z0-9+.-]*:/i.test(p)) return 'a URL or a drive path';
  if (/^[\\/]/.test(p)) return 'an absolute path';
  if (p.split(/[\\/]/).some((s) => /^(\.|%2e){2}$/i.test(s))) return 'a path out of model.json\'s folder ("..")';
  return undefined;
}

/** The manifest's groups, each weight checked: a name (once), a shape, a dtype read as float32 (checkDtype). */
export function manifestOf(m: Record<string, unknown>): ManifestGroup[] {
  const man = m.weightsManifest;
  if (!Array.isArray(man)) throw bad('weightsManifest', 'a list of { paths, weights } groups', describe(man));
  const seen = new Set<string>();
  man.forEach((g: unknown, i) => {
    const at = `weightsManifest[${i}]`;
    if (!isObject(g)) throw bad(at, 'a group { paths, weights }', describe(g));
    if (!Array.isArray(g.paths) || !g.paths.every((p) => typeof p === 'string' && p !== '')) throw bad(`${at}.paths`, 'a list of shard file names', describe(g.paths));
    g.paths.forEach((p: string, k) => {
      const problem = shardPathProblem(p);
      if (problem) throw bad(`${at}.paths[${k}]`, 'a shard file name relative to model.json (as TF.js saves it)', `${problem}, ${describe(p)}`, 'Shards are read only from model.json\'s own folder, never downloaded from elsewhere: put the shard beside model.json and name it by its file name.', 'weightsManifest');
    });
    if (!Array.isArray(g.weights)) throw bad(`${at}.weights`, 'a list of { name, shape, dtype }', describe(g.weights));
    g.weights.forEach((w: unknown, j) => {
      if (!isObject(w) || typeof w.name !== 'string' || w.name === '') throw bad(`${at}.weights[${j}]`, 'an object with a name, a shape and a dtype', isObject(w) ? `name ${describe(w.name)}` : describe(w));
      const name = JSON.stringify(w.name);
      if (!Array.isArray(w.shape) || !w.shape.every((d) => Number.isInteger(d) && d >= 0)) throw bad(`weight ${name}`, 'a shape of non-negative integers', JSON.stringify(w.shape) ?? 'none', REWRITE, w.name);
      checkDtype(w as unknown as WeightSpec, name);
      // The import finds weights by name without the ':0' TensorFlow adds; a second one would be lost.
      const key = weightKey(w.name);
      // TF.js names a layer's weights by the layer's name alone: two nested models with a layer of one
      // name save both under one name, and which weights are whose is not in the file.
      if (seen.has(key)) throw bad('weightsManifest', 'each weight name once', `${JSON.stringify(key)} twice`, 'This is how TF.js saves two layers of one name (in two nested models, each its own name scope): which weights are whose is not in the file; TF.js\'s own loader refuses it too ("Duplicate weight name"). Give the layers distinct names and re-save the model.', w.name);
      seen.add(key);
    });
  });
  return man as ManifestGroup[];
}

/**
 * A weight's dtype and quantization, refused unless its bytes can be sized before they are read and,
 * for the network's own weights, read as float32: float32, or a float32 weight quantized by
 * tensorflowjs_converter (uint8 / uint16 with a finite scale and min, or float16). An optimizer's
 * state (group 'optimizer', skipped) may hold any fixed-width dtype: TF.js saves its step counter as int32.
 */
function checkDtype(w: WeightSpec, name: string): void {
  const dtype = w.dtype ?? 'float32';
  const q = w.quantization as unknown;
  const refuse = (expected: string, found: string, hint: string) => bad(`weight ${name}`, expected, found, hint, w.name);
  if (q !== undefined && q !== null) {
    const requantize = 'Re-convert the model (tensorflowjs_converter --quantize_uint8, --quantize_uint16 or --quantize_float16), or save it without quantization.';
    if (!isObject(q) || typeof q.dtype !== 'string' || !Object.hasOwn(QUANTIZED_WIDTH, q.dtype)) {
      throw refuse('a quantization { dtype: "uint8" | "uint16" | "float16", scale, min }', isObject(q) ? `quantization dtype ${describe(q.dtype)}` : `quantization ${describe(q)}`, requantize);
    }
    if (dtype !== 'float32' || (q.original_dtype !== undefined && q.original_dtype !== 'float32')) {
      throw refuse('a quantized float32 weight', `dtype ${describe(w.dtype)}${q.original_dtype !== undefined ? ` and original_dtype ${describe(q.original_dtype)}` : ''}`, 'Only float32 weights are imported; ' + requantize);
    }
    if (q.dtype !== 'float16') {
      for (const f of ['scale', 'min'] as const) {
        if (typeof q[f] !== 'number' || !Number.isFinite(q[f])) throw refuse(`a ${q.dtype} quantization with a finite ${f} (a value v is read as v·scale + min)`, `${f} ${describe(q[f])}`, requantize);
      }
    }
    return;
  }
  if (dtype === 'float32') return;
  if (w.group === 'optimizer' && typeof dtype === 'string' && Object.hasOwn(WIDTH, dtype)) return;
  throw refuse(w.group === 'optimizer' ? 'an optimizer weight of a fixed-width dtype (float32, int32, bool, complex64)' : 'dtype float32 (or a float32 weight quantized to uint8, uint16 or float16)', `dtype ${describe(w.dtype)}`, w.group === 'optimizer' ? 'Save the model without its optimizer (includeOptimizer: false).' : 'Only float32 weights are supported; cast the model to float32 and re-save it.');
}

/** A weight's name as layers look it up (TensorFlow's ':0' output suffix dropped). */
export function weightKey(name: string): string {
  return name.replace(/:\d+$/, '');
}

/** The topology's layers, each a { class_name, config } with well-formed shapes and inbound nodes. */
export function topologyOf(m: Record<string, unknown>): { layers: KerasLayer[]; className: string; inputs?: string[]; outputs?: string[] } {
  let t = m.modelTopology;
  if (isObject(t) && 'model_config' in t) t = t.model_config;
  if (!isObject(t)) throw bad('modelTopology', 'an object with class_name and config (a Keras model config)', describe(t));
  const className = String(t.class_name ?? '');
  const cfg = t.config;
  const layers = Array.isArray(cfg) ? cfg : isObject(cfg) ? cfg.layers : undefined;
  if (className !== 'Sequential' && className !== 'Model' && className !== 'Functional') {
    throw new BdlError('E_FORMAT', `model.json: expected a Sequential or functional (Model) topology with a list of layers, found ${JSON.stringify(className || typeof t)}.`, 'modelTopology');
  }
  if (!Array.isArray(layers)) throw bad('modelTopology.config.layers', 'a list of layers', describe(layers));
  checkLayerList(layers, 'modelTopology layers');
  // A functional model's input and output layers: [["name", 0, 0], …] (one output may be written flat).
  const ends = (field: 'input_layers' | 'output_layers'): string[] | undefined => {
    const v = isObject(cfg) ? cfg[field] : undefined;
    if (v === undefined) return undefined;
    if (Array.isArray(v) && typeof v[0] === 'string') return [v[0]];
    if (Array.isArray(v) && v.every((e) => Array.isArray(e) && typeof e[0] === 'string')) return v.map((e) => e[0] as string);
    throw bad(`modelTopology.config.${field}`, 'a list like [["dense_1", 0, 0]]', describe(v));
  };
  return { layers: (layers as KerasLayer[]).map(keras2Nodes), className, inputs: ends('input_layers'), outputs: ends('output_layers') };
}

/** A layer whose inbound nodes Keras 3 wrote ({ args, kwargs }), as a copy with the Keras 2 entries they mean. */
function keras2Nodes(l: KerasLayer): KerasLayer {
  const nodes = l.inbound_nodes as unknown[] | undefined;
  if (!nodes?.some(isKeras3Node)) return l;
  const origin = { name: String(l.name ?? l.config.name), op: l.class_name };
  return { ...l, inbound_nodes: nodes.map((n) => keras3Entries(n as { args: unknown[] }, origin)) };
}

/** A layer config's input shape: Keras 2 and TF.js write batch_input_shape (batchInputShape), Keras 3 batch_shape. */
export function batchShapeOf(config: Record<string, unknown>): unknown {
  return config.batch_input_shape ?? config.batchInputShape ?? config.batch_shape;
}

/**
 * The layers of a Sequential model used as a layer (`tf.sequential({ layers: [inner, …] })`, or
 * Keras's `Sequential([base, head])`): its config's list, which topologyOf checked.
 */
export function nestedLayers(l: KerasLayer): KerasLayer[] | undefined {
  return l.class_name === 'Sequential' ? (l.config.layers as KerasLayer[]) : undefined;
}

/** Each layer a { class_name, config } with well-formed shapes and inbound nodes; a nested Sequential's layers too. */
function checkLayerList(layers: unknown[], where: string): void {
  layers.forEach((l: unknown, i) => {
    const at = `${where}[${i}]`;
    if (!isObject(l) || typeof l.class_name !== 'string' || !isObject(l.config)) {
      throw bad(at, '{ class_name, config }', isObject(l) ? `class_name ${describe(l.class_name)} and config ${describe(l.config)}` : describe(l));
    }
    const shape = batchShapeOf(l.config);
    if (shape != null && !(Array.isArray(shape) && shape.every((d) => d === null || (Number.isInteger(d) && d >= 0)))) {
      throw bad(`${at}.config.${'batch_shape' in l.config ? 'batch_shape' : 'batch_input_shape'}`, 'a list of sizes (null for the batch)', describe(shape));
    }
    const nodes = l.inbound_nodes;
    const entry = (e: unknown) => Array.isArray(e) && typeof e[0] === 'string';
    // Keras 2 and TF.js: a list of entries per node; Keras 3: { args, kwargs } per node (./keras3.ts).
    if (nodes !== undefined && !(Array.isArray(nodes) && nodes.every((n) => (Array.isArray(n) && n.every(entry)) || isKeras3Node(n)))) {
      throw bad(`${at}.inbound_nodes`, 'nodes like [[["dense_1", 0, 0, {}]]] (TF.js, Keras 2) or [{ args, kwargs }] (Keras 3)', JSON.stringify(nodes).slice(0, 80));
    }
    if (l.class_name === 'Sequential') {
      const inner = l.config.layers;
      if (!Array.isArray(inner)) throw bad(`${at}.config.layers`, 'a list of layers (a nested Sequential model)', describe(inner));
      checkLayerList(inner, `${at}.config.layers`);
    }
  });
}

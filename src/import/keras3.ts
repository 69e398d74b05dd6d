/**
 * What a Keras 3 model converted for TF.js (tensorflowjs_converter, tfjs.converters.save_keras_model)
 * writes differently from Keras 2 and TF.js: read where it means the same network, refused by name
 * where it does not.
 *   - inbound nodes { args: [__keras_tensor__ { keras_history: [layer, node, tensor] }], kwargs } are
 *     the Keras 2 entries [layer, node, tensor, kwargs] (what the kwargs change is read in ./tfjs.ts);
 *   - a layer's dtype is a DTypePolicy object: float32 is what the engine runs; mixed_float16 (the
 *     layer computes in half precision), bfloat16 or a quantized policy is refused;
 *   - a layer may carry its { module, registered_name }: a built-in's (module keras…) is read as the
 *     plain layer, a custom class registered under a built-in's name is refused;
 *   - weights named by their index in the layer ("dense/vars/0", from a .keras file) say not which
 *     weight is the kernel: refused, with how to convert so that they are named.
 */
import { BdlError, describe } from '../errors.js';
import { unsupported, type Origin } from './layers.js';

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A Keras 3 node: { args: [...], kwargs: {...} }. */
export function isKeras3Node(node: unknown): node is { args: unknown[]; kwargs?: unknown } {
  return isObject(node) && Array.isArray(node.args);
}

/**
 * A Keras 3 node's input tensors as Keras 2 entries [layer, node index, tensor index, kwargs]; refused
 * (by the layer's name) when the call passes anything but tensors.
 */
export function keras3Entries(node: { args: unknown[]; kwargs?: unknown }, origin: Origin): [string, number, number, unknown][] {
  const entries: [string, number, number, unknown][] = [];
  const walk = (a: unknown): void => {
    if (Array.isArray(a)) return a.forEach(walk);
    const h = isObject(a) && a.class_name === '__keras_tensor__' && isObject(a.config) ? a.config.keras_history : undefined;
    if (!Array.isArray(h) || typeof h[0] !== 'string' || !Number.isInteger(h[1]) || !Number.isInteger(h[2])) {
      throw new BdlError('E_FORMAT', `model.json: layer ${JSON.stringify(origin.name)} (${origin.op}): expected a Keras 3 node's args to be tensors ({ class_name: "__keras_tensor__", config: { keras_history: [layer, node, tensor] } }), found ${JSON.stringify(a)?.slice(0, 120) ?? describe(a)}. The file is not a Keras 3 model as converted, or was edited by hand; re-save the model.`, origin.name);
    }
    entries.push([h[0], h[1] as number, h[2] as number, node.kwargs ?? {}]);
  };
  walk(node.args);
  return entries;
}

/** Dtype policies that compute in float32, as Keras 3 (DTypePolicy, FloatDTypePolicy) and Keras 2 (Policy) write them. */
const FLOAT32_POLICIES = ['DTypePolicy', 'FloatDTypePolicy', 'Policy'];

/** Refuses a layer the engine would run otherwise than Keras does: another precision, or a custom class. */
export function checkKerasLayer(layer: { class_name: string; config: Record<string, unknown>; module?: unknown; registered_name?: unknown }, origin: Origin): void {
  const { module, registered_name: registered } = layer;
  if ((module != null && !(typeof module === 'string' && /^keras(\.|$)/.test(module))) || (registered != null && registered !== layer.class_name)) {
    throw unsupported(origin, `a custom layer (module ${JSON.stringify(module)}, registered_name ${JSON.stringify(registered)}); only Keras's built-in layers are read`);
  }
  const d = layer.config.dtype;
  if (d === undefined || d === null || d === 'float32') return;
  const name = isObject(d) && isObject(d.config) ? d.config.name : d;
  if (isObject(d) && FLOAT32_POLICIES.includes(String(d.class_name)) && name === 'float32') return;
  throw unsupported(origin, `dtype policy ${JSON.stringify(name) ?? describe(name)} (the layer computes in that precision, the engine in float32; save the model with the float32 policy)`);
}

/**
 * Refuses manifest weights named by their index in a layer ("…/vars/0"), as the converter names a
 * Keras 3 `.keras` file's weights: the index does not say which is the kernel and which the bias.
 */
export function refuseIndexNamed(names: readonly string[]): void {
  const byIndex = names.filter((n) => /(^|\/)vars\/\d+$/.test(n));
  if (byIndex.length === 0) return;
  throw new BdlError('E_FORMAT', `model.json: weightsManifest: expected weights named by layer and role ("dense/kernel"), found ${byIndex.length} weights named by index such as ${JSON.stringify(byIndex[0])} (tensorflowjs_converter names a Keras 3 .keras file's weights by their folder in it): which of a layer's weights is its kernel is not said. Convert from the model in Python with tfjs.converters.save_keras_model(model, dir), which names them.`, byIndex[0]);
}

/**
 * A PyTorch state_dict saved as safetensors, plus a one-line description of the layers (the file
 * holds tensors, not the network). The format: an 8-byte little-endian header length, a JSON header
 * { name: { dtype, shape, data_offsets: [begin, end] } } and the raw little-endian data.
 *
 * The description: widths joined by '-', the input first, e.g. "784-256r-256r-10":
 *   - a hidden width carries its activation: r relu, t tanh, s sigmoid, g gelu (or the full name);
 *   - the output width may end in softmax (or sm), logsoftmax or sigmoid; none means linear;
 *   - d<rate> between widths is dropout before the next layer: "784-d0.2-256r-d0.5-10".
 *   - a BatchNorm1d is marked b where it runs: before the activation letter ("256br": Linear →
 *     BatchNorm1d → relu), after it ("256rb": Linear → relu → BatchNorm1d), or as a token of its own
 *     after a dropout ("256r-d0.5-b-10"). The file cannot say which: a BatchNorm1d the description
 *     does not place is refused.
 * Linear and BatchNorm1d modules are taken in natural order of their names ("0", "2", "10"; "fc1",
 * "fc2") and must come in the order the description gives them. Other orders: give the modules' names
 * after '@': "3-16r-16r-1@enc.0,enc.2,head".
 * Every tensor of the file must belong to one of those modules: a LayerNorm, a PReLU slope or a module
 * left out of '@…' would otherwise be dropped, and the network imported would not be the user's.
 */
import { BdlError, describe } from '../errors.js';
import { batchNormAffine, lowerLayers, type LayerOp, type ImportedNetwork, type LowerOptions, type Origin } from './layers.js';
import { activationOf } from './activations.js';
import { asBytes, type Bytes } from './bytes.js';
import { checkFinite } from './finite.js';

// I64 is read for its size only: BatchNorm1d's num_batches_tracked counter is int64 (it does not
// change inference); decode() refuses an int64 tensor where a weight is read.
const WIDTH: Record<string, number> = { F32: 4, F64: 8, F16: 2, BF16: 2, I64: 8 };
const FLOATS = ['F32', 'F64', 'F16', 'BF16'];
/** The tensors each kind of module uses; any other tensor in the file is refused (see the module comment). */
const USES = { linear: ['weight', 'bias'], batchnorm: ['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked'] } as const;
const SHORT: Record<string, string> = { r: 'relu', t: 'tanh', s: 'sigmoid', g: 'gelu', l: 'linear', sm: 'softmax', '': 'linear' };
/** Largest header accepted (the reference implementation's limit). */
const MAX_HEADER = 100_000_000;

interface Entry {
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

/** The tensors a safetensors file holds (name → dtype, shape), read from its header only. */
export function safetensorsHeader(file: Bytes): Map<string, Entry> {
  const bytes = asBytes(file, 'weights');
  if (bytes.length < 8) throw new BdlError('E_FORMAT', `weights.safetensors: expected at least 8 bytes (the header length), found ${bytes.length}. The file is truncated.`, 'weights');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  if (n > MAX_HEADER || 8 + n > bytes.length) throw new BdlError('E_FORMAT', `weights.safetensors: the header declares ${n} bytes but the file has ${bytes.length - 8} after the length. The file is truncated or not safetensors.`, 'weights');
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new BdlError('E_PARSE', `weights.safetensors: the header is not valid JSON (${(e as Error).message}). The file is corrupt or not safetensors.`, 'weights');
  }
  if (!isObject(header)) throw new BdlError('E_FORMAT', `weights.safetensors: expected a header object { name: { dtype, shape, data_offsets } }, found ${describe(header)}. The file is corrupt or not safetensors.`, 'weights');
  const dataBytes = bytes.length - 8 - n;
  const out = new Map<string, Entry>();
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (!isObject(v)) throw new BdlError('E_FORMAT', `weights.safetensors: tensor ${JSON.stringify(name)}: expected an entry { dtype, shape, data_offsets }, found ${describe(v)}. The file is corrupt or not safetensors.`, name);
    const e = v as { dtype?: string; shape?: unknown; data_offsets?: number[] };
    const w = WIDTH[e.dtype ?? ''];
    if (!w) throw new BdlError('E_FORMAT', `weights.safetensors: tensor ${JSON.stringify(name)} has dtype ${JSON.stringify(e.dtype)}; supported: ${Object.keys(WIDTH).join(', ')}.`, name);
    const shape = e.shape ?? [];
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new BdlError('E_FORMAT', `weights.safetensors: tensor ${JSON.stringify(name)}: expected a shape of non-negative integers, found ${JSON.stringify(shape)}. The file is corrupt or not safetensors.`, name);
    }
    const [begin, end] = e.data_offsets ?? [];
    const count = shape.reduce((a, b) => a * b, 1);
    if (!Number.isInteger(begin) || !Number.isInteger(end) || begin < 0 || end > dataBytes || end - begin !== count * w) {
      throw new BdlError('E_FORMAT', `weights.safetensors: tensor ${JSON.stringify(name)} (${e.dtype} ${JSON.stringify(shape)}, ${count * w} bytes) has data_offsets ${JSON.stringify(e.data_offsets)} outside the ${dataBytes} data bytes or of the wrong length. The file is truncated or corrupt.`, name);
    }
    out.set(name, { dtype: e.dtype!, shape: shape as number[], begin: 8 + n + begin, end: 8 + n + end });
  }
  return out;
}

/** Imports a state_dict's Linear (and BatchNorm1d) modules as the network `layers` describes. */
export function importSafetensors(file: Bytes, layers: string, opts: LowerOptions = {}): ImportedNetwork {
  const bytes = asBytes(file, 'weights');
  const desc = parseLayers(layers);
  const header = safetensorsHeader(bytes);
  const modules = new Map<string, Map<string, Entry>>();
  for (const [name, e] of header) {
    const dot = name.lastIndexOf('.');
    const mod = dot < 0 ? '' : name.slice(0, dot);
    if (!modules.has(mod)) modules.set(mod, new Map());
    modules.get(mod)!.set(name.slice(dot + 1), e);
  }
  const order = desc.modules ?? [...modules.keys()].sort(natural);
  order.forEach((m, i) => {
    if (!modules.has(m)) throw new BdlError('E_ARG', `layers: module ${JSON.stringify(m)} is not in the state_dict (it has ${[...modules.keys()].join(', ')}).`, 'layers');
    if (order.indexOf(m) !== i) throw new BdlError('E_ARG', `layers: expected each module once after "@", found module ${JSON.stringify(m)} twice. List every Linear and BatchNorm1d module once, in the order the network applies them.`, 'layers');
  });
  // The plan, from the header alone: which module is what, and which tensors the import will read.
  const plan = order.map((m) => ({ m, p: modules.get(m)!, kind: kindOf(modules.get(m)!) }));
  refuseUnused(header, plan, desc.modules !== undefined);
  const linear = plan.filter((s) => s.kind === 'linear').map((s) => s.m);
  if (linear.length !== desc.widths.length - 1) {
    throw new BdlError('E_SHAPE', `layers: ${JSON.stringify(layers)} describes ${desc.widths.length - 1} linear layer(s); the state_dict has ${linear.length} (${linear.join(', ') || 'none'}). Describe every layer, input width first.`, 'layers');
  }
  checkNormPlaces(layers, desc, plan);
  const read = (e: Entry, name: string) => decode(bytes, e, name);
  const ops: LayerOp[] = [];
  // The modules in order, each taken by the step the description puts there (checkNormPlaces: the kinds match).
  let next = 0;
  const linearOrigin = (l: number): Origin => ({ name: linear[l], op: 'Linear' });
  for (const step of desc.steps) {
    if (step.kind === 'dropout') {
      const before = plan.slice(next).find((s) => s.kind === 'linear')?.m;
      ops.push({ kind: 'dropout', origin: { name: `dropout before ${before}`, op: 'Dropout' }, rate: step.rate });
    } else if (step.kind === 'activation') {
      ops.push({ kind: 'activation', origin: linearOrigin(step.l), activation: activationOf(desc.acts[step.l], linearOrigin(step.l)) });
    } else if (step.kind === 'norm') {
      const { m, p } = plan[next++];
      const get = (k: string) => (p.get(k) ? read(p.get(k)!, `${m}.${k}`) : undefined);
      ops.push(batchNormAffine({ name: m, op: 'BatchNorm1d' }, get('weight'), get('bias'), get('running_mean')!, get('running_var') ?? new Float64Array(0), desc.bnEpsilon));
    } else {
      const { m, p } = plan[next++];
      const l = step.l;
      const w = p.get('weight')!;
      const [fanOut, fanIn] = w.shape;
      if (fanIn !== desc.widths[l] || fanOut !== desc.widths[l + 1]) {
        throw new BdlError('E_SHAPE', `layers: layer ${l} (${m}) is described as ${desc.widths[l]} → ${desc.widths[l + 1]}, but ${m}.weight is ${fanOut} × ${fanIn} (out × in, i.e. ${fanIn} → ${fanOut}). Fix the description or the module order.`, 'layers');
      }
      // PyTorch stores out × in; the engine wants in × out.
      const W = read(w, `${m}.weight`);
      const wt = new Float32Array(fanIn * fanOut);
      for (let i = 0; i < fanIn; i++) for (let j = 0; j < fanOut; j++) wt[i * fanOut + j] = W[j * fanIn + i];
      const b = p.get('bias');
      ops.push({ kind: 'dense', origin: linearOrigin(l), fanIn, fanOut, w: wt, b: b ? Float32Array.from(read(b, `${m}.bias`)) : new Float32Array(fanOut) });
    }
  }
  return lowerLayers(ops, desc.widths[0], 'safetensors', opts);
}

/** A module's kind by its tensors: running statistics make a BatchNorm1d, a 2-D weight a Linear. */
function kindOf(p: Map<string, Entry>): keyof typeof USES | undefined {
  if (p.has('running_mean')) return 'batchnorm';
  if (p.get('weight')?.shape.length === 2) return 'linear';
  return undefined;
}

/** Refuses, by name, every tensor the plan does not read: dropping it would change the network. */
function refuseUnused(header: Map<string, Entry>, plan: { m: string; kind?: keyof typeof USES }[], listed: boolean): void {
  const used = new Set(plan.flatMap(({ m, kind }) => (kind ? USES[kind].map((k) => (m === '' ? k : `${m}.${k}`)) : [])));
  const unused = [...header.keys()].filter((name) => !used.has(name));
  if (unused.length === 0) return;
  const shown = unused.slice(0, 8).map((name) => `${name} (${header.get(name)!.dtype} ${JSON.stringify(header.get(name)!.shape)})`);
  const more = unused.length > shown.length ? `, and ${unused.length - shown.length} more` : '';
  const found = `weights.safetensors: expected every tensor to belong to a Linear (${USES.linear.join(', ')}) or BatchNorm1d (${USES.batchnorm.join(', ')}) module${listed ? ' listed after "@"' : ''}, found ${unused.length} that the import would not use: ${shown.join(', ')}${more}.`;
  const norm = normWithoutStatistics(header, unused);
  if (norm !== undefined) {
    throw new BdlError('E_FORMAT', `${found} Module ${JSON.stringify(norm)} has a weight and a bias of one value per feature and no running_mean or running_var: a BatchNorm1d saved with track_running_stats=False, which normalizes by the statistics of each batch, in eval mode too (its output for a row depends on the rows beside it: no fixed function to import), or a LayerNorm, which is not supported. For a BatchNorm1d, give it running statistics before saving (a BatchNorm1d with track_running_stats=True and the same weight and bias, run over the training data in train mode with momentum=None, then eval()), and mark it b in the description.`, unused[0]);
  }
  throw new BdlError('E_FORMAT', `${found} Only Linear and BatchNorm1d modules are supported (with the description's activations and dropout); a LayerNorm, PReLU, embedding or any other module would be dropped and the network would differ from yours. ${listed ? ' A BatchNorm1d is listed after "@" too, right after its Linear (and marked b in the widths).' : ''} If these tensors are not part of the forward pass, remove them from the state_dict before saving; otherwise this network cannot be imported.`, unused[0]);
}

/**
 * The first module whose tensors left unused are exactly a 1-D weight and bias of one length, with no
 * running statistics: a BatchNorm1d without them (track_running_stats=False) or a LayerNorm — the
 * state_dict cannot say which, and neither is a fixed per-row function the import could fold.
 */
function normWithoutStatistics(header: Map<string, Entry>, unused: readonly string[]): string | undefined {
  const moduleOf = (name: string) => name.slice(0, Math.max(0, name.lastIndexOf('.')));
  for (const m of new Set(unused.map(moduleOf))) {
    const [w, b] = ['weight', 'bias'].map((k) => header.get(m === '' ? k : `${m}.${k}`));
    const own = unused.filter((name) => moduleOf(name) === m).length;
    if (own === 2 && w?.shape.length === 1 && b?.shape.length === 1 && w.shape[0] === b.shape[0]) return m;
  }
  return undefined;
}

/** One step of the network, in the order it runs: a Linear (layer l), its activation, a BatchNorm1d, a dropout. */
export type LayerStep = { kind: 'linear'; l: number } | { kind: 'activation'; l: number } | { kind: 'norm' } | { kind: 'dropout'; rate: number };

interface LayerDescription {
  widths: number[];
  acts: string[];
  /** Per Linear, the dropout on its input (several in a row combined). */
  dropout: number[];
  /** Every step in order, the BatchNorm1d marks included. */
  steps: LayerStep[];
  modules?: string[];
  bnEpsilon: number;
}

/** Parses "784-d0.2-256br-256rb-10softmax[@m1,m2,…]" (see the module comment). */
export function parseLayers(s: string): LayerDescription {
  if (typeof s !== 'string' || s.trim() === '') throw new BdlError('E_ARG', 'layers: expected a description like "784-256r-256r-10", found nothing. A safetensors file holds weights only; say how they connect.', 'layers');
  const [widthList, mods] = s.trim().split('@');
  const widths: number[] = [];
  const acts: string[] = [];
  const dropout: number[] = [0];
  const steps: LayerStep[] = [];
  const tokens = widthList.split('-');
  for (const [i, tok] of tokens.entries()) {
    const d = /^d(0?\.\d+|0)$/.exec(tok);
    if (d) {
      if (widths.length === 0) throw bad(s, tok, 'dropout before the input width');
      // Dropout acts on the next layer's input: after the output width there is none.
      if (i === tokens.length - 1) throw bad(s, tok, 'a width after d<rate> (dropout applies to the input of the next layer; after the output it would drop outputs)');
      const q = dropout[widths.length - 1];
      dropout[widths.length - 1] = q === 0 ? Number(d[1]) : 1 - (1 - q) * (1 - Number(d[1]));
      steps.push({ kind: 'dropout', rate: Number(d[1]) });
      continue;
    }
    if (tok.toLowerCase() === 'b') {
      steps.push({ kind: 'norm' });
      continue;
    }
    const m = /^(\d+)(b?)([a-z]*?)(b?)$/i.exec(tok);
    if (!m || Number(m[1]) < 1) throw bad(s, tok, 'a width with an optional activation (r, t, s, g, softmax), a BatchNorm1d mark b before or after it, d<rate> or b');
    if (widths.length === 0 && (m[2] || m[3] || m[4])) throw bad(s, tok, 'a plain input width first');
    widths.push(Number(m[1]));
    const l = widths.length - 2;
    if (l >= 0) {
      acts.push(SHORT[m[3].toLowerCase()] ?? m[3].toLowerCase());
      steps.push({ kind: 'linear', l });
      if (m[2]) steps.push({ kind: 'norm' });
      steps.push({ kind: 'activation', l });
      if (m[4]) steps.push({ kind: 'norm' });
    }
    dropout.push(0);
  }
  if (widths.length < 2) throw bad(s, widthList, 'at least an input and an output width');
  const modules = mods?.split(',').map((t) => t.trim()).filter((t) => t !== '');
  return { widths, acts, dropout: dropout.slice(0, widths.length - 1), steps, modules, bnEpsilon: 1e-5 };
}

/**
 * Refuses a description whose BatchNorm1d marks do not match the file's modules in order (each
 * Linear and BatchNorm1d, as `plan` lists them): a norm's place — before or after the activation —
 * is not in the state_dict, and a guess would import another network without a word.
 */
function checkNormPlaces(layers: string, desc: LayerDescription, plan: { m: string; kind?: string }[]): void {
  const described = desc.steps.filter((t) => t.kind === 'linear' || t.kind === 'norm').map((t) => t.kind);
  const found = plan.map((p) => (p.kind === 'batchnorm' ? 'norm' : p.kind));
  if (described.length === found.length && described.every((k, i) => k === found[i])) return;
  const inOrder = plan.map((p) => `${p.m} (${p.kind === 'batchnorm' ? 'BatchNorm1d' : 'Linear'})`).join(', ');
  const how = '"b" before the activation letter is Linear → BatchNorm1d → activation, after it Linear → activation → BatchNorm1d, and a "b" token after d<rate> puts it after that dropout';
  // Each BatchNorm1d of the file, with the Linear before it in the modules' order (-1: none).
  const norms = plan.flatMap((p, j) => (p.kind === 'batchnorm' ? [{ m: p.m, after: found.slice(0, j).filter((k) => k === 'linear').length - 1 }] : []));
  const first = norms.find((n) => n.after < 0);
  if (first) {
    throw new BdlError('E_FORMAT', `layers: BatchNorm1d module ${JSON.stringify(first.m)} comes before every Linear in the modules' order (${inOrder}), so the description ${JSON.stringify(layers)} cannot place it. Name the modules in the order the network applies them after "@", and mark each BatchNorm1d on the width of the Linear before it (${how}); a BatchNorm1d on the inputs themselves is not supported (standardize the inputs instead).`, 'layers');
  }
  if (norms.length > 0 && !described.includes('norm')) {
    const [before, after] = markedAt(layers, norms.map((n) => n.after));
    const which = norms.map((n) => `${JSON.stringify(n.m)} (after Linear ${JSON.stringify(plan.filter((p) => p.kind === 'linear')[n.after].m)})`).join(', ');
    throw new BdlError('E_FORMAT', `layers: the state_dict has BatchNorm1d module${norms.length > 1 ? 's' : ''} ${which}, and the description ${JSON.stringify(layers)} does not say where ${norms.length > 1 ? 'they sit' : 'it sits'}. Write ${JSON.stringify(before)} if ${norms.length > 1 ? 'they come' : 'it comes'} before the activation (Linear → BatchNorm1d → activation) or ${JSON.stringify(after)} if after it (Linear → activation → BatchNorm1d), one mark per norm; a "b" token after d<rate> puts one after that dropout.`, 'layers');
  }
  throw new BdlError('E_FORMAT', `layers: ${JSON.stringify(layers)} marks ${described.filter((k) => k === 'norm').length} BatchNorm1d module(s) where the state_dict's modules in order are ${inOrder}. Mark each BatchNorm1d on the width of the Linear before it (${how}), or give the modules' order after "@".`, 'layers');
}

/** The description with a "b" before, and then after, the activation of each Linear listed (0-based, once per norm). */
function markedAt(layers: string, linears: number[]): [string, string] {
  const [list, mods] = layers.trim().split('@');
  const put = (where: 'before' | 'after') => {
    let w = -1;
    const tokens = list.split('-').map((t) => {
      if (!/^\d/.test(t)) return t;
      const marks = 'b'.repeat(linears.filter((l) => l === w).length);
      w++;
      const m = /^(\d+)(.*)$/.exec(t)!;
      return marks === '' ? t : where === 'before' ? `${m[1]}${marks}${m[2]}` : `${m[1]}${m[2]}${marks}`;
    });
    return tokens.join('-') + (mods === undefined ? '' : `@${mods}`);
  };
  return [put('before'), put('after')];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function bad(s: string, tok: string, expected: string): BdlError {
  return new BdlError('E_ARG', `layers: in ${JSON.stringify(s)}, expected ${expected}, found ${JSON.stringify(tok)}. Example: "784-256r-256r-10softmax".`, 'layers');
}

/** "2" < "10", "fc2" < "fc10", "a.b" by segments. */
function natural(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** A tensor's values as f64, refused if any is not finite (in float32). */
function decode(bytes: Uint8Array, e: Entry, name: string): Float64Array {
  const out = values(bytes, e, name);
  checkFinite(out, 'weights.safetensors', name, e.shape);
  return out;
}

function values(bytes: Uint8Array, e: Entry, name: string): Float64Array {
  if (!FLOATS.includes(e.dtype)) throw new BdlError('E_FORMAT', `weights.safetensors: tensor ${JSON.stringify(name)}: expected a float dtype (${FLOATS.join(', ')}) for a weight, found ${e.dtype}. Save the model's weights as floating point.`, name);
  const n = e.shape.reduce((a, b) => a * b, 1);
  const at = bytes.byteOffset + e.begin;
  // Aligned f32 on a little-endian host (every browser and Node platform): one typed-array copy.
  if (e.dtype === 'F32' && at % 4 === 0 && LITTLE_ENDIAN) return Float64Array.from(new Float32Array(bytes.buffer, at, n));
  const dv = new DataView(bytes.buffer, at, e.end - e.begin);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    switch (e.dtype) {
      case 'F32': out[i] = dv.getFloat32(4 * i, true); break;
      case 'F64': out[i] = dv.getFloat64(8 * i, true); break;
      case 'BF16': out[i] = bf16(dv.getUint16(2 * i, true)); break;
      case 'F16': out[i] = f16(dv.getUint16(2 * i, true)); break;
    }
  }
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
const scratch = new DataView(new ArrayBuffer(4));
function bf16(h: number): number {
  scratch.setUint32(0, h << 16);
  return scratch.getFloat32(0);
}

function f16(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

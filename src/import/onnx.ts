/**
 * ONNX models as PyTorch exports them: a single path from the graph's one input to its one output through
 * Gemm (or MatMul + Add), Relu / Tanh / Sigmoid, BatchNormalization, Dropout, Flatten, Identity and a
 * final Softmax / LogSoftmax. Parsed with protobufjs and the schema in onnx-schema.ts.
 */
import { BdlError } from '../errors.js';
import { batchNormAffine, checkDenseShape, lowerLayers, unsupported, where, type LayerOp, type ImportedNetwork, type LowerOptions, type Origin } from './layers.js';
import { asBytes, type Bytes } from './bytes.js';
import { checkFinite } from './finite.js';
import { decodeOnnx, type OnnxModel, type OnnxNode, type OnnxTensor } from './onnx-schema.js';

const FLOAT = 1;
const DOUBLE = 11;
const INT64 = 7;
const BOOL = 9;
/** TensorProto.DataType names, for the message refusing a type. */
const TYPE_NAMES: Record<number, string> = { 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 8: 'string', 10: 'float16', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16' };
/** ONNX's own operator set: the empty domain, or its explicit name. */
const DEFAULT_DOMAINS = ['', 'ai.onnx'];

interface Tensor {
  dims: number[];
  data: Float64Array;
}

/** Imports an ONNX model's bytes. */
export function importOnnx(file: Bytes, opts: LowerOptions = {}): ImportedNetwork {
  const bytes = asBytes(file, 'model');
  let model: OnnxModel;
  try {
    model = decodeOnnx(bytes);
  } catch (e) {
    throw new BdlError('E_PARSE', `model.onnx: not a readable ONNX protobuf (${(e as Error).message}). The file is truncated or not an ONNX model; re-export it.`, 'model');
  }
  const g = model.graph;
  if (!g || !g.node?.length) throw new BdlError('E_FORMAT', 'model.onnx: the file has no graph nodes (not an ONNX model, or an empty one).', 'model');
  // An op is read by its name only within ONNX's own domain: a contrib or custom op of the same name
  // (onnxruntime's com.microsoft, ai.onnx.ml, a user's) has other semantics, so it is never guessed.
  for (const n of g.node) {
    if (!DEFAULT_DOMAINS.includes(n.domain ?? '')) {
      throw new BdlError('E_FORMAT', `${where(originOf(n))}: expected an op of the default ONNX domain ("" or "ai.onnx"), found domain ${JSON.stringify(n.domain)}. Ops of other domains (onnxruntime's fused com.microsoft ops, ai.onnx.ml, custom ops) are not read; export the model with standard ONNX ops (torch.onnx.export without custom opsets, before any onnxruntime optimization).`, originOf(n).name);
    }
  }
  // A weight is found by name: a second tensor of the same name would be one of two silently.
  const twice = (name: string) => new BdlError('E_FORMAT', `model.onnx: expected each weight (initializer or Constant) name once, found ${JSON.stringify(name)} twice. The file is corrupt or was edited by hand (onnx.checker refuses it too); re-export the model.`, name);
  const init = new Map<string, OnnxTensor>();
  for (const t of g.initializer ?? []) {
    if (init.has(t.name ?? '')) throw twice(t.name ?? '');
    init.set(t.name ?? '', t);
  }
  const constants = new Map<string, OnnxTensor>();
  const nodes = g.node.filter((n) => {
    if (n.opType !== 'Constant') return true;
    const t = n.attribute?.find((a) => a.name === 'value')?.t;
    if (t && n.output?.[0]) {
      if (init.has(n.output[0]) || constants.has(n.output[0])) throw twice(n.output[0]);
      constants.set(n.output[0], t);
    }
    return false;
  });
  const tensorOf = (name: string, node: Origin): Tensor => {
    const t = init.get(name) ?? constants.get(name);
    if (!t) throw unsupported(node, `input ${JSON.stringify(name)} that is neither a weight (initializer) nor a constant`);
    return decodeTensor(t, name, node);
  };

  const inputs = (g.input ?? []).filter((v) => !init.has(v.name));
  if (inputs.length !== 1 || (g.output ?? []).length !== 1) {
    throw new BdlError('E_FORMAT', `model.onnx: expected one graph input and one output (a single path), found ${inputs.length} input(s) and ${(g.output ?? []).length} output(s).`, 'model');
  }
  const dims = inputs[0].type?.tensorType?.shape?.dim ?? [];
  const known = dims.slice(1).every((d) => (d.dimValue ?? 0) > 0);
  const width = dims.length >= 2 && known ? dims.slice(1).reduce((a, d) => a * d.dimValue!, 1) : undefined;
  const outName = g.output![0].name;

  const consumers = new Map<string, OnnxNode[]>();
  // '' is ONNX's name for an omitted optional input, not a tensor that flows between nodes.
  for (const n of nodes) {
    for (const i of n.input ?? []) {
      if (i === '') continue;
      const list = consumers.get(i);
      if (list) list.push(n);
      else consumers.set(i, [n]);
    }
  }
  const ops: LayerOp[] = [];
  const visited = new Set<OnnxNode>();
  let current = inputs[0].name;
  while (current !== outName) {
    const next = consumers.get(current) ?? [];
    if (next.length !== 1) {
      const o = next[0] ? originOf(next[0]) : { name: current, op: 'tensor' };
      const shown = next.slice(0, 8).map((n) => `${n.name} (${n.opType})`).join(', ') + (next.length > 8 ? `, and ${next.length - 8} more` : '');
      throw unsupported(o, next.length === 0 ? `a graph whose tensor ${JSON.stringify(current)} leads nowhere` : `a graph that is not a single path (${JSON.stringify(current)} feeds ${next.length} nodes: ${shown})`);
    }
    const node = next[0];
    // Each step takes a node not taken before, or stops here: the walk ends within nodes.length steps.
    if (visited.has(node)) throw cycle(node);
    visited.add(node);
    const origin = originOf(node);
    const attr = (name: string) => node.attribute?.find((a) => a.name === name);
    const others = (node.input ?? []).filter((i) => i !== current);
    let out = node.output?.[0] ?? '';
    const extraOutputs = (node.output ?? []).slice(1).filter((o) => o !== '' && consumers.has(o));
    if (extraOutputs.length) throw unsupported(origin, `a node whose extra output ${extraOutputs[0]} is used`);
    switch (node.opType) {
      case 'Gemm': {
        if ((attr('transA')?.i ?? 0) !== 0 || node.input?.[0] !== current) throw unsupported(origin, 'Gemm with transA or with the weight first');
        const B = tensorOf(node.input![1], origin);
        const C = node.input![2] ? tensorOf(node.input![2], origin) : undefined;
        const transB = (attr('transB')?.i ?? 0) !== 0;
        if (B.dims.length !== 2) throw new BdlError('E_SHAPE', `${where(origin)}: expected a 2-D weight, found dims ${JSON.stringify(B.dims)}.`, origin.name);
        const [fanIn, fanOut] = transB ? [B.dims[1], B.dims[0]] : B.dims;
        checkDenseShape(origin, fanIn, fanOut);
        const alpha = attr('alpha')?.f ?? 1;
        const beta = attr('beta')?.f ?? 1;
        ops.push(dense(origin, B, transB, fanIn, fanOut, alpha, C, beta));
        break;
      }
      case 'MatMul': {
        if (node.input?.[0] !== current) throw unsupported(origin, 'MatMul with the weight first');
        const W = tensorOf(node.input![1], origin);
        if (W.dims.length !== 2) throw new BdlError('E_SHAPE', `${where(origin)}: expected a 2-D weight, found dims ${JSON.stringify(W.dims)}.`, origin.name);
        checkDenseShape(origin, W.dims[0], W.dims[1]);
        // A following Add of a weight vector is this layer's bias.
        const after = consumers.get(out) ?? [];
        let bias: Tensor | undefined;
        if (after.length === 1 && after[0].opType === 'Add') {
          const add = after[0];
          const other = (add.input ?? []).find((i) => i !== out);
          if (other !== undefined && (init.has(other) || constants.has(other))) {
            if (visited.has(add)) throw cycle(add);
            bias = tensorOf(other, originOf(add));
            visited.add(add);
            out = add.output?.[0] ?? '';
          }
        }
        ops.push(dense(origin, W, false, W.dims[0], W.dims[1], 1, bias, 1));
        break;
      }
      case 'Relu':
      case 'Tanh':
      case 'Sigmoid':
        ops.push({ kind: 'activation', origin, activation: node.opType.toLowerCase() as 'relu' });
        break;
      case 'Elu':
      case 'Selu':
      case 'Softsign':
      case 'HardSigmoid':
        ops.push({ kind: 'activation', origin, activation: pointwise(node.opType, origin, (name) => attr(name)?.f) });
        break;
      case 'Clip': {
        // torch.nn.ReLU6 exports Clip(x, 0, 6) (bounds as inputs from opset 11, attributes before).
        const bound = (k: 1 | 2, name: string) => (node.input?.[k] ? tensorOf(node.input[k], origin).data[0] : attr(name)?.f);
        const [lo, hi] = [bound(1, 'min'), bound(2, 'max')];
        if (lo !== 0 || (hi !== 6 && hi !== undefined)) throw unsupported(origin, `Clip to [${lo ?? '-inf'}, ${hi ?? 'inf'}] (only [0, 6], ReLU6, or [0, inf), ReLU)`);
        ops.push({ kind: 'activation', origin, activation: hi === 6 ? 'relu6' : 'relu' });
        break;
      }
      case 'Softmax':
      case 'LogSoftmax': {
        const axis = attr('axis')?.i;
        if (axis !== undefined && axis !== -1 && axis !== 1) throw unsupported(origin, `${node.opType} over axis ${axis}`);
        ops.push({ kind: 'activation', origin, activation: node.opType === 'Softmax' ? 'softmax' : 'log-softmax' });
        break;
      }
      case 'Flatten':
        if ((attr('axis')?.i ?? 1) !== 1) throw unsupported(origin, `Flatten with axis ${attr('axis')?.i}`);
        ops.push({ kind: 'noop', origin });
        break;
      case 'Identity':
        ops.push({ kind: 'noop', origin });
        break;
      case 'Dropout': {
        const ratio = others[0] ? tensorOf(others[0], origin).data[0] : (attr('ratio')?.f ?? 0.5);
        ops.push({ kind: 'dropout', origin, rate: ratio });
        break;
      }
      case 'BatchNormalization': {
        if ((attr('training_mode')?.i ?? 0) !== 0) throw unsupported(origin, 'BatchNormalization in training mode');
        const [scale, bias, mean, variance] = (node.input ?? []).slice(1).map((n) => tensorOf(n, origin).data);
        if (!scale || !bias || !mean || !variance) throw new BdlError('E_FORMAT', `${where(origin)}: expected inputs scale, B, mean and var.`, origin.name);
        ops.push(batchNormAffine(origin, scale, bias, mean, variance, attr('epsilon')?.f ?? 1e-5));
        break;
      }
      default:
        throw unsupported(origin, `op ${node.opType}`);
    }
    current = out;
  }
  const left = nodes.filter((n) => !visited.has(n));
  if (left.length) throw unsupported(originOf(left[0]), 'a node off the path from the graph input to its output');
  return lowerLayers(ops, width, 'onnx', opts);
}

/**
 * The engine's kernel for an ONNX pointwise activation, refused unless its attributes are the
 * kernel's constants: Elu α = 1, Selu's α and γ (ONNX's defaults, which PyTorch writes out), and
 * HardSigmoid α = 0.2, β = 0.5 (ONNX's and TF.js's; PyTorch's nn.Hardsigmoid is α = 1/6).
 */
function pointwise(op: string, origin: Origin, f: (name: string) => number | undefined): 'elu' | 'selu' | 'softsign' | 'hard-sigmoid' {
  const fixed: Record<string, [string, Record<string, number>]> = {
    Elu: ['elu', { alpha: 1 }],
    Selu: ['selu', { alpha: 1.67326319217681884765625, gamma: 1.05070102214813232421875 }],
    Softsign: ['softsign', {}],
    HardSigmoid: ['hard-sigmoid', { alpha: 0.2, beta: 0.5 }],
  };
  const [activation, constants] = fixed[op];
  for (const [name, value] of Object.entries(constants)) {
    const found = f(name) ?? value;
    // Attributes are float32: equal to the constant rounded to float32.
    if (Math.fround(found) !== Math.fround(value)) throw unsupported(origin, `${op} with ${name} = ${found} (the engine's ${activation} has ${name} = ${value})`);
  }
  return activation as 'elu';
}

function cycle(n: OnnxNode): BdlError {
  return new BdlError('E_FORMAT', `model.onnx: expected a graph without cycles (a single path from its input to its output), found a cycle: ${where(originOf(n)).replace(/^layer /, 'node ')} is reached a second time. The file is corrupt or was edited by hand; re-export the model.`, originOf(n).name);
}

function originOf(n: OnnxNode): Origin {
  return { name: n.name || n.output?.[0] || '?', op: n.opType };
}

/** A dense op from a weight (transposed when it is out × in) scaled by α, and a bias scaled by β. */
function dense(origin: Origin, W: Tensor, trans: boolean, fanIn: number, fanOut: number, alpha: number, C: Tensor | undefined, beta: number): LayerOp {
  const w = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < fanIn; i++) for (let j = 0; j < fanOut; j++) w[i * fanOut + j] = alpha * (trans ? W.data[j * fanIn + i] : W.data[i * fanOut + j]);
  const b = new Float32Array(fanOut);
  if (C) {
    const n = C.data.length;
    if (n !== fanOut && n !== 1) throw new BdlError('E_SHAPE', `${where(origin)}: expected a bias of ${fanOut} values (or 1), found dims ${JSON.stringify(C.dims)}.`, origin.name);
    for (let j = 0; j < fanOut; j++) b[j] = beta * C.data[n === 1 ? 0 : j];
  }
  return { kind: 'dense', origin, fanIn, fanOut, w, b };
}

/** A tensor's values as f64; sizes checked against the bytes present before anything is allocated. */
function decodeTensor(t: OnnxTensor, name: string, origin: Origin): Tensor {
  const dims = (t.dims ?? []).map(Number);
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new BdlError('E_FORMAT', `${where(origin)}: weight ${name}: expected dims of non-negative integers, found ${JSON.stringify(dims)}. The file is corrupt; re-export it.`, name);
  const n = dims.reduce((a, b) => a * b, 1);
  if (t.dataLocation === 1) throw unsupported(origin, `weight ${name} stored as external data (re-export with the weights inside the .onnx file)`);
  const type = t.dataType ?? 0;
  const width = type === FLOAT ? 4 : type === DOUBLE || type === INT64 ? 8 : type === BOOL ? 1 : 0;
  if (width === 0) {
    throw new BdlError('E_FORMAT', `${where(origin)}: weight ${name}: expected float32 or float64 values (int64 and bool for a constant), found ${TYPE_NAMES[type] ?? 'an unknown type'} (ONNX data type ${type}). Export the model in float32 (in PyTorch, model.float() before torch.onnx.export; no quantization or half precision).`, name);
  }
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  const given = raw ? raw.length / width : type === FLOAT ? (t.floatData?.length ?? 0) : type === DOUBLE ? (t.doubleData?.length ?? 0) : (t.int64Data?.length ?? 0);
  if (given !== n) throw new BdlError('E_FORMAT', `${where(origin)}: weight ${name} declares dims ${JSON.stringify(dims)} (${n} values) but holds ${given}. The file is truncated or corrupt; re-export it.`, name);
  const data = new Float64Array(n);
  if (raw) {
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < n; i++) {
      data[i] = type === FLOAT ? dv.getFloat32(4 * i, true) : type === DOUBLE ? dv.getFloat64(8 * i, true) : type === INT64 ? Number(dv.getBigInt64(8 * i, true)) : dv.getUint8(i);
    }
  } else {
    const src = type === FLOAT ? t.floatData! : type === DOUBLE ? t.doubleData! : t.int64Data!;
    for (let i = 0; i < n; i++) data[i] = Number(src[i]);
  }
  checkFinite(data, 'model.onnx', name, dims);
  return { dims, data };
}

// Small model files built in the test itself (no binary fixtures): an ONNX protobuf written field by
// field with onnx.proto's numbers, a safetensors buffer, and a TF.js model.json with its one shard.
import pb from 'protobufjs/minimal.js';

type W = pb.Writer;
const LEN = 2;
const msg = (w: W, field: number, body: (w: W) => void) => {
  w.uint32((field << 3) | LEN).fork();
  body(w);
  w.ldelim();
};
const str = (w: W, field: number, s: string) => w.uint32((field << 3) | LEN).string(s);
const varint = (w: W, field: number, v: number) => w.uint32(field << 3).int64(v);

export interface NodeDef { op: string; inputs: string[]; outputs: string[]; name?: string; domain?: string; attrs?: Record<string, number>; floats?: Record<string, number> }
export interface Init { name: string; dims: number[]; values: number[] }

/** ModelProto { graph { node…, initializer… (float_data), input x: [1, width], output } }. */
export function onnxModel(g: { nodes: NodeDef[]; inits?: Init[]; input: string; width: number; output: string }): Uint8Array {
  const w = pb.Writer.create();
  varint(w, 1, 8);
  msg(w, 7, (w) => {
    for (const n of g.nodes) {
      msg(w, 1, (w) => {
        for (const i of n.inputs) str(w, 1, i);
        for (const o of n.outputs) str(w, 2, o);
        str(w, 3, n.name ?? n.outputs[0]);
        str(w, 4, n.op);
        for (const [k, v] of Object.entries(n.attrs ?? {})) msg(w, 5, (w) => { str(w, 1, k); varint(w, 3, v); });
        // AttributeProto.f: field 2, a 32-bit float.
        for (const [k, v] of Object.entries(n.floats ?? {})) msg(w, 5, (w) => { str(w, 1, k); w.uint32((2 << 3) | 5).float(v); });
        if (n.domain !== undefined) str(w, 7, n.domain);
      });
    }
    for (const t of g.inits ?? []) {
      msg(w, 5, (w) => {
        for (const d of t.dims) varint(w, 1, d);
        varint(w, 2, 1); // FLOAT
        w.uint32((4 << 3) | LEN).fork();
        for (const v of t.values) w.float(v);
        w.ldelim();
        str(w, 8, t.name);
      });
    }
    const valueInfo = (field: number, name: string, width: number) =>
      msg(w, field, (w) => {
        str(w, 1, name);
        msg(w, 2, (w) => msg(w, 1, (w) => {
          varint(w, 1, 1);
          msg(w, 2, (w) => {
            msg(w, 1, (w) => varint(w, 1, 1));
            msg(w, 1, (w) => varint(w, 1, width));
          });
        }));
      });
    valueInfo(11, g.input, g.width);
    valueInfo(12, g.output, 1);
  });
  return w.finish();
}

/** Gemm(x, W, b) with W stored out × in (transB, as PyTorch exports it). */
export function gemm(name: string, input: string, output: string, fanIn: number, fanOut: number, values?: number[]): { node: NodeDef; inits: Init[] } {
  const W = values ?? Array.from({ length: fanIn * fanOut }, (_, i) => ((i % 7) - 3) / 10);
  return {
    node: { op: 'Gemm', inputs: [input, `${name}.weight`, `${name}.bias`], outputs: [output], name, attrs: { transB: 1 } },
    inits: [{ name: `${name}.weight`, dims: [fanOut, fanIn], values: W }, { name: `${name}.bias`, dims: [fanOut], values: new Array(fanOut).fill(0.1) }],
  };
}

export interface TensorDef { dtype?: 'F32' | 'F64' | 'F16' | 'I64'; shape: number[]; values: number[] }

/** A safetensors file: 8-byte header length, JSON header, little-endian data. */
export function safetensors(tensors: Record<string, TensorDef>): Uint8Array {
  const width = { F32: 4, F64: 8, F16: 2, I64: 8 } as const;
  const header: Record<string, unknown> = {};
  let off = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const n = t.values.length * width[t.dtype ?? 'F32'];
    header[name] = { dtype: t.dtype ?? 'F32', shape: t.shape, data_offsets: [off, off + n] };
    off += n;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + off);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of Object.values(tensors)) {
    for (const v of t.values) {
      switch (t.dtype ?? 'F32') {
        case 'F32': dv.setFloat32(at, v, true); at += 4; break;
        case 'F64': dv.setFloat64(at, v, true); at += 8; break;
        case 'F16': dv.setUint16(at, v, true); at += 2; break; // raw half-precision bits
        case 'I64': dv.setBigInt64(at, BigInt(v), true); at += 8; break;
      }
    }
  }
  return out;
}

/** A Linear's tensors (out × in, as PyTorch stores them). */
export function linear(name: string, fanIn: number, fanOut: number): Record<string, TensorDef> {
  return {
    [`${name}.weight`]: { shape: [fanOut, fanIn], values: Array.from({ length: fanIn * fanOut }, (_, i) => ((i % 5) - 2) / 10) },
    [`${name}.bias`]: { shape: [fanOut], values: new Array(fanOut).fill(0.05) },
  };
}

export interface WeightDef { name: string; shape: number[]; values?: number[]; group?: string }

/** A TF.js layers model.json (Sequential) and its one shard. Values default to small numbers. */
export function tfjsModel(layers: { class_name: string; config: Record<string, unknown> }[], weights: WeightDef[]): { model: Record<string, any>; shards: Uint8Array[] } {
  const values = weights.map((w) => w.values ?? Array.from({ length: w.shape.reduce((a, b) => a * b, 1) }, (_, i) => ((i % 3) + 1) / 10));
  const shard = new Float32Array(values.flat());
  return {
    model: {
      format: 'layers-model',
      modelTopology: { class_name: 'Sequential', config: { name: 'seq', layers } },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: weights.map((w) => ({ name: w.name, shape: w.shape, dtype: 'float32', ...(w.group && { group: w.group }) })) }],
    },
    shards: [new Uint8Array(shard.buffer)],
  };
}

/** Dense layer config and its two weights. */
export function dense(name: string, fanIn: number, units: number, activation = 'linear', first = false): { layer: { class_name: string; config: Record<string, unknown> }; weights: WeightDef[] } {
  return {
    layer: { class_name: 'Dense', config: { name, units, activation, use_bias: true, ...(first && { batch_input_shape: [null, fanIn] }) } },
    weights: [{ name: `${name}/kernel`, shape: [fanIn, units] }, { name: `${name}/bias`, shape: [units] }],
  };
}

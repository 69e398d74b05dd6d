/**
 * The part of onnx.proto (ONNX IR, github.com/onnx/onnx, onnx/onnx.proto) the importer reads,
 * decoded with protobufjs's wire-format Reader (its minimal build): one small function per message,
 * with ONNX's field numbers; fields we never read are skipped by wire type, so the schema stays the
 * few fields below and the bundle carries no reflection or code generation.
 */
import pb from 'protobufjs/minimal.js';

type Reader = pb.Reader;
export interface OnnxTensor {
  dims?: number[];
  dataType?: number;
  floatData?: number[];
  int64Data?: number[];
  doubleData?: number[];
  name?: string;
  rawData?: Uint8Array;
  dataLocation?: number;
}
export interface OnnxAttribute {
  name: string;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: OnnxTensor;
  floats?: number[];
  ints?: number[];
}
export interface OnnxNode {
  input?: string[];
  output?: string[];
  name?: string;
  opType: string;
  attribute?: OnnxAttribute[];
  domain?: string;
}
export interface OnnxValueInfo {
  name: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: { dimValue?: number; dimParam?: string }[] } } };
}
export interface OnnxModel {
  irVersion?: number;
  producerName?: string;
  producerVersion?: string;
  opsetImport?: { domain?: string; version?: number }[];
  graph?: { node?: OnnxNode[]; name?: string; initializer?: OnnxTensor[]; input?: OnnxValueInfo[]; output?: OnnxValueInfo[] };
}

/** Decodes an ONNX model's bytes (throws protobufjs's errors on malformed input). */
export function decodeOnnx(bytes: Uint8Array): OnnxModel {
  return model(pb.Reader.create(bytes), bytes.length);
}

/** Reads fields until `end`, handing each (field number, wire type) to `field`; unknown fields are skipped. */
function fields(r: Reader, end: number, field: (no: number, wire: number) => boolean): void {
  while (r.pos < end) {
    const tag = r.uint32();
    if (!field(tag >>> 3, tag & 7)) r.skipType(tag & 7);
  }
}

const int64 = (r: Reader): number => {
  const v = r.int64() as unknown as number | { toNumber(): number };
  return typeof v === 'number' ? v : v.toNumber();
};

/** A repeated scalar, packed (wire type 2) or one element per tag. */
function repeated(r: Reader, wire: number, out: number[], read: (r: Reader) => number): void {
  if (wire !== 2) {
    out.push(read(r));
    return;
  }
  const end = r.uint32() + r.pos;
  while (r.pos < end) out.push(read(r));
}

const sub = <T>(r: Reader, read: (r: Reader, end: number) => T): T => read(r, r.uint32() + r.pos);

function model(r: Reader, end: number): OnnxModel {
  const m: OnnxModel = { opsetImport: [] };
  fields(r, end, (no) => {
    if (no === 1) m.irVersion = int64(r);
    else if (no === 2) m.producerName = r.string();
    else if (no === 3) m.producerVersion = r.string();
    else if (no === 7) m.graph = sub(r, graph);
    else if (no === 8) m.opsetImport!.push(sub(r, opset));
    else return false;
    return true;
  });
  return m;
}

function opset(r: Reader, end: number): { domain?: string; version?: number } {
  const o: { domain?: string; version?: number } = {};
  fields(r, end, (no) => {
    if (no === 1) o.domain = r.string();
    else if (no === 2) o.version = int64(r);
    else return false;
    return true;
  });
  return o;
}

function graph(r: Reader, end: number): NonNullable<OnnxModel['graph']> {
  const g: NonNullable<OnnxModel['graph']> = { node: [], initializer: [], input: [], output: [] };
  fields(r, end, (no) => {
    if (no === 1) g.node!.push(sub(r, node));
    else if (no === 2) g.name = r.string();
    else if (no === 5) g.initializer!.push(sub(r, tensor));
    else if (no === 11) g.input!.push(sub(r, valueInfo));
    else if (no === 12) g.output!.push(sub(r, valueInfo));
    else return false;
    return true;
  });
  return g;
}

function node(r: Reader, end: number): OnnxNode {
  const n: OnnxNode = { input: [], output: [], opType: '', attribute: [] };
  fields(r, end, (no) => {
    if (no === 1) n.input!.push(r.string());
    else if (no === 2) n.output!.push(r.string());
    else if (no === 3) n.name = r.string();
    else if (no === 4) n.opType = r.string();
    else if (no === 5) n.attribute!.push(sub(r, attribute));
    else if (no === 7) n.domain = r.string();
    else return false;
    return true;
  });
  return n;
}

function attribute(r: Reader, end: number): OnnxAttribute {
  const a: OnnxAttribute = { name: '', floats: [], ints: [] };
  fields(r, end, (no, wire) => {
    if (no === 1) a.name = r.string();
    else if (no === 2) a.f = r.float();
    else if (no === 3) a.i = int64(r);
    else if (no === 4) a.s = r.bytes();
    else if (no === 5) a.t = sub(r, tensor);
    else if (no === 7) repeated(r, wire, a.floats!, (x) => x.float());
    else if (no === 8) repeated(r, wire, a.ints!, int64);
    else return false;
    return true;
  });
  return a;
}

function tensor(r: Reader, end: number): OnnxTensor {
  const t: OnnxTensor = { dims: [], floatData: [], int64Data: [], doubleData: [] };
  fields(r, end, (no, wire) => {
    if (no === 1) repeated(r, wire, t.dims!, int64);
    else if (no === 2) t.dataType = r.int32();
    else if (no === 4) repeated(r, wire, t.floatData!, (x) => x.float());
    else if (no === 7) repeated(r, wire, t.int64Data!, int64);
    else if (no === 8) t.name = r.string();
    else if (no === 9) t.rawData = r.bytes();
    else if (no === 10) repeated(r, wire, t.doubleData!, (x) => x.double());
    else if (no === 14) t.dataLocation = r.int32();
    else return false;
    return true;
  });
  return t;
}

function valueInfo(r: Reader, end: number): OnnxValueInfo {
  const v: OnnxValueInfo = { name: '' };
  fields(r, end, (no) => {
    if (no === 1) v.name = r.string();
    else if (no === 2) v.type = sub(r, typeProto);
    else return false;
    return true;
  });
  return v;
}

/** TypeProto: its tensor_type (field 1) only. */
function typeProto(r: Reader, end: number): NonNullable<OnnxValueInfo['type']> {
  const t: NonNullable<OnnxValueInfo['type']> = {};
  fields(r, end, (no) => {
    if (no !== 1) return false;
    t.tensorType = sub(r, typeTensor);
    return true;
  });
  return t;
}

function typeTensor(r: Reader, end: number): { elemType?: number; shape?: { dim?: { dimValue?: number; dimParam?: string }[] } } {
  const t: { elemType?: number; shape?: { dim?: { dimValue?: number; dimParam?: string }[] } } = {};
  fields(r, end, (no) => {
    if (no === 1) t.elemType = r.int32();
    else if (no === 2) t.shape = { dim: sub(r, dims) };
    else return false;
    return true;
  });
  return t;
}

function dims(r: Reader, end: number): { dimValue?: number; dimParam?: string }[] {
  const out: { dimValue?: number; dimParam?: string }[] = [];
  fields(r, end, (no) => {
    if (no !== 1) return false;
    out.push(sub(r, (rr, e) => {
      const d: { dimValue?: number; dimParam?: string } = {};
      fields(rr, e, (n) => {
        if (n === 1) d.dimValue = int64(rr);
        else if (n === 2) d.dimParam = rr.string();
        else return false;
        return true;
      });
      return d;
    }));
    return true;
  });
  return out;
}

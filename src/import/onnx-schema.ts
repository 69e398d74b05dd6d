/**
 * The part of onnx.proto (ONNX IR, github.com/onnx/onnx, onnx/onnx.proto) the importer reads, as a
 * protobufjs descriptor: field numbers and types are ONNX's; fields we never read are left out
 * (protobuf skips unknown fields), so the schema stays small and the light build suffices.
 */
import pb from 'protobufjs/light.js';

const f = (id: number, type: string, rule?: 'repeated') => ({ id, type, ...(rule && { rule }) });

const DESCRIPTOR = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: f(1, 'int64'),
            producerName: f(2, 'string'),
            producerVersion: f(3, 'string'),
            graph: f(7, 'GraphProto'),
            opsetImport: f(8, 'OperatorSetIdProto', 'repeated'),
          },
        },
        OperatorSetIdProto: { fields: { domain: f(1, 'string'), version: f(2, 'int64') } },
        GraphProto: {
          fields: {
            node: f(1, 'NodeProto', 'repeated'),
            name: f(2, 'string'),
            initializer: f(5, 'TensorProto', 'repeated'),
            input: f(11, 'ValueInfoProto', 'repeated'),
            output: f(12, 'ValueInfoProto', 'repeated'),
          },
        },
        NodeProto: {
          fields: {
            input: f(1, 'string', 'repeated'),
            output: f(2, 'string', 'repeated'),
            name: f(3, 'string'),
            opType: f(4, 'string'),
            attribute: f(5, 'AttributeProto', 'repeated'),
            domain: f(7, 'string'),
          },
        },
        AttributeProto: {
          fields: {
            name: f(1, 'string'),
            f: f(2, 'float'),
            i: f(3, 'int64'),
            s: f(4, 'bytes'),
            t: f(5, 'TensorProto'),
            floats: f(7, 'float', 'repeated'),
            ints: f(8, 'int64', 'repeated'),
            type: f(20, 'int32'),
          },
        },
        TensorProto: {
          fields: {
            dims: f(1, 'int64', 'repeated'),
            dataType: f(2, 'int32'),
            floatData: f(4, 'float', 'repeated'),
            int64Data: f(7, 'int64', 'repeated'),
            name: f(8, 'string'),
            rawData: f(9, 'bytes'),
            doubleData: f(10, 'double', 'repeated'),
            dataLocation: f(14, 'int32'),
          },
        },
        ValueInfoProto: { fields: { name: f(1, 'string'), type: f(2, 'TypeProto') } },
        TypeProto: { fields: { tensorType: f(1, 'TypeProtoTensor') } },
        TypeProtoTensor: { fields: { elemType: f(1, 'int32'), shape: f(2, 'TensorShapeProto') } },
        TensorShapeProto: { fields: { dim: f(1, 'Dimension', 'repeated') } },
        Dimension: { fields: { dimValue: f(1, 'int64'), dimParam: f(2, 'string') } },
      },
    },
  },
};

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

let modelType: pb.Type | undefined;

/** Decodes an ONNX model's bytes (throws protobufjs's errors on malformed input). */
export function decodeOnnx(bytes: Uint8Array): OnnxModel {
  modelType ??= pb.Root.fromJSON(DESCRIPTOR).lookupType('onnx.ModelProto');
  const msg = modelType.decode(bytes);
  return modelType.toObject(msg, { longs: Number, arrays: true }) as OnnxModel;
}

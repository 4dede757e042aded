/**
 * The part of ONNX's `onnx.proto` (IR version 8) that an MLP needs, as a protobufjs JSON descriptor: field
 * names in camelCase, field numbers and types exactly as in the official schema. protobufjs does the wire
 * encoding; this module only declares the schema and converts decoded messages into typed objects.
 *
 * onnx.proto is proto2: repeated scalars are unpacked unless the schema says `packed = true`
 * (TensorProto's data fields). Decoders accept both forms either way.
 */

import { Root, type Type } from 'protobufjs/light.js';

const unpacked = { options: { packed: false } };
const packed = { options: { packed: true } };

const DESCRIPTOR = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: { type: 'int64', id: 5 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 },
          },
        },
        OperatorSetIdProto: { fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } } },
        StringStringEntryProto: { fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            docString: { type: 'string', id: 10 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
            valueInfo: { rule: 'repeated', type: 'ValueInfoProto', id: 13 },
          },
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            domain: { type: 'string', id: 7 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            docString: { type: 'string', id: 6 },
          },
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            refAttrName: { type: 'string', id: 21 },
            docString: { type: 'string', id: 13 },
            type: { type: 'int32', id: 20 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            g: { type: 'GraphProto', id: 6 },
            floats: { rule: 'repeated', type: 'float', id: 7, ...unpacked },
            ints: { rule: 'repeated', type: 'int64', id: 8, ...unpacked },
            strings: { rule: 'repeated', type: 'bytes', id: 9 },
            tensors: { rule: 'repeated', type: 'TensorProto', id: 10 },
            graphs: { rule: 'repeated', type: 'GraphProto', id: 11 },
          },
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1, ...unpacked },
            dataType: { type: 'int32', id: 2 },
            floatData: { rule: 'repeated', type: 'float', id: 4, ...packed },
            int32Data: { rule: 'repeated', type: 'int32', id: 5, ...packed },
            stringData: { rule: 'repeated', type: 'bytes', id: 6 },
            int64Data: { rule: 'repeated', type: 'int64', id: 7, ...packed },
            name: { type: 'string', id: 8 },
            docString: { type: 'string', id: 12 },
            rawData: { type: 'bytes', id: 9 },
            externalData: { rule: 'repeated', type: 'StringStringEntryProto', id: 13 },
            dataLocation: { type: 'int32', id: 14 },
            doubleData: { rule: 'repeated', type: 'double', id: 10, ...packed },
            uint64Data: { rule: 'repeated', type: 'uint64', id: 11, ...packed },
          },
        },
        ValueInfoProto: {
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'TypeProto', id: 2 },
            docString: { type: 'string', id: 3 },
          },
        },
        TypeProto: {
          fields: { tensorType: { type: 'TypeProtoTensor', id: 1 }, denotation: { type: 'string', id: 6 } },
        },
        TypeProtoTensor: {
          fields: { elemType: { type: 'int32', id: 1 }, shape: { type: 'TensorShapeProto', id: 2 } },
        },
        TensorShapeProto: { fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } } },
        Dimension: {
          fields: {
            dimValue: { type: 'int64', id: 1 },
            dimParam: { type: 'string', id: 2 },
            denotation: { type: 'string', id: 3 },
          },
        },
      },
    },
  },
};

let modelType: Type | null = null;

export function modelProto(): Type {
  modelType ??= Root.fromJSON(DESCRIPTOR).lookupType('onnx.ModelProto');
  return modelType;
}

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT32: 6, INT64: 7, STRING: 8, BOOL: 9, DOUBLE: 11 } as const;

/** AttributeProto.AttributeType values. */
export const AttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } as const;

// ---------------------------------------------------------------------------------------------
// Messages as plain data (what the exporter writes and the importer reads)

export interface TensorData {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dataType: number;
  /** Float tensors as float32 bytes via floatData; ints via int64Data. */
  readonly floatData?: readonly number[];
  readonly int64Data?: readonly number[];
  readonly int32Data?: readonly number[];
  readonly doubleData?: readonly number[];
  readonly rawData?: Uint8Array;
}

export interface AttributeData {
  readonly name: string;
  readonly type: number;
  readonly f?: number;
  readonly i?: number;
  readonly s?: Uint8Array;
  readonly t?: TensorData;
  readonly floats?: readonly number[];
  readonly ints?: readonly number[];
  /** UTF-8 bytes of each string (AttrType.STRINGS). */
  readonly strings?: readonly Uint8Array[];
}

export interface NodeData {
  readonly opType: string;
  readonly domain?: string;
  readonly name?: string;
  readonly input: readonly string[];
  readonly output: readonly string[];
  readonly attribute?: readonly AttributeData[];
}

export interface ValueInfoData {
  readonly name: string;
  /** Element type and shape (a number, or a symbolic name, per dimension), when declared. */
  readonly elemType?: number;
  readonly shape?: readonly (number | string)[];
}

export interface GraphData {
  readonly name: string;
  readonly node: readonly NodeData[];
  readonly initializer: readonly TensorData[];
  readonly input: readonly ValueInfoData[];
  readonly output: readonly ValueInfoData[];
  readonly docString?: string;
}

export interface ModelData {
  readonly irVersion: number;
  readonly opsetImport: readonly { readonly domain: string; readonly version: number }[];
  readonly producerName?: string;
  readonly producerVersion?: string;
  readonly docString?: string;
  readonly graph: GraphData;
  readonly metadataProps?: readonly { readonly key: string; readonly value: string }[];
}

function valueInfoToMessage(v: ValueInfoData): Record<string, unknown> {
  return {
    name: v.name,
    type: {
      tensorType: {
        elemType: v.elemType ?? DataType.FLOAT,
        ...(v.shape === undefined ? {} : {
          shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
        }),
      },
    },
  };
}

export function encodeModel(m: ModelData): Uint8Array {
  const T = modelProto();
  const message = T.fromObject({
    ...m,
    graph: { ...m.graph, input: m.graph.input.map(valueInfoToMessage), output: m.graph.output.map(valueInfoToMessage) },
  });
  return T.encode(message).finish();
}

// ---------------------------------------------------------------------------------------------
// Decoding: protobufjs gives untyped objects; read them field by field into the types above.

type Obj = Record<string, unknown>;

function obj(v: unknown): Obj {
  return typeof v === 'object' && v !== null ? (v as Obj) : {};
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

function nums(v: unknown): number[] {
  return arr(v).map(num);
}

function bytes(v: unknown): Uint8Array | undefined {
  return v instanceof Uint8Array && v.length > 0 ? v : undefined;
}

function readTensor(v: unknown): TensorData {
  const t = obj(v);
  const raw = bytes(t.rawData);
  return {
    name: str(t.name), dims: nums(t.dims), dataType: num(t.dataType),
    floatData: nums(t.floatData), int64Data: nums(t.int64Data), int32Data: nums(t.int32Data), doubleData: nums(t.doubleData),
    ...(raw === undefined ? {} : { rawData: raw }),
  };
}

function readAttribute(v: unknown): AttributeData {
  const a = obj(v);
  const s = bytes(a.s);
  return {
    name: str(a.name), type: num(a.type), f: num(a.f), i: num(a.i),
    ...(s === undefined ? {} : { s }),
    ...(a.t === undefined ? {} : { t: readTensor(a.t) }),
    floats: nums(a.floats), ints: nums(a.ints),
  };
}

function readValueInfo(v: unknown): ValueInfoData {
  const o = obj(v);
  const tt = obj(obj(o.type).tensorType);
  const dims = arr(obj(tt.shape).dim).map((d) => {
    const dd = obj(d);
    return typeof dd.dimValue === 'number' ? dd.dimValue : str(dd.dimParam);
  });
  return { name: str(o.name), elemType: num(tt.elemType), shape: dims };
}

/** Decode ONNX bytes; fails with a clear message on bytes that are not a ModelProto. */
export function decodeModel(buf: Uint8Array): ModelData {
  const T = modelProto();
  let o: Obj;
  try {
    o = T.toObject(T.decode(buf), { longs: Number, arrays: true, defaults: false });
  } catch (e) {
    throw new Error(`not an ONNX model (the protobuf decoder says: ${(e as Error).message})`);
  }
  if (o.graph === undefined) throw new Error('not an ONNX model: it has no graph');
  const g = obj(o.graph);
  return {
    irVersion: num(o.irVersion),
    opsetImport: arr(o.opsetImport).map((x) => ({ domain: str(obj(x).domain), version: num(obj(x).version) })),
    producerName: str(o.producerName), producerVersion: str(o.producerVersion), docString: str(o.docString),
    metadataProps: arr(o.metadataProps).map((x) => ({ key: str(obj(x).key), value: str(obj(x).value) })),
    graph: {
      name: str(g.name),
      node: arr(g.node).map((n) => {
        const nn = obj(n);
        return {
          opType: str(nn.opType), domain: str(nn.domain), name: str(nn.name),
          input: arr(nn.input).map(str), output: arr(nn.output).map(str), attribute: arr(nn.attribute).map(readAttribute),
        };
      }),
      initializer: arr(g.initializer).map(readTensor),
      input: arr(g.input).map(readValueInfo),
      output: arr(g.output).map(readValueInfo),
      docString: str(g.docString),
    },
  };
}

/** The values of a float or integer tensor as float64 numbers (raw little-endian bytes or typed fields). */
export function tensorValues(t: TensorData): Float64Array {
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (t.rawData !== undefined) {
    const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
    const size = t.dataType === DataType.FLOAT || t.dataType === DataType.INT32 ? 4
      : t.dataType === DataType.DOUBLE || t.dataType === DataType.INT64 ? 8 : 0;
    if (size === 0) throw new Error(`tensor '${t.name}': data type ${t.dataType} is not supported (float, double, int32, int64 are)`);
    const n = t.rawData.byteLength / size;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = t.dataType === DataType.FLOAT ? view.getFloat32(i * 4, true)
        : t.dataType === DataType.DOUBLE ? view.getFloat64(i * 8, true)
          : t.dataType === DataType.INT32 ? view.getInt32(i * 4, true)
            : Number(view.getBigInt64(i * 8, true));
    }
    if (n !== count) throw new Error(`tensor '${t.name}': ${n} values for dims [${t.dims.join(', ')}]`);
    return out;
  }
  const src = t.dataType === DataType.DOUBLE ? t.doubleData
    : t.dataType === DataType.INT64 ? t.int64Data
      : t.dataType === DataType.INT32 || t.dataType === DataType.BOOL ? t.int32Data : t.floatData;
  const out = Float64Array.from(src ?? []);
  if (out.length !== count) throw new Error(`tensor '${t.name}': ${out.length} values for dims [${t.dims.join(', ')}]`);
  return out;
}

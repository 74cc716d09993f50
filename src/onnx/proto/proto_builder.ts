/**
 * Hand-built ModelProtos for tests and fixtures: small models that exercise one import feature or
 * one way a file can be wrong, written directly as protobuf messages (not through exportOnnx, so
 * the importer is tested against the schema rather than against our own writer).
 */
import type { Attr } from '../../ir/graph.js';
import { attrToProto } from './attributes.js';
import type { ModelProtoObject, NodeProto, TensorProto, ValueInfoProto } from './proto.js';
import { DataType, onnx } from './proto.js';

export function node(op: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, Attr> = {}, name?: string): NodeProto {
  return {
    opType: op,
    input: [...inputs],
    output: [...outputs],
    attribute: Object.entries(attrs).map(([k, v]) => attrToProto(k, v)),
    ...(name !== undefined ? { name } : {}),
  };
}

/** A tensor value_info; a string dim is symbolic, null is an unknown dim. */
export function valueInfo(name: string, dims: readonly (number | string | null)[], elemType: number = DataType.FLOAT): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})) },
      },
    },
  };
}

/** A float initializer with its values in raw_data (little-endian) or float_data. */
export function floatInit(name: string, dims: readonly number[], values: ArrayLike<number>, storage: 'raw' | 'typed' = 'raw'): TensorProto {
  const f = Float32Array.from(values);
  if (storage === 'typed') return { name, dims: [...dims], dataType: DataType.FLOAT, floatData: Array.from(f) };
  const raw = new Uint8Array(f.length * 4);
  const view = new DataView(raw.buffer);
  f.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return { name, dims: [...dims], dataType: DataType.FLOAT, rawData: raw };
}

/** An int64 initializer (shapes, axes, pads) in raw_data or int64_data. */
export function int64Init(name: string, values: readonly number[], storage: 'raw' | 'typed' = 'raw', dims: readonly number[] = [values.length]): TensorProto {
  if (storage === 'typed') return { name, dims: [...dims], dataType: DataType.INT64, int64Data: [...values] };
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return { name, dims: [...dims], dataType: DataType.INT64, rawData: raw };
}

export interface ModelSpec {
  readonly opset?: number;
  readonly irVersion?: number;
  readonly producer?: string;
  readonly nodes: readonly NodeProto[];
  readonly initializers?: readonly TensorProto[];
  readonly inputs: readonly ValueInfoProto[];
  readonly outputs: readonly ValueInfoProto[];
  readonly valueInfo?: readonly ValueInfoProto[];
  readonly name?: string;
}

export function modelObject(spec: ModelSpec): ModelProtoObject {
  const opset = spec.opset ?? 13;
  return {
    irVersion: spec.irVersion ?? (opset <= 9 ? 4 : opset <= 11 ? 6 : 7),
    producerName: spec.producer ?? 'proto_builder',
    opsetImport: [{ domain: '', version: opset }],
    graph: {
      name: spec.name ?? 'test',
      node: [...spec.nodes],
      initializer: [...(spec.initializers ?? [])],
      input: [...spec.inputs],
      output: [...spec.outputs],
      valueInfo: [...(spec.valueInfo ?? [])],
    },
  };
}

export function modelBytes(spec: ModelSpec): Uint8Array {
  return onnx.ModelProto.encode(modelObject(spec)).finish();
}

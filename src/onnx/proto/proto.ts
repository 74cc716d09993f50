/**
 * The ONNX protobuf schema (onnx-proto, ONNX 1.10 messages, decoded by protobufjs) and the small
 * conversions every reader and writer of it needs: int64 fields arrive as Long objects, element
 * types are enum numbers.
 */
import pkg from 'onnx-proto';
import type { DType } from '../../ir/tensor.js';

export const { onnx } = pkg;
export type ModelProto = pkg.onnx.ModelProto;
export type ModelProtoObject = pkg.onnx.IModelProto;
export type GraphProto = pkg.onnx.IGraphProto;
export type NodeProto = pkg.onnx.INodeProto;
export type TensorProto = pkg.onnx.ITensorProto;
export type AttributeProto = pkg.onnx.IAttributeProto;
export type ValueInfoProto = pkg.onnx.IValueInfoProto;

export const DataType = onnx.TensorProto.DataType;
export const AttributeType = onnx.AttributeProto.AttributeType;

/** A protobuf int64 (Long, or number when small) as a JS number; throws past 2^53. */
export function int64ToNumber(v: number | { toNumber(): number; toString(): string } | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  const n = v.toNumber();
  if (!Number.isSafeInteger(n)) throw new RangeError(`int64 value ${v.toString()} is too large`);
  return n;
}

/** A protobuf int64 as a BigInt, exactly. */
export function int64ToBigInt(v: number | { toString(): string }): bigint {
  return typeof v === 'number' ? BigInt(v) : BigInt(v.toString());
}

const DTYPE_OF_ONNX = new Map<number, DType>([
  [DataType.FLOAT, 'float32'],
  [DataType.INT64, 'int64'],
  [DataType.INT32, 'int32'],
  [DataType.INT8, 'int8'],
  [DataType.UINT8, 'uint8'],
  [DataType.BOOL, 'bool'],
]);

const ONNX_OF_DTYPE: Record<DType, number> = {
  float32: DataType.FLOAT,
  int64: DataType.INT64,
  int32: DataType.INT32,
  int8: DataType.INT8,
  uint8: DataType.UINT8,
  bool: DataType.BOOL,
};

/** Our dtype for an ONNX element type, or undefined when the tool does not handle it. */
export function dtypeOfOnnx(elemType: number): DType | undefined {
  return DTYPE_OF_ONNX.get(elemType);
}

export function onnxOfDtype(dtype: DType): number {
  return ONNX_OF_DTYPE[dtype];
}

/** The ONNX name of an element type, for messages ('FLOAT16', 'DOUBLE', ...). */
export function onnxTypeName(elemType: number): string {
  return (DataType as unknown as Record<number, string>)[elemType] ?? `type ${elemType}`;
}

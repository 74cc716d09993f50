/**
 * TensorProto ⇄ Tensor. Reading checks the claimed size against the data actually present (raw_data,
 * the typed field, or the external length) BEFORE allocating, so a corrupt or hostile file cannot
 * make us allocate gigabytes. raw_data is little-endian and may sit at any byte offset inside the
 * decoded buffer, so it is always copied into a fresh, aligned array.
 */
import { endianness } from 'node:os';
import type { DType, Tensor, TensorData } from '../../ir/tensor.js';
import { bytesPerElement, sizeOf } from '../../ir/tensor.js';
import { UserError } from '../../util/errors.js';
import { externalDataRef, readExternalData } from './external_data.js';
import type { TensorProto } from './proto.js';
import { dtypeOfOnnx, int64ToBigInt, int64ToNumber, onnx, onnxOfDtype, onnxTypeName } from './proto.js';

const LITTLE_ENDIAN_HOST = endianness() === 'LE';

/** The dims of a TensorProto as numbers; `where` names the tensor in messages. */
export function tensorDims(t: TensorProto, where: string): number[] {
  return (t.dims ?? []).map((d) => {
    let n: number;
    try {
      n = int64ToNumber(d);
    } catch {
      throw new UserError(`${where}: dimension ${String(d)} is too large`);
    }
    if (n < 0) throw new UserError(`${where}: negative dimension ${n} in dims [${(t.dims ?? []).map(String).join(', ')}]`);
    return n;
  });
}

/**
 * Decodes a TensorProto. `where` prefixes every message (e.g. "model.onnx: initializer 'conv1.weight'");
 * `baseDir` is the model's folder, needed only for external data.
 */
export function tensorFromProto(t: TensorProto, where: string, baseDir?: string): Tensor {
  const elemType = t.dataType ?? 0;
  const dtype = dtypeOfOnnx(elemType);
  if (!dtype) {
    throw new UserError(`${where}: unsupported data type ${onnxTypeName(elemType)} (supported: FLOAT, INT64, INT32, INT8, UINT8, BOOL)`);
  }
  const shape = tensorDims(t, where);
  const count = sizeOf(shape);
  const byteLength = count * bytesPerElement(dtype);
  const dimsText = `dims [${shape.join(', ')}]`;

  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    const bytes = readExternalData(externalDataRef(t, where), byteLength, baseDir, where);
    return { dtype, shape, data: fromLittleEndian(bytes, dtype, count) };
  }
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    if (raw.length !== byteLength) {
      throw new UserError(`${where}: ${dimsText} of ${dtype} need ${byteLength} bytes, but raw_data has ${raw.length}`);
    }
    return { dtype, shape, data: fromLittleEndian(raw, dtype, count) };
  }
  const [field, values] = typedField(t, dtype);
  if (values.length !== count) {
    throw new UserError(`${where}: ${dimsText} need ${count} values, but ${field} has ${values.length}`);
  }
  return { dtype, shape, data: fromTypedField(values, dtype, count) };
}

function typedField(t: TensorProto, dtype: DType): [string, ArrayLike<unknown>] {
  switch (dtype) {
    case 'float32': return ['float_data', t.floatData ?? []];
    case 'int64': return ['int64_data', t.int64Data ?? []];
    default: return ['int32_data', t.int32Data ?? []];
  }
}

function fromTypedField(values: ArrayLike<unknown>, dtype: DType, count: number): TensorData {
  switch (dtype) {
    case 'float32': return Float32Array.from(values as ArrayLike<number>);
    case 'int64': {
      const out = new BigInt64Array(count);
      for (let i = 0; i < count; i++) out[i] = int64ToBigInt(values[i] as number);
      return out;
    }
    case 'int32': return Int32Array.from(values as ArrayLike<number>);
    case 'int8': return Int8Array.from(values as ArrayLike<number>);
    case 'uint8': return Uint8Array.from(values as ArrayLike<number>);
    case 'bool': return Uint8Array.from(values as ArrayLike<number>, (v) => (v ? 1 : 0));
  }
}

/** Little-endian bytes → a fresh aligned typed array of `count` elements. */
export function fromLittleEndian(bytes: Uint8Array, dtype: DType, count: number): TensorData {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  const buf = copy.buffer;
  if (!LITTLE_ENDIAN_HOST && bytesPerElement(dtype) > 1) swapBytes(copy, bytesPerElement(dtype));
  switch (dtype) {
    case 'float32': return new Float32Array(buf, 0, count);
    case 'int64': return new BigInt64Array(buf, 0, count);
    case 'int32': return new Int32Array(buf, 0, count);
    case 'int8': return new Int8Array(buf, 0, count);
    case 'uint8': return copy;
    case 'bool': return copy.map((v) => (v ? 1 : 0));
  }
}

/** A tensor's data as little-endian bytes (a copy). */
export function toLittleEndian(t: Tensor): Uint8Array {
  const src = t.data;
  const bytes = new Uint8Array(src.byteLength);
  bytes.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
  if (!LITTLE_ENDIAN_HOST && bytesPerElement(t.dtype) > 1) swapBytes(bytes, bytesPerElement(t.dtype));
  return bytes;
}

function swapBytes(bytes: Uint8Array, width: number): void {
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
}

export type TensorStorage = 'raw' | 'typed';

/** Encodes a tensor as a TensorProto, its data in raw_data (the default) or in the typed field. */
export function tensorToProto(name: string, t: Tensor, storage: TensorStorage = 'raw'): TensorProto {
  const proto: TensorProto = { name, dims: [...t.shape], dataType: onnxOfDtype(t.dtype) };
  if (storage === 'raw') return { ...proto, rawData: toLittleEndian(t) };
  switch (t.dtype) {
    case 'float32': return { ...proto, floatData: Array.from(t.data as Float32Array) };
    case 'int64':
      return {
        ...proto,
        int64Data: Array.from(t.data as BigInt64Array, (v) => {
          const n = Number(v);
          if (!Number.isSafeInteger(n)) throw new Error(`tensor '${name}': int64 value ${v} cannot be written to int64_data`);
          return n;
        }),
      };
    default: return { ...proto, int32Data: Array.from(t.data as ArrayLike<number>) };
  }
}

/** Constant and runtime tensors: a dtype, a shape and a flat row-major typed array. */

export type DType = 'float32' | 'int64' | 'int32' | 'int8' | 'uint8' | 'bool';

export type TensorData = Float32Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;

export interface Tensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: TensorData;
}

/** The number of elements of a shape (1 for a scalar). */
export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Bytes per element of a dtype. */
export function bytesPerElement(dtype: DType): number {
  switch (dtype) {
    case 'float32': case 'int32': return 4;
    case 'int64': return 8;
    case 'int8': case 'uint8': case 'bool': return 1;
  }
}

export function floatTensor(shape: readonly number[], data?: Float32Array): Tensor {
  const n = sizeOf(shape);
  const d = data ?? new Float32Array(n);
  if (d.length !== n) throw new Error(`floatTensor: ${d.length} values for shape [${shape}]`);
  return { dtype: 'float32', shape: [...shape], data: d };
}

export function int64Tensor(values: readonly number[], shape: readonly number[] = [values.length]): Tensor {
  return { dtype: 'int64', shape: [...shape], data: BigInt64Array.from(values, (v) => BigInt(v)) };
}

/** A tensor's values as plain numbers (int64 converted; use for shapes, axes, pads, scalars). */
export function toNumbers(t: Tensor): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}

/** The float32 data of a tensor, or an error naming `what` if it is not float32. */
export function floatData(t: Tensor, what: string): Float32Array {
  if (t.dtype !== 'float32') throw new Error(`${what}: expected float32, got ${t.dtype}`);
  return t.data as Float32Array;
}

export function shapeToString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

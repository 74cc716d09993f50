/**
 * The integer ops tf.keras writes to compute a Reshape target at run time —
 *   Shape(x) → StridedSlice [0:1] (shrink: the batch size) → Pack(batch, 1000) → Reshape
 * — evaluated at import: every shape is static here (batch 1), so their results are constants.
 * Only what that chain needs is supported (1-D slices, Pack of same-shaped constants); anything
 * else is a message for a UserError.
 */
import type { Tensor } from '../ir/tensor.js';
import { sizeOf, toNumbers } from '../ir/tensor.js';

/** A 1-D int32 (or int64) tensor of `values`. */
export function intVector(values: readonly number[], dtype: 'int32' | 'int64' = 'int32', shape: readonly number[] = [values.length]): Tensor {
  if (dtype === 'int64') return { dtype, shape: [...shape], data: BigInt64Array.from(values, (v) => BigInt(v)) };
  return { dtype, shape: [...shape], data: Int32Array.from(values) };
}

export interface StridedSliceMasks {
  readonly begin: number;
  readonly end: number;
  readonly ellipsis: number;
  readonly newAxis: number;
  readonly shrinkAxis: number;
}

/** StridedSlice of a 1-D integer constant with a one-entry spec (TF's clamping rules); a string is an error message. */
export function stridedSlice1d(input: Tensor, begin: Tensor, end: Tensor, strides: Tensor, m: StridedSliceMasks): Tensor | string {
  if (m.ellipsis || m.newAxis) return 'ellipsis_mask and new_axis_mask are not supported';
  if (input.shape.length !== 1) return `only a 1-D input is supported, got shape [${input.shape.join(', ')}]`;
  if (input.dtype !== 'int32' && input.dtype !== 'int64') return `only integer inputs are supported, got ${input.dtype}`;
  const [b, e, s] = [begin, end, strides].map(toNumbers);
  if (b.length !== 1 || e.length !== 1 || s.length !== 1) return 'begin, end and strides must have one entry each (a 1-D slice)';
  const stride = s[0];
  if (stride === 0) return 'stride 0';
  const values = toNumbers(input);
  const L = values.length;
  const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
  if (m.shrinkAxis & 1) {
    const i = b[0] < 0 ? b[0] + L : b[0];
    if (i < 0 || i >= L) return `index ${b[0]} out of range for length ${L}`;
    return intVector([values[i]], input.dtype, []);
  }
  let lo: number;
  let hi: number;
  if (stride > 0) {
    lo = m.begin & 1 ? 0 : clamp(b[0] < 0 ? b[0] + L : b[0], 0, L);
    hi = m.end & 1 ? L : clamp(e[0] < 0 ? e[0] + L : e[0], 0, L);
  } else {
    lo = m.begin & 1 ? L - 1 : clamp(b[0] < 0 ? b[0] + L : b[0], -1, L - 1);
    hi = m.end & 1 ? -1 : clamp(e[0] < 0 ? e[0] + L : e[0], -1, L - 1);
  }
  const out: number[] = [];
  for (let i = lo; stride > 0 ? i < hi : i > hi; i += stride) out.push(values[i]);
  return intVector(out, input.dtype);
}

/** Pack (tf.stack) of same-shaped constants along `axis`; a string is an error message. */
export function pack(parts: readonly Tensor[], axis: number): Tensor | string {
  if (parts.length === 0) return 'no inputs';
  const shape = parts[0].shape;
  const dtype = parts[0].dtype;
  if (dtype !== 'int32' && dtype !== 'int64') return `only integer inputs are supported, got ${dtype}`;
  if (parts.some((p) => p.dtype !== dtype || p.shape.length !== shape.length || p.shape.some((d, i) => d !== shape[i]))) {
    return 'inputs differ in dtype or shape';
  }
  const rank = shape.length + 1;
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) return `axis ${axis} out of range for rank ${rank}`;
  const outer = sizeOf(shape.slice(0, a));
  const inner = sizeOf(shape.slice(a));
  const vals = parts.map(toNumbers);
  const out: number[] = [];
  for (let o = 0; o < outer; o++) for (const v of vals) out.push(...v.slice(o * inner, (o + 1) * inner));
  return intVector(out, dtype, [...shape.slice(0, a), parts.length, ...shape.slice(a)]);
}

/**
 * TensorFlow is channels-last; the IR is NCHW (src/ir/graph.ts). The importer keeps one rule:
 * every rank-4 runtime tensor of the TF graph is held in the IR transposed to NCHW (TF's NHWC
 * [n, h, w, c] is IR [n, c, h, w]); tensors of any other rank are held as TF has them. Constants
 * stay in TF layout until an op uses them and are converted here for that use:
 *   Conv2D filter       HWIO [kh, kw, I, O]        → OIHW [O, I, kh, kw]
 *   depthwise filter    [kh, kw, C, m]             → [C·m, 1, kh, kw] (output channel c·m + k)
 *   broadcast operand   NHWC (right-aligned rank ≤ 4) → rank 4 NCHW
 * and TF's padding rules become explicit pads.
 */
import type { Tensor } from '../ir/tensor.js';
import { transposeData, transposeShape } from '../ops/kernels/transpose.js';

export const NHWC_TO_NCHW: readonly number[] = [0, 3, 1, 2];
export const NCHW_TO_NHWC: readonly number[] = [0, 2, 3, 1];

/** The shape TF sees for an IR tensor held under the rule above. */
export function tfShapeOf(irShape: readonly number[]): number[] {
  return irShape.length === 4 ? transposeShape(irShape, NCHW_TO_NHWC) : [...irShape];
}

/** The IR shape of a TF tensor held under the rule above. */
export function irShapeOf(tfShape: readonly number[]): number[] {
  return tfShape.length === 4 ? transposeShape(tfShape, NHWC_TO_NCHW) : [...tfShape];
}

/**
 * NHWC and NCHW list the elements of this NHWC shape in the same order (one pixel, or one
 * channel): a reshape then needs no transpose.
 */
export function sameElementOrder(nhwc: readonly number[]): boolean {
  return nhwc.length !== 4 || nhwc[1] * nhwc[2] === 1 || nhwc[3] === 1;
}

function permuted(t: Tensor, perm: readonly number[], shape?: readonly number[]): Tensor {
  return { dtype: t.dtype, shape: shape ? [...shape] : transposeShape(t.shape, perm), data: transposeData(t.data, t.shape, perm) };
}

/** Conv2D filter HWIO → OIHW. */
export function hwioToOihw(filter: Tensor): Tensor {
  return permuted(filter, [3, 2, 0, 1]);
}

/** DepthwiseConv2dNative filter [kh, kw, C, m] → [C·m, 1, kh, kw]: output channel c·m + k reads input channel c. */
export function depthwiseToOihw(filter: Tensor): Tensor {
  const [kh, kw, c, m] = filter.shape;
  return permuted(filter, [2, 3, 0, 1], [c * m, 1, kh, kw]);
}

/**
 * A constant operand of an elementwise op whose other operand is a rank-4 (NCHW-held) tensor:
 * numpy-style it aligns right against NHWC, so it is padded to rank 4 with leading 1s and
 * transposed to NCHW ([C] → [1, C, 1, 1]).
 */
export function broadcastOperandToNchw(t: Tensor): Tensor {
  const rank4 = [...new Array<number>(4 - t.shape.length).fill(1), ...t.shape];
  return permuted({ ...t, shape: rank4 }, NHWC_TO_NCHW);
}

// ---------------------------------------------------------------- padding

/**
 * TF 'SAME' along one dim: out = ceil(in / stride), total = max((out − 1)·stride + k_eff − in, 0)
 * with k_eff = (k − 1)·dilation + 1; the smaller half goes before (top/left), the rest after.
 */
export function tfSamePads(inSize: number, kernel: number, stride: number, dilation = 1): [number, number] {
  const out = Math.ceil(inSize / stride);
  const total = Math.max((out - 1) * stride + (kernel - 1) * dilation + 1 - inSize, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/**
 * ONNX pads [top, left, bottom, right] for TF padding 'SAME' or 'VALID' on an [h, w] input, or
 * 'EXPLICIT' with TF's explicit_paddings (NHWC pairs [n0, n1, h0, h1, w0, w1, c0, c1]).
 * Returns a message instead when the padding cannot be expressed.
 */
export function explicitPads(
  padding: string,
  inHW: readonly [number, number],
  kernel: readonly [number, number],
  strides: readonly [number, number],
  dilations: readonly [number, number],
  explicit: readonly number[] = [],
): [number, number, number, number] | string {
  if (padding === 'VALID') return [0, 0, 0, 0];
  if (padding === 'SAME') {
    const [t, b] = tfSamePads(inHW[0], kernel[0], strides[0], dilations[0]);
    const [l, r] = tfSamePads(inHW[1], kernel[1], strides[1], dilations[1]);
    return [t, l, b, r];
  }
  if (padding === 'EXPLICIT') {
    if (explicit.length !== 8) return `explicit_paddings needs 8 values (NHWC pairs), got ${explicit.length}`;
    if (explicit[0] || explicit[1] || explicit[6] || explicit[7]) return `explicit_paddings [${explicit.join(', ')}] pads the batch or channel dim`;
    if (explicit.some((p) => p < 0)) return `explicit_paddings [${explicit.join(', ')}] has negative values`;
    return [explicit[2], explicit[4], explicit[3], explicit[5]];
  }
  return `padding '${padding}' is not one of SAME, VALID, EXPLICIT`;
}

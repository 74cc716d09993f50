/**
 * Shared by the int8 conv2d and depthwise_conv2d references (NCHW activations, weights as in the IR):
 *   acc[o, oh, ow] = bias[o] + Σ_{c, i, j} w[o, c, i, j] · (x[c, oh·sh − pt + i·dh, ow·sw − pl + j·dw] − zp_in)
 * Padded positions hold zp_in (real 0) and so add nothing. Then requantized per output channel
 * (requantize.ts).
 *
 * Speed (the empirical bias correction runs these over every calibration image): the kernels work
 * on x − zp_in as float32 values in a zero-padded copy, and accumulate in doubles. That is exact:
 * every product is an integer below 2^15 in magnitude and every sum stays far below 2^53 (and, as in
 * the C, below 2^31: |Σ| ≤ 255·127·K plus the bias), so the result equals the int32 arithmetic bit
 * for bit while V8 skips the int32 overflow checks.
 */
import type { LayerBase, WindowFields } from './types.js';

export interface Geometry {
  readonly H: number; readonly W: number; readonly Ho: number; readonly Wo: number;
  readonly KH: number; readonly KW: number;
  readonly sh: number; readonly sw: number; readonly pt: number; readonly pl: number; readonly pb: number; readonly pr: number;
  readonly dh: number; readonly dw: number;
  /** The zero-padded input plane: Hp = pt + H + pb rows of Wp = pl + W + pr columns. */
  readonly Hp: number; readonly Wp: number;
}

export function geometry(layer: LayerBase & WindowFields): Geometry {
  const [, , H, W] = layer.inputShapes[0];
  const [, , Ho, Wo] = layer.outputShape;
  const [KH, KW] = layer.kernel;
  const [sh, sw] = layer.strides;
  const [pt, pl, pb, pr] = layer.pads;
  const [dh, dw] = layer.dilations;
  return { H, W, Ho, Wo, KH, KW, sh, sw, pt, pl, pb, pr, dh, dw, Hp: pt + H + pb, Wp: pl + W + pr };
}

/**
 * Planes [c0, c0 + count) of image n of x (NCHW int8) as x − zp in a zero-padded float32 copy,
 * [count][Hp][Wp]. The last output row and column read at most row (Ho−1)·sh + (KH−1)·dh < Hp
 * (and likewise for columns), so no index leaves the copy.
 */
export function paddedPlanes(x: Int8Array, zp: number, g: Geometry, C: number, n: number): Float32Array {
  const { H, W, Hp, Wp, pt, pl } = g;
  const out = new Float32Array(C * Hp * Wp);
  for (let c = 0; c < C; c++) {
    const src = (n * C + c) * H * W;
    const dst = c * Hp * Wp + pt * Wp + pl;
    for (let h = 0; h < H; h++) {
      const s = src + h * W;
      const d = dst + h * Wp;
      for (let w = 0; w < W; w++) out[d + w] = x[s + w] - zp;
    }
  }
  return out;
}

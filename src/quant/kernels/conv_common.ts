/**
 * Shared by the int8 conv2d and depthwise_conv2d references (NCHW activations, weights as in the IR):
 *   acc[o, oh, ow] = bias[o] + Σ_{c, i, j} w[o, c, i, j] · (x[c, oh·sh − pt + i·dh, ow·sw − pl + j·dw] − zp_in)
 * Padded positions hold zp_in (real 0) and so add nothing: they are skipped. Then requantized per
 * output channel (requantize.ts). Integer sums stay far below 2^31 (|Σ| ≤ 255·127·K), so plain
 * JS arithmetic on Int32Array is exact.
 */
import type { QuantizedLayer } from '../types.js';

export interface Geometry {
  readonly H: number; readonly W: number; readonly Ho: number; readonly Wo: number;
  readonly KH: number; readonly KW: number;
  readonly sh: number; readonly sw: number; readonly pt: number; readonly pl: number; readonly dh: number; readonly dw: number;
}

export function geometry(layer: QuantizedLayer): Geometry {
  const [, , H, W] = layer.inputShape;
  const [, , Ho, Wo] = layer.outputShape;
  const [KH, KW] = layer.kernel ?? [1, 1];
  const [sh, sw] = layer.strides ?? [1, 1];
  const [pt, pl] = layer.pads ?? [0, 0, 0, 0];
  const [dh, dw] = layer.dilations ?? [1, 1];
  return { H, W, Ho, Wo, KH, KW, sh, sw, pt, pl, dh, dw };
}

/** acc[oh·Wo + ow] += wv · xc[plane + (oh·sh − pt + i·dh)·W + ow·sw − pl + j·dw] over valid positions. */
export function accumulateTap(acc: Int32Array, xc: Int16Array, plane: number, wv: number, i: number, j: number, g: Geometry): void {
  const colOff = j * g.dw - g.pl;
  // Output columns whose input column lies inside [0, W).
  const owLo = Math.max(0, Math.ceil(-colOff / g.sw));
  const owHi = Math.min(g.Wo - 1, Math.floor((g.W - 1 - colOff) / g.sw));
  if (owLo > owHi) return;
  for (let oh = 0; oh < g.Ho; oh++) {
    const ih = oh * g.sh - g.pt + i * g.dh;
    if (ih < 0 || ih >= g.H) continue;
    const row = plane + ih * g.W + colOff;
    const a = oh * g.Wo;
    if (g.sw === 1) {
      for (let ow = owLo; ow <= owHi; ow++) acc[a + ow] += wv * xc[row + ow];
    } else {
      for (let ow = owLo; ow <= owHi; ow++) acc[a + ow] += wv * xc[row + ow * g.sw];
    }
  }
}


/**
 * int8 depthwise_conv2d reference: output channel o reads input channel floor(o / depthMultiplier)
 * (arithmetic in conv_common.ts). A 3×3 undilated kernel (all of MobileNet's) keeps its nine
 * weights in registers; other kernels take the general loop.
 */
import type { QuantizedLayer } from '../types.js';
import { geometry, paddedPlanes } from './conv_common.js';
import { requantize } from './requantize.js';

export function depthwiseConv2dInt8(layer: QuantizedLayer, x: Int8Array): Int8Array {
  const g = geometry(layer);
  const [N, C] = layer.inputShape;
  const O = layer.outputShape[1];
  const mult = layer.depthMultiplier ?? 1;
  const w = layer.weights!;
  const { Ho, Wo, KH, KW, sh, sw, dh, dw, Hp, Wp } = g;
  const zp = layer.outputQ.zeroPoint;
  const lo = layer.actMin;
  const hi = layer.actMax;
  const out = new Int8Array(N * O * Ho * Wo);
  const taps = KH * KW;
  for (let n = 0; n < N; n++) {
    const padded = paddedPlanes(x, layer.inputQ.zeroPoint, g, C, n);
    for (let o = 0; o < O; o++) {
      const plane = Math.floor(o / mult) * Hp * Wp;
      const b = layer.bias![o];
      const m = layer.multiplier![o];
      const e = layer.shift![o];
      let y = (n * O + o) * Ho * Wo;
      if (KH === 3 && KW === 3 && dh === 1 && dw === 1) {
        const wo = o * 9;
        const w00 = w[wo], w01 = w[wo + 1], w02 = w[wo + 2];
        const w10 = w[wo + 3], w11 = w[wo + 4], w12 = w[wo + 5];
        const w20 = w[wo + 6], w21 = w[wo + 7], w22 = w[wo + 8];
        for (let oh = 0; oh < Ho; oh++) {
          const r0 = plane + oh * sh * Wp, r1 = r0 + Wp, r2 = r1 + Wp;
          if (sw === 1) {
            // Slide along the row: each output loads the window's new column only.
            let a0 = padded[r0], a1 = padded[r0 + 1], b0 = padded[r1], b1 = padded[r1 + 1], c0 = padded[r2], c1 = padded[r2 + 1];
            for (let ow = 0; ow < Wo; ow++) {
              const a2 = padded[r0 + ow + 2], b2 = padded[r1 + ow + 2], c2 = padded[r2 + ow + 2];
              const s = b + w00 * a0 + w01 * a1 + w02 * a2 + w10 * b0 + w11 * b1 + w12 * b2 + w20 * c0 + w21 * c1 + w22 * c2;
              out[y++] = requantize(s, m, e, zp, lo, hi);
              a0 = a1; a1 = a2; b0 = b1; b1 = b2; c0 = c1; c1 = c2;
            }
            continue;
          }
          for (let ow = 0, col = 0; ow < Wo; ow++, col += sw) {
            const s = b
              + w00 * padded[r0 + col] + w01 * padded[r0 + col + 1] + w02 * padded[r0 + col + 2]
              + w10 * padded[r1 + col] + w11 * padded[r1 + col + 1] + w12 * padded[r1 + col + 2]
              + w20 * padded[r2 + col] + w21 * padded[r2 + col + 1] + w22 * padded[r2 + col + 2];
            out[y++] = requantize(s, m, e, zp, lo, hi);
          }
        }
      } else {
        for (let oh = 0; oh < Ho; oh++) {
          for (let ow = 0; ow < Wo; ow++) {
            let s = b;
            for (let t = 0; t < taps; t++) {
              const i = Math.floor(t / KW);
              const j = t - i * KW;
              s += w[o * taps + t] * padded[plane + (oh * sh + i * dh) * Wp + ow * sw + j * dw];
            }
            out[y++] = requantize(s, m, e, zp, lo, hi);
          }
        }
      }
    }
  }
  return out;
}

/**
 * int8 average_pool / global_average_pool reference, as TFLite: input and output share scale and
 * zero point, so the output is the rounded integer mean of the raw int8 values:
 *   sum over the window, count = counted positions, out = clamp(roundedMean(sum, count), actMin, actMax).
 * count_include_pad = 0: only positions inside the input count. = 1: the window clipped to the
 * padded input counts, each padded position contributing the zero point (real 0), matching the
 * float kernel (src/ops/kernels/pool.ts).
 */
import { roundedMean } from '../arith.js';
import type { QuantizedLayer } from '../types.js';

export function averagePoolInt8(layer: QuantizedLayer, x: Int8Array): Int8Array {
  const [N, C, H, W] = layer.inputShape;
  const [, , Ho, Wo] = layer.outputShape;
  const [KH, KW] = layer.kernel!;
  const [sh, sw] = layer.strides ?? [1, 1];
  const [pt, pl, pb, pr] = layer.pads ?? [0, 0, 0, 0];
  const includePad = layer.countIncludePad === 1;
  const zp = layer.inputQ.zeroPoint;
  const out = new Int8Array(N * C * Ho * Wo);
  for (let nc = 0; nc < N * C; nc++) {
    const xBase = nc * H * W;
    const yBase = nc * Ho * Wo;
    for (let oh = 0; oh < Ho; oh++) {
      const h0 = oh * sh - pt;
      const h1 = Math.min(h0 + KH, H + pb);
      const hs = Math.max(h0, 0);
      const he = Math.min(h1, H);
      for (let ow = 0; ow < Wo; ow++) {
        const w0 = ow * sw - pl;
        const w1 = Math.min(w0 + KW, W + pr);
        const ws = Math.max(w0, 0);
        const we = Math.min(w1, W);
        let sum = 0;
        for (let h = hs; h < he; h++) for (let w = ws; w < we; w++) sum += x[xBase + h * W + w];
        const valid = (he - hs) * (we - ws);
        let count = valid;
        if (includePad) {
          count = (h1 - h0) * (w1 - w0);
          sum += (count - valid) * zp;
        }
        let v = count > 0 ? roundedMean(sum, count) : zp;
        if (v < layer.actMin) v = layer.actMin;
        else if (v > layer.actMax) v = layer.actMax;
        out[yBase + oh * Wo + ow] = v;
      }
    }
  }
  return out;
}

/** int8 depthwise_conv2d reference: output channel o reads input channel floor(o / depthMultiplier) (see conv_common.ts). */
import type { QuantizedLayer } from '../types.js';
import { accumulateTap, geometry } from './conv_common.js';
import { requantizeInto, subtractZeroPoint } from './requantize.js';

export function depthwiseConv2dInt8(layer: QuantizedLayer, x: Int8Array): Int8Array {
  const g = geometry(layer);
  const [N, C] = layer.inputShape;
  const O = layer.outputShape[1];
  const mult = layer.depthMultiplier ?? 1;
  const w = layer.weights!;
  const bias = layer.bias!;
  const xc = subtractZeroPoint(x, layer.inputQ.zeroPoint);
  const planeOut = g.Ho * g.Wo;
  const out = new Int8Array(N * O * planeOut);
  const acc = new Int32Array(planeOut);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const c = Math.floor(o / mult);
      const plane = (n * C + c) * g.H * g.W;
      acc.fill(bias[o]);
      for (let i = 0; i < g.KH; i++) {
        for (let j = 0; j < g.KW; j++) {
          const wv = w[(o * g.KH + i) * g.KW + j];
          if (wv !== 0) accumulateTap(acc, xc, plane, wv, i, j, g);
        }
      }
      requantizeInto(acc, planeOut, layer.multiplier![o], layer.shift![o], layer.outputQ.zeroPoint, layer.actMin, layer.actMax, out, (n * O + o) * planeOut);
    }
  }
  return out;
}

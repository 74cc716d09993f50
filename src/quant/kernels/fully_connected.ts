/**
 * int8 fully_connected reference: x flattened row-major to [N, K] (NCHW order for a 4-D input),
 *   acc[n, o] = bias[o] + Σ_k w[o, k] · (x[n, k] − zp_in), requantized per output channel.
 */
import type { QuantizedLayer } from '../types.js';
import { requantizeInto } from './requantize.js';

export function fullyConnectedInt8(layer: QuantizedLayer, x: Int8Array): Int8Array {
  const N = layer.inputShape[0];
  const [O, K] = layer.weightShape!;
  const w = layer.weights!;
  const bias = layer.bias!;
  const zp = layer.inputQ.zeroPoint;
  const out = new Int8Array(N * O);
  const acc = new Int32Array(1);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      let s = bias[o];
      const wBase = o * K;
      const xBase = n * K;
      for (let k = 0; k < K; k++) s += w[wBase + k] * (x[xBase + k] - zp);
      acc[0] = s;
      requantizeInto(acc, 1, layer.multiplier![o], layer.shift![o], layer.outputQ.zeroPoint, layer.actMin, layer.actMax, out, n * O + o);
    }
  }
  return out;
}

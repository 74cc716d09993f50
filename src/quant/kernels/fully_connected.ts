/**
 * int8 fully_connected reference: x flattened row-major to [N, K] (NCHW order for a 4-D input),
 *   acc[n, o] = bias[o] + Σ_k w[o, k] · (x[n, k] − zp_in), requantized per output channel.
 */
import type { QuantizedLayer } from '../types.js';
import { requantize } from './requantize.js';

export function fullyConnectedInt8(layer: QuantizedLayer, x: Int8Array): Int8Array {
  const N = layer.inputShape[0];
  const [O, K] = layer.weightShape!;
  const w = layer.weights!;
  const zp = layer.inputQ.zeroPoint;
  const out = new Int8Array(N * O);
  const xc = new Float64Array(K);
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) xc[k] = x[n * K + k] - zp;
    for (let o = 0; o < O; o++) {
      // Exact in doubles: see conv_common.ts.
      let s = layer.bias![o];
      const wBase = o * K;
      for (let k = 0; k < K; k++) s += w[wBase + k] * xc[k];
      out[n * O + o] = requantize(s, layer.multiplier![o], layer.shift![o], layer.outputQ.zeroPoint, layer.actMin, layer.actMax);
    }
  }
  return out;
}

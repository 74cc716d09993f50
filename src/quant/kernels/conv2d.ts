/** int8 conv2d reference (see conv_common.ts for the arithmetic). */
import type { QuantizedLayer } from '../types.js';
import { accumulateTap, geometry } from './conv_common.js';
import { requantizeInto, subtractZeroPoint } from './requantize.js';

export function conv2dInt8(layer: QuantizedLayer, x: Int8Array): Int8Array {
  const g = geometry(layer);
  const [N, C] = layer.inputShape;
  const O = layer.outputShape[1];
  const w = layer.weights!;
  const bias = layer.bias!;
  const xc = subtractZeroPoint(x, layer.inputQ.zeroPoint);
  const planeOut = g.Ho * g.Wo;
  const out = new Int8Array(N * O * planeOut);
  const acc = new Int32Array(planeOut);
  const taps = g.KH * g.KW;
  const pointwise = taps === 1 && g.sh === 1 && g.sw === 1 && g.pt === 0 && g.pl === 0 && g.Ho === g.H && g.Wo === g.W;
  if (pointwise) {
    for (let n = 0; n < N; n++) pointwiseInt8(layer, xc, n, C, O, planeOut, out);
    return out;
  }
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      acc.fill(bias[o]);
      for (let c = 0; c < C; c++) {
        const plane = (n * C + c) * g.H * g.W;
        for (let i = 0; i < g.KH; i++) {
          for (let j = 0; j < g.KW; j++) {
            const wv = w[((o * C + c) * g.KH + i) * g.KW + j];
            if (wv !== 0) accumulateTap(acc, xc, plane, wv, i, j, g);
          }
        }
      }
      requantizeInto(acc, planeOut, layer.multiplier![o], layer.shift![o], layer.outputQ.zeroPoint, layer.actMin, layer.actMax, out, (n * O + o) * planeOut);
    }
  }
  return out;
}

/**
 * 1×1 stride-1 unpadded conv (MobileNet's pointwise layers, most of its MACs): four output
 * channels at a time so each input value is loaded once per four multiply-accumulates.
 */
function pointwiseInt8(layer: QuantizedLayer, xc: Int16Array, n: number, C: number, O: number, P: number, out: Int8Array): void {
  const w = layer.weights!;
  const bias = layer.bias!;
  const a0 = new Int32Array(P), a1 = new Int32Array(P), a2 = new Int32Array(P), a3 = new Int32Array(P);
  const accs = [a0, a1, a2, a3];
  for (let o = 0; o < O; o += 4) {
    const nb = Math.min(4, O - o);
    for (let k = 0; k < 4; k++) accs[k].fill(k < nb ? bias[o + k] : 0);
    for (let c = 0; c < C; c++) {
      const w0 = w[o * C + c];
      const w1 = nb > 1 ? w[(o + 1) * C + c] : 0;
      const w2 = nb > 2 ? w[(o + 2) * C + c] : 0;
      const w3 = nb > 3 ? w[(o + 3) * C + c] : 0;
      const base = (n * C + c) * P;
      for (let p = 0; p < P; p++) {
        const x = xc[base + p];
        a0[p] += w0 * x;
        a1[p] += w1 * x;
        a2[p] += w2 * x;
        a3[p] += w3 * x;
      }
    }
    for (let k = 0; k < nb; k++) {
      requantizeInto(accs[k], P, layer.multiplier![o + k], layer.shift![o + k], layer.outputQ.zeroPoint, layer.actMin, layer.actMax, out, (n * O + o + k) * P);
    }
  }
}

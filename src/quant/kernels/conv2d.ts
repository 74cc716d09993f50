/**
 * int8 conv2d reference (arithmetic in conv_common.ts) as a matrix product: a 1×1 stride-1
 * unpadded conv (MobileNet's pointwise layers, most of its MACs) multiplies the input planes
 * directly; any other kernel first gathers its input windows (im2col: row k = (c·KH + i)·KW + j,
 * the order of the weights) and multiplies those.
 */
import type { QuantizedLayer } from '../types.js';
import { geometry, paddedPlanes, type Geometry } from './conv_common.js';
import { gemmRequantize, transposedWeights } from './gemm.js';

export function conv2dInt8(layer: QuantizedLayer, x: Int8Array): Int8Array {
  const g = geometry(layer);
  const [N, C] = layer.inputShape;
  const O = layer.outputShape[1];
  const P = g.Ho * g.Wo;
  const K = C * g.KH * g.KW;
  const wt = transposedWeights(layer.weights!, O);
  const out = new Int8Array(N * O * P);
  const pointwise = g.KH === 1 && g.KW === 1 && g.sh === 1 && g.sw === 1 && g.Hp === g.H && g.Wp === g.W && g.Ho === g.H && g.Wo === g.W;
  for (let n = 0; n < N; n++) {
    const planes = paddedPlanes(x, layer.inputQ.zeroPoint, g, C, n);
    gemmRequantize(layer, wt, pointwise ? planes : im2col(planes, g, C), K, O, P, out, n * O * P);
  }
  return out;
}

/** cols[k·P + oh·Wo + ow] = padded[c][oh·sh + i·dh][ow·sw + j·dw] with k = (c·KH + i)·KW + j. */
function im2col(padded: Float32Array, g: Geometry, C: number): Float32Array {
  const P = g.Ho * g.Wo;
  const cols = new Float32Array(C * g.KH * g.KW * P);
  let k = 0;
  for (let c = 0; c < C; c++) {
    for (let i = 0; i < g.KH; i++) {
      for (let j = 0; j < g.KW; j++, k++) {
        const src = c * g.Hp * g.Wp + i * g.dh * g.Wp + j * g.dw;
        let d = k * P;
        for (let oh = 0; oh < g.Ho; oh++) {
          const row = src + oh * g.sh * g.Wp;
          for (let ow = 0; ow < g.Wo; ow++) cols[d++] = padded[row + ow * g.sw];
        }
      }
    }
  }
  return cols;
}

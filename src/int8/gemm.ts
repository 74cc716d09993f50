/**
 * The int8 matrix product behind conv2d (pointwise directly, other kernels after im2col) and
 * fully_connected:
 *   out[outOffset + o·P + p] = requantize(bias[o] + Σ_k w[o, k] · x[k, p]) per output channel o,
 * with w given transposed as wt[k·O + o] and x as x[k·P + p] (both float32 holding the integers
 * w and x − zp_in; exact, see conv_common.ts). Blocks of 4 output channels × 4 positions keep 16
 * accumulators in registers: each step loads 8 values for 16 multiply-accumulates.
 */
import type { LayerBase, WeightedFields } from './types.js';
import { requantize } from './requantize.js';

export function gemmRequantize(layer: LayerBase & WeightedFields, wt: Float32Array, x: Float32Array, K: number, O: number, P: number, out: Int8Array, outOffset: number): void {
  const bias = layer.bias;
  const mult = layer.multiplier;
  const shift = layer.shift;
  const zp = layer.outputQ.zeroPoint;
  const lo = layer.actMin;
  const hi = layer.actMax;
  const O4 = O - (O % 4);
  const P4 = P - (P % 4);
  for (let o = 0; o < O4; o += 4) {
    const b0 = bias[o], b1 = bias[o + 1], b2 = bias[o + 2], b3 = bias[o + 3];
    const m0 = mult[o], m1 = mult[o + 1], m2 = mult[o + 2], m3 = mult[o + 3];
    const e0 = shift[o], e1 = shift[o + 1], e2 = shift[o + 2], e3 = shift[o + 3];
    const r0 = outOffset + o * P, r1 = r0 + P, r2 = r1 + P, r3 = r2 + P;
    for (let p = 0; p < P4; p += 4) {
      let s00 = b0, s01 = b0, s02 = b0, s03 = b0, s10 = b1, s11 = b1, s12 = b1, s13 = b1;
      let s20 = b2, s21 = b2, s22 = b2, s23 = b2, s30 = b3, s31 = b3, s32 = b3, s33 = b3;
      for (let k = 0, xb = p, wb = o; k < K; k++, xb += P, wb += O) {
        const x0 = x[xb], x1 = x[xb + 1], x2 = x[xb + 2], x3 = x[xb + 3];
        const w0 = wt[wb], w1 = wt[wb + 1], w2 = wt[wb + 2], w3 = wt[wb + 3];
        s00 += w0 * x0; s01 += w0 * x1; s02 += w0 * x2; s03 += w0 * x3;
        s10 += w1 * x0; s11 += w1 * x1; s12 += w1 * x2; s13 += w1 * x3;
        s20 += w2 * x0; s21 += w2 * x1; s22 += w2 * x2; s23 += w2 * x3;
        s30 += w3 * x0; s31 += w3 * x1; s32 += w3 * x2; s33 += w3 * x3;
      }
      out[r0 + p] = requantize(s00, m0, e0, zp, lo, hi); out[r0 + p + 1] = requantize(s01, m0, e0, zp, lo, hi);
      out[r0 + p + 2] = requantize(s02, m0, e0, zp, lo, hi); out[r0 + p + 3] = requantize(s03, m0, e0, zp, lo, hi);
      out[r1 + p] = requantize(s10, m1, e1, zp, lo, hi); out[r1 + p + 1] = requantize(s11, m1, e1, zp, lo, hi);
      out[r1 + p + 2] = requantize(s12, m1, e1, zp, lo, hi); out[r1 + p + 3] = requantize(s13, m1, e1, zp, lo, hi);
      out[r2 + p] = requantize(s20, m2, e2, zp, lo, hi); out[r2 + p + 1] = requantize(s21, m2, e2, zp, lo, hi);
      out[r2 + p + 2] = requantize(s22, m2, e2, zp, lo, hi); out[r2 + p + 3] = requantize(s23, m2, e2, zp, lo, hi);
      out[r3 + p] = requantize(s30, m3, e3, zp, lo, hi); out[r3 + p + 1] = requantize(s31, m3, e3, zp, lo, hi);
      out[r3 + p + 2] = requantize(s32, m3, e3, zp, lo, hi); out[r3 + p + 3] = requantize(s33, m3, e3, zp, lo, hi);
    }
    for (let q = o; q < o + 4; q++) gemmColumnsTail(layer, wt, x, K, O, P, q, P4, out, outOffset);
  }
  for (let q = O4; q < O; q++) gemmColumnsTail(layer, wt, x, K, O, P, q, 0, out, outOffset);
}

/** Output channel o at positions [p0, P), one at a time (the block remainders). */
function gemmColumnsTail(layer: LayerBase & WeightedFields, wt: Float32Array, x: Float32Array, K: number, O: number, P: number, o: number, p0: number, out: Int8Array, outOffset: number): void {
  const m = layer.multiplier[o];
  const e = layer.shift[o];
  for (let p = p0; p < P; p++) {
    let s = layer.bias[o];
    for (let k = 0; k < K; k++) s += wt[k * O + o] * x[k * P + p];
    out[outOffset + o * P + p] = requantize(s, m, e, layer.outputQ.zeroPoint, layer.actMin, layer.actMax);
  }
}

/**
 * The layer's weights [O][K] (K = everything after the output channel) as wt[k·O + o] in float32.
 * Not cached: O·K steps against the product's O·K·P, and layers are plain data a caller may edit.
 */
export function transposedWeights(w: Int8Array, O: number): Float32Array {
  const K = w.length / O;
  const wt = new Float32Array(w.length);
  for (let o = 0; o < O; o++) for (let k = 0; k < K; k++) wt[k * O + o] = w[o * K + k];
  return wt;
}

/**
 * What calibration hands the quantizer (CalibrationStats), and the window statistics bias
 * correction is built on: for a node that slides a window over its input (conv2d, depthwise) or
 * reads it as features (fully_connected), the mean of the input seen through each tap. The mean
 * output shift that weight rounding causes is Σ Δw · window mean (see weighted.ts).
 *
 * The op files say which window a node has (Int8OpDef.calibrationWindow); src/quant/calibrate.ts
 * accumulates the float means, and the empirical bias correction asks for the same sums of the
 * int8 tensors (Int8CalibrationRequest), answered in-thread or by worker threads.
 */
import type { QuantizedLayer, Range } from './types.js';

export interface CalibrationStats {
  /** The observer used for the activations ('minmax', 'percentile', 'entropy', 'mse'). */
  readonly method: string;
  /** Number of calibration inputs seen (batch items). */
  readonly count: number;
  /** Observed range of every activation tensor (graph inputs and node outputs). */
  readonly ranges: ReadonlyMap<string, Range>;
  /**
   * Per node with a calibration window (by node name): the mean over output positions and inputs of
   * the input value under each tap, zero for padded taps. Windows: [C, kh, kw]; features: [K].
   */
  readonly windowMeans: ReadonlyMap<string, Float64Array>;
  /** Seconds spent. */
  readonly seconds: number;
}

/** How a node reads its (first) input, for window means: a sliding window, or one tap per feature. */
export type WindowSpec =
  | { readonly kind: 'window'; readonly kernel: readonly number[]; readonly strides: readonly number[]; readonly pads: readonly number[]; readonly dilations: readonly number[] }
  | { readonly kind: 'features' };

/** Where a node's window taps read its input: a fully connected layer is one tap per feature. */
export interface WindowGeometry {
  readonly N: number; readonly C: number; readonly H: number; readonly W: number;
  readonly KH: number; readonly KW: number; readonly Ho: number; readonly Wo: number;
  readonly sh: number; readonly sw: number; readonly pt: number; readonly pl: number; readonly dh: number; readonly dw: number;
  readonly fullyConnected: boolean;
  /** Accumulator length: C·KH·KW, or the feature count K of a fully connected layer. */
  readonly taps: number;
}

/**
 * What the empirical bias correction asks of the int8 calibration tensors, layer by layer: the
 * window sums of a tensor over every calibration input (raw int8 values; exact integer sums, so the
 * result does not depend on how the inputs are split), running a quantized layer on every input,
 * and dropping a tensor after its last reader.
 */
export type Int8CalibrationRequest =
  | { readonly kind: 'sums'; readonly tensor: string; readonly geometry: WindowGeometry }
  | { readonly kind: 'run'; readonly layer: QuantizedLayer }
  | { readonly kind: 'drop'; readonly tensor: string };

/** The window geometry of `spec` over an input of NCHW `shape` (or any shape, for features). */
export function windowGeometry(spec: WindowSpec, shape: readonly number[]): WindowGeometry {
  if (spec.kind === 'features') {
    const K = shape.slice(1).reduce((a, b) => a * b, 1);
    return { N: shape[0], C: K, H: 1, W: 1, KH: 1, KW: 1, Ho: 1, Wo: 1, sh: 1, sw: 1, pt: 0, pl: 0, dh: 1, dw: 1, fullyConnected: true, taps: K };
  }
  const [N, C, H, W] = shape;
  const { strides, pads, dilations: dil } = spec;
  const [KH, KW] = spec.kernel;
  const Ho = Math.floor((H + pads[0] + pads[2] - ((KH - 1) * dil[0] + 1)) / strides[0]) + 1;
  const Wo = Math.floor((W + pads[1] + pads[3] - ((KW - 1) * dil[1] + 1)) / strides[1]) + 1;
  return {
    N, C, H, W, KH, KW, Ho, Wo, sh: strides[0], sw: strides[1], pt: pads[0], pl: pads[1], dh: dil[0], dw: dil[1],
    fullyConnected: false, taps: C * KH * KW,
  };
}

/** The output indices [lo, hi] whose tap at offset `off` (i·d − pad) reads inside [0, L): off + o·s ∈ [0, L). */
function validOutputs(off: number, s: number, L: number, Lo: number): [number, number] {
  return [Math.max(0, Math.ceil(-off / s)), Math.min(Lo - 1, Math.floor((L - 1 - off) / s))];
}

/** Per image and channel, how many output positions read tap (i, j) inside the input (the rest read padding). */
export function windowValidCounts(w: WindowGeometry): Float64Array {
  const out = new Float64Array(w.KH * w.KW);
  for (let i = 0; i < w.KH; i++) {
    const [hLo, hHi] = validOutputs(i * w.dh - w.pt, w.sh, w.H, w.Ho);
    for (let j = 0; j < w.KW; j++) {
      const [wLo, wHi] = validOutputs(j * w.dw - w.pl, w.sw, w.W, w.Wo);
      out[i * w.KW + j] = Math.max(0, hHi - hLo + 1) * Math.max(0, wHi - wLo + 1);
    }
  }
  return out;
}

/**
 * s[c·KH·KW + i·KW + j] += Σ over the batch and the output positions whose tap (i, j) reads inside
 * the input of that input value (float activations or raw int8 values alike). Row sums over the
 * columns a kw tap visits, then summed over the rows a kh tap visits: O(KW·H·W) per channel.
 */
export function addWindowSums(data: ArrayLike<number>, w: WindowGeometry, s: Float64Array): void {
  const { N, C, H, W, KH, KW, Ho, Wo, sh, sw, pt, pl, dh, dw } = w;
  // A tensor of another size would read past its end: NaN sums, then a NaN bias far from the cause.
  const expected = w.fullyConnected ? N * C : N * C * H * W;
  if (data.length !== expected) throw new Error(`window sums: a tensor of ${data.length} values, the window expects ${expected}`);
  if (w.fullyConnected) {
    for (let n = 0; n < N; n++) for (let k = 0; k < C; k++) s[k] += data[n * C + k];
    return;
  }
  const rowSum = new Float64Array(H);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const base = (n * C + c) * H * W;
      for (let j = 0; j < KW; j++) {
        const off = j * dw - pl;
        const [wLo, wHi] = validOutputs(off, sw, W, Wo);
        for (let h = 0; h < H; h++) {
          let acc = 0;
          const row = base + h * W + off;
          for (let ow = wLo; ow <= wHi; ow++) acc += data[row + ow * sw];
          rowSum[h] = acc;
        }
        for (let i = 0; i < KH; i++) {
          const offH = i * dh - pt;
          const [hLo, hHi] = validOutputs(offH, sh, H, Ho);
          let acc = 0;
          for (let oh = hLo; oh <= hHi; oh++) acc += rowSum[offH + oh * sh];
          s[(c * KH + i) * KW + j] += acc;
        }
      }
    }
  }
}

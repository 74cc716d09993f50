/** Float 2-D pooling (NCHW), shared by the ONNX pool ops and the canonical average_pool. */

export interface PoolParams {
  kernel: [number, number];
  strides: [number, number];
  /** [top, left, bottom, right] */
  pads: [number, number, number, number];
  /** Average pooling: divide by the full window including padding (ONNX count_include_pad = 1). */
  countIncludePad: boolean;
  /** ONNX ceil_mode: output size rounds up; a window must still start inside input + begin pad. */
  ceilMode?: boolean;
}

function poolOutputSize(inSize: number, k: number, s: number, padBegin: number, padEnd: number, ceil: boolean): number {
  const span = inSize + padBegin + padEnd - k;
  if (!ceil) return Math.floor(span / s) + 1;
  let out = Math.ceil(span / s) + 1;
  // The last window must start inside the input or the begin padding (as onnxruntime and PyTorch do).
  if ((out - 1) * s >= inSize + padBegin) out--;
  return out;
}

/** [N, C, Ho, Wo] for x [N, C, H, W]. */
export function poolOutputShape(xShape: readonly number[], p: PoolParams): number[] {
  const [n, c, h, w] = xShape;
  const ceil = p.ceilMode ?? false;
  return [
    n,
    c,
    poolOutputSize(h, p.kernel[0], p.strides[0], p.pads[0], p.pads[2], ceil),
    poolOutputSize(w, p.kernel[1], p.strides[1], p.pads[1], p.pads[3], ceil),
  ];
}

/**
 * Average or max pooling. Padding never contributes to a max; for an average it counts in the
 * divisor only with countIncludePad (and then only up to the end padding, as onnxruntime does,
 * so a ceil_mode window that runs past the padding is not over-counted).
 */
export function poolFloat(kind: 'avg' | 'max', x: Float32Array, xShape: readonly number[], p: PoolParams): Float32Array {
  const [N, C, H, W] = xShape;
  const [, , Ho, Wo] = poolOutputShape(xShape, p);
  const [KH, KW] = p.kernel;
  const [sh, sw] = p.strides;
  const [pt, pl, pb, pr] = p.pads;
  const y = new Float32Array(N * C * Ho * Wo);
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
        let v: number;
        if (kind === 'max') {
          v = -Infinity;
          for (let ih = hs; ih < he; ih++) {
            for (let iw = ws; iw < we; iw++) {
              const e = x[xBase + ih * W + iw];
              if (e > v || Number.isNaN(e)) v = e;
            }
          }
        } else {
          let sum = 0;
          for (let ih = hs; ih < he; ih++) for (let iw = ws; iw < we; iw++) sum += x[xBase + ih * W + iw];
          const count = p.countIncludePad ? (h1 - h0) * (w1 - w0) : (he - hs) * (we - ws);
          v = count > 0 ? sum / count : 0;
        }
        y[yBase + oh * Wo + ow] = v;
      }
    }
  }
  return y;
}

/** Mean over each (n, c) plane: x [N, C, ...spatial] → [N, C] values (shape [N, C, 1, ...] to the caller). */
export function globalAveragePoolFloat(x: Float32Array, n: number, c: number, plane: number): Float32Array {
  const y = new Float32Array(n * c);
  for (let i = 0; i < n * c; i++) {
    let sum = 0;
    const base = i * plane;
    for (let j = 0; j < plane; j++) sum += x[base + j];
    y[i] = sum / plane;
  }
  return y;
}

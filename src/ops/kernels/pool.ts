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

/** The windows of a pooling along one axis (see forEachPoolWindow). */
interface PoolAxis {
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly span: Int32Array;
}

/**
 * For every output index o: the window [o·stride − padBegin, + kernel) clipped to the padded input
 * (end at size + padEnd) has span[o] positions, padding included; clipped to the input itself it
 * is [start[o], end[o]).
 */
function poolAxis(size: number, outSize: number, kernel: number, stride: number, padBegin: number, padEnd: number): PoolAxis {
  const start = new Int32Array(outSize);
  const end = new Int32Array(outSize);
  const span = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const first = o * stride - padBegin;
    // Not past the end padding: a ceil_mode window may run further (onnxruntime counts only this far).
    const last = Math.min(first + kernel, size + padEnd);
    // Clamped so that a window lying wholly in the padding (pads ≥ kernel, e.g. a merged Pad) is
    // empty, start = end, rather than of negative length.
    start[o] = Math.min(Math.max(first, 0), size);
    end[o] = Math.max(start[o], Math.min(last, size));
    span[o] = last - first;
  }
  return { start, end, span };
}

/** One pooling window, as forEachPoolWindow passes it (the same object, updated, for every window). */
export interface PoolWindow {
  /** Index of the output element (NCHW order). */
  out: number;
  /** Index in x of the first element of the window's (n, c) plane. */
  plane: number;
  /** The window inside the input: rows [h0, h1) and columns [w0, w1) of the plane (empty when all padding). */
  h0: number;
  h1: number;
  w0: number;
  w1: number;
  /** Positions of the window clipped to the padded input, padding included (count_include_pad's divisor). */
  padded: number;
}

/**
 * Visits the windows of a 2-D pooling of x [N, C, H, W] into [N, C, Ho, Wo] in output order: the
 * window geometry shared by the float kernel below and the int8 average pool
 * (src/ops/average_pool.ts). pads [top, left, bottom, right].
 */
export function forEachPoolWindow(
  inShape: readonly number[],
  outShape: readonly number[],
  kernel: readonly number[],
  strides: readonly number[],
  pads: readonly number[],
  visit: (w: Readonly<PoolWindow>) => void,
): void {
  const [N, C, H, W] = inShape;
  const [, , Ho, Wo] = outShape;
  const rows = poolAxis(H, Ho, kernel[0], strides[0], pads[0], pads[2]);
  const cols = poolAxis(W, Wo, kernel[1], strides[1], pads[1], pads[3]);
  const win: PoolWindow = { out: 0, plane: 0, h0: 0, h1: 0, w0: 0, w1: 0, padded: 0 };
  for (let nc = 0; nc < N * C; nc++) {
    win.plane = nc * H * W;
    for (let oh = 0; oh < Ho; oh++) {
      win.h0 = rows.start[oh];
      win.h1 = rows.end[oh];
      for (let ow = 0; ow < Wo; ow++) {
        win.w0 = cols.start[ow];
        win.w1 = cols.end[ow];
        win.padded = rows.span[oh] * cols.span[ow];
        visit(win);
        win.out++;
      }
    }
  }
}

/**
 * Average or max pooling. Padding never contributes to a max; for an average it counts in the
 * divisor only with countIncludePad (and then only up to the end padding, as onnxruntime does,
 * so a ceil_mode window that runs past the padding is not over-counted).
 */
export function poolFloat(kind: 'avg' | 'max', x: Float32Array, xShape: readonly number[], p: PoolParams): Float32Array {
  const W = xShape[3];
  const yShape = poolOutputShape(xShape, p);
  const y = new Float32Array(yShape[0] * yShape[1] * yShape[2] * yShape[3]);
  forEachPoolWindow(xShape, yShape, p.kernel, p.strides, p.pads, ({ out, plane, h0, h1, w0, w1, padded }) => {
    let v: number;
    if (kind === 'max') {
      v = -Infinity;
      for (let ih = h0; ih < h1; ih++) {
        for (let iw = w0; iw < w1; iw++) {
          const e = x[plane + ih * W + iw];
          if (e > v || Number.isNaN(e)) v = e;
        }
      }
    } else {
      let sum = 0;
      for (let ih = h0; ih < h1; ih++) for (let iw = w0; iw < w1; iw++) sum += x[plane + ih * W + iw];
      const count = p.countIncludePad ? padded : (h1 - h0) * (w1 - w0);
      v = count > 0 ? sum / count : 0;
    }
    y[out] = v;
  });
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

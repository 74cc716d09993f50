/**
 * Float 2-D convolution (NCHW, weights OIHW), shared by the ONNX Conv op, the canonical conv ops
 * and calibration. Accumulates in float64 and rounds once to float32 at the end, so the result
 * does not depend on summation order beyond float64 rounding (within ~1e-6 of onnxruntime).
 */

export interface ConvParams {
  strides: [number, number];
  /** [top, left, bottom, right] */
  pads: [number, number, number, number];
  dilations: [number, number];
  group: number;
}

/** Output size of one spatial axis: floor((in + padBegin + padEnd − dilated kernel) / stride) + 1. */
export function convOutputSize(inSize: number, kernel: number, stride: number, padBegin: number, padEnd: number, dilation: number): number {
  const effective = (kernel - 1) * dilation + 1;
  return Math.floor((inSize + padBegin + padEnd - effective) / stride) + 1;
}

/** [N, O, Ho, Wo] for x [N, C, H, W] and w [O, C/group, kh, kw]. */
export function convOutputShape(xShape: readonly number[], wShape: readonly number[], p: ConvParams): number[] {
  const [n, , h, w] = xShape;
  const [o, , kh, kw] = wShape;
  return [
    n,
    o,
    convOutputSize(h, kh, p.strides[0], p.pads[0], p.pads[2], p.dilations[0]),
    convOutputSize(w, kw, p.strides[1], p.pads[1], p.pads[3], p.dilations[1]),
  ];
}

/**
 * Explicit pads [t, l, b, r] for an ONNX auto_pad mode. SAME_* gives output = ceil(in / stride);
 * the odd pad goes at the end for SAME_UPPER and at the start for SAME_LOWER. 'NOTSET' returns
 * undefined (the caller uses the explicit pads), 'VALID' zeros.
 */
export function resolveAutoPad(
  autoPad: string,
  inHW: readonly [number, number] | readonly number[],
  kernel: readonly [number, number] | readonly number[],
  strides: readonly [number, number] | readonly number[],
  dilations: readonly [number, number] | readonly number[] = [1, 1],
): [number, number, number, number] | undefined {
  if (autoPad === 'NOTSET' || autoPad === '') return undefined;
  if (autoPad === 'VALID') return [0, 0, 0, 0];
  if (autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER') throw new Error(`unknown auto_pad '${autoPad}'`);
  const begin: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < 2; i++) {
    const out = Math.ceil(inHW[i] / strides[i]);
    const effective = (kernel[i] - 1) * dilations[i] + 1;
    const total = Math.max(0, (out - 1) * strides[i] + effective - inHW[i]);
    const small = Math.floor(total / 2);
    if (autoPad === 'SAME_UPPER') {
      begin.push(small);
      end.push(total - small);
    } else {
      begin.push(total - small);
      end.push(small);
    }
  }
  return [begin[0], begin[1], end[0], end[1]];
}

/**
 * y = conv(x, w) + b. x [N, C, H, W], w [O, C/group, kh, kw], b [O] or undefined.
 * Depthwise-style convs (one input channel per group) run directly on a zero-padded copy of each
 * input plane. All other convs (pointwise, regular, grouped) go through im2col: each output pixel's
 * receptive field is gathered into a contiguous row, and each output is a dot product of that row
 * with a contiguous weight row, four output channels at a time so each loaded input value feeds
 * four multiply-adds. Sums are JS doubles, rounded to float32 once at the end.
 */
export function convFloat(
  x: Float32Array,
  xShape: readonly number[],
  w: Float32Array,
  wShape: readonly number[],
  b: Float32Array | undefined,
  p: ConvParams,
): Float32Array {
  const [N, C, H, W] = xShape;
  const [O, Cg, KH, KW] = wShape;
  const G = p.group;
  if (C !== Cg * G || O % G !== 0) throw new Error(`convFloat: x has ${C} channels, w [${wShape}], group ${G}`);
  if (x.length !== N * C * H * W || w.length !== O * Cg * KH * KW) throw new Error('convFloat: data length does not match shape');
  const [, , Ho, Wo] = convOutputShape(xShape, wShape, p);
  if (Ho < 1 || Wo < 1) throw new Error(`convFloat: empty output ${Ho}×${Wo}`);
  const y = new Float32Array(N * O * Ho * Wo);
  for (let n = 0; n < N; n++) {
    const xn = x.subarray(n * C * H * W, (n + 1) * C * H * W);
    const yn = y.subarray(n * O * Ho * Wo, (n + 1) * O * Ho * Wo);
    if (Cg === 1) depthwise(xn, C, H, W, w, O / G, KH, KW, b, p, Ho, Wo, yn);
    else {
      const Og = O / G;
      const plane = Ho * Wo;
      for (let g = 0; g < G; g++) {
        const cols = im2col(xn.subarray(g * Cg * H * W, (g + 1) * Cg * H * W), Cg, H, W, KH, KW, p, Ho, Wo);
        const wg = w.subarray(g * Og * Cg * KH * KW, (g + 1) * Og * Cg * KH * KW);
        const bg = b ? b.subarray(g * Og, (g + 1) * Og) : undefined;
        dotRows(cols, plane, wg, Og, Cg * KH * KW, bg, yn.subarray(g * Og * plane, (g + 1) * Og * plane));
      }
    }
  }
  return y;
}

/** cols [Ho·Wo, Cg·KH·KW]: row p holds the (zero-padded) receptive field of output pixel p. */
function im2col(x: Float32Array, Cg: number, H: number, W: number, KH: number, KW: number, p: ConvParams, Ho: number, Wo: number): Float32Array {
  const [sh, sw] = p.strides;
  const [pt, pl] = p.pads;
  const [dh, dw] = p.dilations;
  const K = Cg * KH * KW;
  // Pointwise, stride 1, no padding: im2col is a plain transpose [C, HW] → [HW, C].
  if (KH === 1 && KW === 1 && sh === 1 && sw === 1 && pt === 0 && pl === 0 && Ho === H && Wo === W) {
    const plane = H * W;
    const cols = new Float32Array(plane * Cg);
    for (let c = 0; c < Cg; c++) {
      const base = c * plane;
      for (let i = 0; i < plane; i++) cols[i * Cg + c] = x[base + i];
    }
    return cols;
  }
  const cols = new Float32Array(Ho * Wo * K);
  for (let oh = 0; oh < Ho; oh++) {
    for (let ow = 0; ow < Wo; ow++) {
      let dst = (oh * Wo + ow) * K;
      for (let c = 0; c < Cg; c++) {
        const xc = c * H * W;
        for (let kh = 0; kh < KH; kh++) {
          const ih = oh * sh - pt + kh * dh;
          if (ih < 0 || ih >= H) {
            dst += KW; // zeros already
            continue;
          }
          const row = xc + ih * W;
          for (let kw = 0; kw < KW; kw++, dst++) {
            const iw = ow * sw - pl + kw * dw;
            if (iw >= 0 && iw < W) cols[dst] = x[row + iw];
          }
        }
      }
    }
  }
  return cols;
}

/**
 * y[o, p] = b[o] + Σ_k w[o, k] · cols[p, k] for o < O, p < P, in blocks of 4 outputs × 2 pixels
 * (8 running sums: each loaded value feeds 2 or 4 multiply-adds). The larger operand is streamed
 * once and the smaller re-read from cache: pixel-major when the weights are the smaller.
 */
function dotRows(cols: Float32Array, P: number, w: Float32Array, O: number, K: number, b: Float32Array | undefined, y: Float32Array): void {
  const O4 = O - (O % 4);
  const P2 = P - (P % 2);
  const bias = b ?? new Float32Array(O);
  const block = (o: number, pix: number): void => {
    const c0 = pix * K;
    const c1 = c0 + K;
    const w0 = o * K;
    const w1 = w0 + K;
    const w2 = w1 + K;
    const w3 = w2 + K;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0, t0 = 0, t1 = 0, t2 = 0, t3 = 0;
    for (let k = 0; k < K; k++) {
      const u = cols[c0 + k];
      const v = cols[c1 + k];
      const a0 = w[w0 + k], a1 = w[w1 + k], a2 = w[w2 + k], a3 = w[w3 + k];
      s0 += a0 * u; s1 += a1 * u; s2 += a2 * u; s3 += a3 * u;
      t0 += a0 * v; t1 += a1 * v; t2 += a2 * v; t3 += a3 * v;
    }
    const yb = o * P + pix;
    y[yb] = bias[o] + s0;
    y[yb + 1] = bias[o] + t0;
    y[yb + P] = bias[o + 1] + s1;
    y[yb + P + 1] = bias[o + 1] + t1;
    y[yb + 2 * P] = bias[o + 2] + s2;
    y[yb + 2 * P + 1] = bias[o + 2] + t2;
    y[yb + 3 * P] = bias[o + 3] + s3;
    y[yb + 3 * P + 1] = bias[o + 3] + t3;
  };
  const single = (o: number, pix: number): void => {
    const cb = pix * K;
    const wb = o * K;
    let s = 0;
    for (let k = 0; k < K; k++) s += w[wb + k] * cols[cb + k];
    y[o * P + pix] = bias[o] + s;
  };
  const tails = (): void => {
    for (let o = O4; o < O; o++) for (let pix = 0; pix < P; pix++) single(o, pix);
    if (P2 < P) for (let o = 0; o < O4; o++) single(o, P2);
  };
  if (w.length <= cols.length) {
    for (let pix = 0; pix < P2; pix += 2) for (let o = 0; o < O4; o += 4) block(o, pix);
  } else {
    for (let o = 0; o < O4; o += 4) for (let pix = 0; pix < P2; pix += 2) block(o, pix);
  }
  tails();
}

/** One input channel per group (depthwise; M = outputs per input channel, the depth multiplier). */
function depthwise(
  x: Float32Array, C: number, H: number, W: number, w: Float32Array, M: number, KH: number, KW: number,
  b: Float32Array | undefined, p: ConvParams, Ho: number, Wo: number, y: Float32Array,
): void {
  const [sh, sw] = p.strides;
  const [pt, pl, pb, pr] = p.pads;
  const [dh, dw] = p.dilations;
  const Hp = H + pt + pb;
  const Wp = W + pl + pr;
  const padded = new Float32Array(Hp * Wp);
  const taps = KH * KW;
  const offs = new Int32Array(taps);
  for (let kh = 0; kh < KH; kh++) for (let kw = 0; kw < KW; kw++) offs[kh * KW + kw] = kh * dh * Wp + kw * dw;
  const wk = new Float64Array(taps);
  for (let c = 0; c < C; c++) {
    // Copy the plane into the interior of a zero border so the inner loop has no bounds checks.
    for (let ih = 0; ih < H; ih++) padded.set(x.subarray((c * H + ih) * W, (c * H + ih + 1) * W), (ih + pt) * Wp + pl);
    for (let m = 0; m < M; m++) {
      const o = c * M + m;
      for (let t = 0; t < taps; t++) wk[t] = w[o * taps + t];
      const bias = b ? b[o] : 0;
      const yb = o * Ho * Wo;
      for (let oh = 0; oh < Ho; oh++) {
        const rowBase = oh * sh * Wp;
        for (let ow = 0; ow < Wo; ow++) {
          const base = rowBase + ow * sw;
          let s = 0;
          for (let t = 0; t < taps; t++) s += wk[t] * padded[base + offs[t]];
          y[yb + oh * Wo + ow] = bias + s;
        }
      }
    }
  }
}

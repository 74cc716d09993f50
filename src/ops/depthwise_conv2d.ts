/**
 * depthwise_conv2d — the canonical depthwise convolution (ONNX Conv with group = C_in), NCHW.
 * Inputs [x (N,C,H,W), w (C·depth_multiplier, 1, kh, kw), b (C·depth_multiplier)]; output channel
 * o reads input channel floor(o / depth_multiplier). Attributes as conv2d (strides, pads [t,l,b,r],
 * dilations, act_min, act_max) plus depth_multiplier (1 for MobileNet).
 *
 * int8 (arithmetic in src/quant/kernels/conv_common.ts): a 3×3 undilated kernel (all of
 * MobileNet's) keeps its nine weights in registers; other kernels take the general loop. C kernels
 * (weights 1HWC): onnx2mcu_dw_conv_3x3_s8 for 3×3, multiplier 1, undilated, pads ≤ 1 — row-buffered,
 * so with stride 1 and the same shape it may run in place —, onnx2mcu_dw_conv_s8 otherwise.
 * channel_affine (a BatchNormalization with nothing to fold into) quantizes to this layer too.
 */
import type { LayerBase, WeightedFields, WindowFields } from '../int8/types.js';
import { geometry, paddedPlanes } from '../int8/conv_common.js';
import { requantize } from '../int8/requantize.js';
import { constantInput, layerBase, quantizeWeighted } from '../int8/quantize_layer.js';
import type { CDims, CKernelEmitter, CLayer, CRuntime, LowerContext } from '../cgen/c_layer.js';
import type { AccessOrder } from '../cgen/access.js';
import { designated, fastRequant, kernelCall, rowWindow, windowText } from '../cgen/c_layer.js';
import type { OpDef } from './common/op.js';
import { withActivation } from './common/onnx_form.js';
import { checkConvLike, convCost, convParamsMembers, convQdq, convWindowSpec, depthMultiplier, evalConvLike, onnxConvAttrs, weightedCLayer, windowAccess, windowFields } from './conv2d.js';

/** The int8 depthwise layer: per-channel weights (C·mult, 1, kh, kw) over a sliding window. */
export interface DepthwiseConv2dLayer extends LayerBase<'depthwise_conv2d'>, WeightedFields, WindowFields {
  /** Output channel oc reads input channel floor(oc / depthMultiplier). */
  readonly depthMultiplier: number;
}

declare module '../int8/types.js' {
  interface QuantizedLayers {
    depthwise_conv2d: DepthwiseConv2dLayer;
  }
}

export const depthwise_conv2d: OpDef = {
  op: 'depthwise_conv2d',
  inferShapes(node, inputs) {
    return [{ dtype: 'float32', shape: checkConvLike(node, inputs, 0).out }];
  },
  evalFloat(node, inputs) {
    return [evalConvLike(node, inputs, 0)];
  },
  cost(node, inputs, outputs) {
    return convCost(inputs, outputs);
  },
  toOnnx: (n, g) => ({ nodes: withActivation(n, 'Conv', n.inputs, onnxConvAttrs(n, g, 'channels')) }),
  quantize: {
    *layer(node, ctx) {
      const w = constantInput(ctx.graph, node, 1, 'weight');
      const mult = depthMultiplier(node);
      const taps = w.shape[2] * w.shape[3];
      const base = layerBase(node, ctx, 'depthwise_conv2d', ctx.outputParams(node.outputs[0]));
      const weighted = yield* quantizeWeighted(node, ctx, base.inputQ[0], base.outputQ, {
        weights: w.data as Float32Array,
        weightShape: w.shape,
        bias: constantInput(ctx.graph, node, 2, 'bias').data as Float32Array,
        window: convWindowSpec(node, ctx.graph),
        meanIndex: (o, k) => Math.floor(o / mult) * taps + k,
        inputChannel: (o) => Math.floor(o / mult),
      });
      return { ...base, ...weighted, ...windowFields(node, w), depthMultiplier: mult } satisfies DepthwiseConv2dLayer;
    },
    calibrationWindow: (node, g) => convWindowSpec(node, g),
  },
  int8: {
    run: (l, [x]) => depthwiseConv2dInt8(l as DepthwiseConv2dLayer, x),
    qdq: (l, b) => {
      const d = l as DepthwiseConv2dLayer;
      const C = d.inputShapes[0][1];
      if (d.weightShape[0] !== C * d.depthMultiplier) throw new Error(`qdq export: depthwise layer '${d.name}': ${d.weightShape[0]} output channels for ${C} input channels × multiplier ${d.depthMultiplier}`);
      convQdq(d, b, C);
    },
    lower: (l, ctx) => lowerDepthwiseConv2d(l as DepthwiseConv2dLayer, ctx),
  },
};

function depthwiseConv2dInt8(layer: DepthwiseConv2dLayer, x: Int8Array): Int8Array {
  const g = geometry(layer);
  const [N, C] = layer.inputShapes[0];
  const O = layer.outputShape[1];
  const mult = layer.depthMultiplier;
  const w = layer.weights;
  const { Ho, Wo, KH, KW, sh, sw, dh, dw, Hp, Wp } = g;
  const zp = layer.outputQ.zeroPoint;
  const lo = layer.actMin;
  const hi = layer.actMax;
  const out = new Int8Array(N * O * Ho * Wo);
  const taps = KH * KW;
  for (let n = 0; n < N; n++) {
    const padded = paddedPlanes(x, layer.inputQ[0].zeroPoint, g, C, n);
    for (let o = 0; o < O; o++) {
      const plane = Math.floor(o / mult) * Hp * Wp;
      const b = layer.bias[o];
      const m = layer.multiplier[o];
      const e = layer.shift[o];
      let y = (n * O + o) * Ho * Wo;
      if (KH === 3 && KW === 3 && dh === 1 && dw === 1) {
        const wo = o * 9;
        const w00 = w[wo], w01 = w[wo + 1], w02 = w[wo + 2];
        const w10 = w[wo + 3], w11 = w[wo + 4], w12 = w[wo + 5];
        const w20 = w[wo + 6], w21 = w[wo + 7], w22 = w[wo + 8];
        for (let oh = 0; oh < Ho; oh++) {
          const r0 = plane + oh * sh * Wp, r1 = r0 + Wp, r2 = r1 + Wp;
          if (sw === 1) {
            // Slide along the row: each output loads the window's new column only.
            let a0 = padded[r0], a1 = padded[r0 + 1], b0 = padded[r1], b1 = padded[r1 + 1], c0 = padded[r2], c1 = padded[r2 + 1];
            for (let ow = 0; ow < Wo; ow++) {
              const a2 = padded[r0 + ow + 2], b2 = padded[r1 + ow + 2], c2 = padded[r2 + ow + 2];
              const s = b + w00 * a0 + w01 * a1 + w02 * a2 + w10 * b0 + w11 * b1 + w12 * b2 + w20 * c0 + w21 * c1 + w22 * c2;
              out[y++] = requantize(s, m, e, zp, lo, hi);
              a0 = a1; a1 = a2; b0 = b1; b1 = b2; c0 = c1; c1 = c2;
            }
            continue;
          }
          for (let ow = 0, col = 0; ow < Wo; ow++, col += sw) {
            const s = b
              + w00 * padded[r0 + col] + w01 * padded[r0 + col + 1] + w02 * padded[r0 + col + 2]
              + w10 * padded[r1 + col] + w11 * padded[r1 + col + 1] + w12 * padded[r1 + col + 2]
              + w20 * padded[r2 + col] + w21 * padded[r2 + col + 1] + w22 * padded[r2 + col + 2];
            out[y++] = requantize(s, m, e, zp, lo, hi);
          }
        }
      } else {
        for (let oh = 0; oh < Ho; oh++) {
          for (let ow = 0; ow < Wo; ow++) {
            let s = b;
            for (let t = 0; t < taps; t++) {
              const i = Math.floor(t / KW);
              const j = t - i * KW;
              s += w[o * taps + t] * padded[plane + (oh * sh + i * dh) * Wp + ow * sw + j * dw];
            }
            out[y++] = requantize(s, m, e, zp, lo, hi);
          }
        }
      }
    }
  }
  return out;
}

/**
 * Weights (O, 1, kh, kw) → 1HWC (tap-major, channel fastest); the 3×3 fast path where it applies
 * (and its requantization bounds allow the fast arithmetic: every real MobileNet's depthwise layers).
 */
function lowerDepthwiseConv2d(l: DepthwiseConv2dLayer, ctx: LowerContext): CLayer {
  const [O, , kh, kw] = l.weightShape;
  const inDims = ctx.inDims[0];
  const { outDims } = ctx;
  const layout = { name: '1HWC', view: [O, kh, kw], perm: [1, 2, 0] };
  const general = weightedCLayer(l, ctx, DW_CONV, layout, { access: windowAccess(l, inDims, outDims, 1, 'depthwise, pixel by pixel'), rows: rowWindow(l, 'conv.') });
  const fast = kh === 3 && kw === 3 && l.depthMultiplier === 1 && l.dilations.every((d) => d === 1) && l.pads.every((p) => p <= 1);
  if (!fast || !fastRequant(general.data!.bias, l.weights, l.multiplier, l.shift)) return general;
  // In place where the row-ring kernel allows it: stride 1, output row y over input row y.
  const inPlace = l.strides.every((s) => s === 1) && outDims.h === inDims.h && outDims.w === inDims.w;
  const access = dw3x3Access(inDims, outDims, l.pads, l.strides);
  const fast3x3: CLayer = {
    ...general,
    kernel: DW_CONV_3X3.kernel,
    emitter: DW_CONV_3X3,
    scratchBytes: dw3x3ScratchBytes(inDims, outDims, l.pads[1], l.strides),
    ...(inPlace ? { inPlaceScratch: 0 } : {}),
    access: (shift) => [access.rows(shift), ...access.pixels(shift)],
  };
  if (inDims.c % 4 !== 0 || l.strides[1] > 2) return fast3x3;
  // The low-RAM variant: the pixel path on every core, scratch one pixel (and two rows in place).
  const sameShape = l.strides.every((s) => s === 1) && outDims.h === inDims.h && outDims.w === inDims.w;
  return {
    ...fast3x3,
    lowRam: {
      ...fast3x3,
      kernel: DW_CONV_3X3_PIXELS.kernel,
      emitter: DW_CONV_3X3_PIXELS,
      scratchBytes: inDims.c + (sameShape ? 2 * inDims.w * inDims.c : 0),
      access: (shift) => access.pixels(shift, true),
    },
  };
}

/**
 * onnx2mcu_dw_conv_3x3_s8's orders (src/runtime/onnx2mcu_dw_conv_3x3_s8.c). The row path (every
 * core): channel groups of four, each walking the output rows; before output row y it gathers the
 * input rows up to its window's last (only the group's channels), then writes row y of those
 * channels. The pixel path (DSP and Helium cores on narrow layers, channels a multiple of 4): pixel
 * by pixel, four channels at a time, each reading its nine taps then writing; in place (same
 * buffer, same shape) it first copies input row y aside, and reads the rows above y + 1 from the
 * copies. Both must be safe: which one runs depends on the core.
 */
export function dw3x3Access(inDims: CDims, outDims: CDims, pads: readonly number[], strides: readonly number[]): {
  rows: (shift: number) => AccessOrder;
  /** The pixel path's order where a core may take it (`always`: the low-RAM variant, every core). */
  pixels: (shift: number, always?: boolean) => AccessOrder[];
} {
  const { h: H, w: W, c: C } = inDims;
  const [sh, sw] = strides, [pt, pl] = pads;
  const sameShape = sh === 1 && sw === 1 && H === outDims.h && W === outDims.w;
  // where any core may take it: Helium and the DSP up to 8 outputs a row, the DSP up to 12 at stride 2
  const pixelPath = C % 4 === 0 && sw <= 2 && (outDims.w <= 8 || (sw === 2 && outDims.w <= 12));
  const at = (y: number, x: number, c: number) => (y * W + x) * C + c;
  const out = (y: number, x: number, c: number) => (y * outDims.w + x) * outDims.c + c;
  const rows: AccessOrder = {
    name: 'depthwise 3x3, row path',
    readsFirst: true,
    *steps() {
      for (let c0 = 0; c0 < C; c0 += 4) {
        const n = Math.min(4, C - c0);
        let next = 0;
        for (let oy = 0; oy < outDims.h; oy++) {
          const reads: number[] = [];
          for (; next <= oy * sh - pt + 2 && next < H; next++) for (let x = 0; x < W; x++) reads.push(at(next, x, c0), at(next, x, c0 + n));
          const writes: number[] = [];
          for (let ox = 0; ox < outDims.w; ox++) writes.push(out(oy, ox, c0), out(oy, ox, c0 + n));
          yield { reads, writes };
        }
      }
    },
  };
  const pixelsDirect: AccessOrder = {
    name: 'depthwise 3x3, pixel path',
    readsFirst: true,
    *steps() {
      for (let oy = 0; oy < outDims.h; oy++) {
        for (let ox = 0; ox < outDims.w; ox++) {
          for (let c0 = 0; c0 < C; c0 += 4) {
            const reads: number[] = [];
            for (let ky = 0; ky < 3; ky++) {
              for (let kx = 0; kx < 3; kx++) {
                const iy = oy * sh - pt + ky, ix = ox * sw - pl + kx;
                if (iy >= 0 && iy < H && ix >= 0 && ix < W) reads.push(at(iy, ix, c0), at(iy, ix, c0 + 4));
              }
            }
            yield { reads, writes: [out(oy, ox, c0), out(oy, ox, c0 + 4)] };
          }
        }
      }
    },
  };
  const pixelsInPlace: AccessOrder = {
    name: 'depthwise 3x3, pixel path in place',
    readsFirst: false,
    *steps() {
      for (let oy = 0; oy < outDims.h; oy++) {
        yield { reads: [at(oy, 0, 0), at(oy + 1, 0, 0)], writes: [] }; // row y copied aside
        // the window rows below y are still read from the tensor (the ones above come from the copies)
        const from = Math.max(oy + 1, oy - pt), to = Math.min(H, oy - pt + 3);
        yield { reads: from < to ? [at(from, 0, 0), at(to, 0, 0)] : [], writes: [out(oy, 0, 0), out(oy + 1, 0, 0)] };
      }
    },
  };
  return {
    rows: () => rows,
    pixels: (shift, always = false) => (pixelPath || always ? [shift === 0 && sameShape ? pixelsInPlace : pixelsDirect] : []),
  };
}


/**
 * onnx2mcu_dw_conv_3x3_scratch_bytes (src/runtime/onnx2mcu_dw_conv_3x3_s8.c). The row path: three
 * ring rows and one row of zp_in, four channels each, each row long enough for the input with its left
 * pad and for the last step's reads (outputs go four at a time). The pixel path (channels a multiple
 * of 4, at most 12 outputs per row): one pixel of zp_in and, when the layer could run in place, two
 * saved input rows. The larger of the two.
 */
export function dw3x3ScratchBytes(inDims: CDims, outDims: CDims, padLeft: number, strides: readonly number[]): number {
  const reach = strides[1] * 4 * Math.ceil(outDims.w / 4) + 8;
  const data = padLeft + inDims.w + 4;
  const ring = 4 * 4 * ((Math.max(reach, data) + 3) & ~3);
  const pixelPath = inDims.c % 4 === 0 && outDims.w <= 12 && strides[1] <= 2;
  const sameShape = strides[0] === 1 && strides[1] === 1 && inDims.h === outDims.h && inDims.w === outDims.w;
  const pixels = inDims.c + (sameShape ? 2 * inDims.w * inDims.c : 0);
  return pixelPath && pixels > ring ? pixels : ring;
}

const DW_RUNTIME: CRuntime = { header: 'onnx2mcu_dw_conv_s8.h', sources: ['onnx2mcu_dw_conv_s8.c'] };
const DW_3X3_RUNTIME: CRuntime = { header: 'onnx2mcu_dw_conv_s8.h', sources: ['onnx2mcu_dw_conv_3x3_s8.c'] };

/** The two depthwise kernels differ in name, description and the 3×3 one's scratch-rows argument. */
function dwEmitter(kernel: string, fn: string, runtime: CRuntime, describe: (c: CLayer) => string, rowsArgument: boolean): CKernelEmitter {
  return {
    kernel,
    fn,
    paramsBytes: 76,
    runtime,
    describe,
    params: (c) => ({
      type: 'onnx2mcu_dw_conv_params',
      init: designated([
        ['conv', designated(convParamsMembers(c), '        ')],
        ['depth_multiplier', (c.layer as DepthwiseConv2dLayer).depthMultiplier],
      ]),
    }),
    // The 3×3 kernel's last argument: its scratch (the padded input rows).
    call: (c, io) => kernelCall(fn, c, io, rowsArgument ? [io.scratch ?? '0'] : []),
  };
}

const DW_CONV = dwEmitter('dw_conv', 'onnx2mcu_dw_conv_s8', DW_RUNTIME, (c) => {
  const l = c.layer as DepthwiseConv2dLayer;
  const t = windowText(l);
  return `depthwise conv ${t.kernel}${t.stride}${t.pads} multiplier ${l.depthMultiplier}`;
}, false);
const DW_CONV_3X3 = dwEmitter('dw_conv_3x3', 'onnx2mcu_dw_conv_3x3_s8', DW_3X3_RUNTIME, (c) => {
  const t = windowText(c.layer as DepthwiseConv2dLayer);
  return `depthwise conv 3x3 (fast path)${t.stride}${t.pads}`;
}, true);
const DW_CONV_3X3_PIXELS = dwEmitter('dw_conv_3x3_pixels', 'onnx2mcu_dw_conv_3x3_pixels_s8', DW_3X3_RUNTIME, (c) => {
  const t = windowText(c.layer as DepthwiseConv2dLayer);
  return `depthwise conv 3x3 pixel by pixel (less scratch: the memory plan's choice)${t.stride}${t.pads}`;
}, true);

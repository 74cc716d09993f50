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
 */
import type { OpDef } from './common/op.js';
import { checkConvLike, convCost, convLayer, convParamsBody, convWindow, evalConvLike } from './conv2d.js';
import type { QuantizedLayer } from '../int8/types.js';
import { geometry, paddedPlanes } from '../int8/conv_common.js';
import { requantize } from '../int8/requantize.js';
import type { CKernelEmitter, CLayer, LowerContext } from '../cgen/c_layer.js';
import { kernelCall, windowText } from '../cgen/c_layer.js';

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
  int8: { run: depthwiseConv2dInt8, lower: lowerDepthwiseConv2d },
};

function depthwiseConv2dInt8(layer: QuantizedLayer, x: Int8Array): Int8Array {
  const g = geometry(layer);
  const [N, C] = layer.inputShape;
  const O = layer.outputShape[1];
  const mult = layer.depthMultiplier ?? 1;
  const w = layer.weights!;
  const { Ho, Wo, KH, KW, sh, sw, dh, dw, Hp, Wp } = g;
  const zp = layer.outputQ.zeroPoint;
  const lo = layer.actMin;
  const hi = layer.actMax;
  const out = new Int8Array(N * O * Ho * Wo);
  const taps = KH * KW;
  for (let n = 0; n < N; n++) {
    const padded = paddedPlanes(x, layer.inputQ.zeroPoint, g, C, n);
    for (let o = 0; o < O; o++) {
      const plane = Math.floor(o / mult) * Hp * Wp;
      const b = layer.bias![o];
      const m = layer.multiplier![o];
      const e = layer.shift![o];
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

/** Weights (O, 1, kh, kw) → 1HWC (tap-major, channel fastest); the 3×3 fast path where it applies. */
function lowerDepthwiseConv2d(l: QuantizedLayer, ctx: LowerContext): CLayer {
  const { w, kh, kw, strides, pads, dilations } = convWindow(l, ctx.where);
  const { inDims, outDims } = ctx;
  const O = outDims.c;
  const perOut = kh * kw;
  const weights = new Int8Array(O * perOut);
  for (let o = 0; o < O; o++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
    weights[(y * kw + x) * O + o] = w[(o * kh + y) * kw + x];
  }
  const mult = l.depthMultiplier ?? O / inDims.c;
  const fast = kh === 3 && kw === 3 && mult === 1 && dilations[0] === 1 && dilations[1] === 1 && pads.every((p) => p <= 1);
  // In place only where the row-buffered kernel allows it: stride 1, output row y over input row y.
  const inPlace = fast && strides[0] === 1 && strides[1] === 1 && outDims.h === inDims.h && outDims.w === inDims.w && pads[0] <= 1;
  return convLayer(l, ctx, fast ? DW_CONV_3X3 : DW_CONV, weights, perOut, inPlace ? 2 * inDims.w * inDims.c : undefined);
}

/** The two depthwise kernels differ in name, description and the 3×3 one's scratch-rows argument. */
function dwEmitter(kernel: string, fn: string, describe: (c: CLayer) => string, rowsArgument: boolean): CKernelEmitter {
  return {
    kernel,
    fn,
    paramsBytes: 76,
    describe,
    params: (c) => ({
      type: 'onnx2mcu_dw_conv_params',
      init: `{\n  {\n${convParamsBody(c)}\n  },\n    ${c.layer.depthMultiplier ?? c.outDims.c / c.inDims.c} /* depth multiplier */\n}`,
    }),
    // The 3×3 kernel's last argument: the saved input rows when in place, else a null pointer.
    call: (c, io) => kernelCall(fn, c, io, true, rowsArgument ? [io.scratch ?? '0'] : []),
    weightLayout(c) {
      const [kh, kw] = c.layer.kernel ?? [1, 1];
      return `1HWC ${kh}x${kw}x${c.outDims.c}`;
    },
  };
}

const DW_CONV = dwEmitter('dw_conv', 'onnx2mcu_dw_conv_s8', (c) => {
  const t = windowText(c.layer);
  return `depthwise conv ${t.kernel}${t.stride}${t.pads} multiplier ${c.layer.depthMultiplier ?? 1}`;
}, false);
const DW_CONV_3X3 = dwEmitter('dw_conv_3x3', 'onnx2mcu_dw_conv_3x3_s8', (c) => {
  const t = windowText(c.layer);
  return `depthwise conv 3x3 (fast path)${t.stride}${t.pads}`;
}, true);

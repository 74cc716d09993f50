/**
 * conv2d — the canonical regular convolution (NCHW, weights OIHW), produced by the passes from
 * ONNX Conv with group 1. Inputs [x (N,C,H,W), w (O,C,kh,kw), b (O)] — the bias is always present
 * (zeros when the ONNX Conv had none). Attributes: strides [2], pads [4: top, left, bottom, right]
 * (auto_pad already resolved), dilations [2], act_min / act_max (the fused activation range;
 * -Infinity / Infinity when unbounded).
 *
 * int8 (arithmetic in src/quant/kernels/conv_common.ts) as a matrix product: a 1×1 stride-1
 * unpadded conv (MobileNet's pointwise layers, most of its MACs) multiplies the input planes
 * directly; any other kernel first gathers its input windows (im2col: row k = (c·KH + i)·KW + j,
 * the order of the weights) and multiplies those. C kernels: onnx2mcu_conv_1x1_s8 for that
 * pointwise case, onnx2mcu_conv_s8 otherwise, weights OHWI.
 *
 * The helpers exported at the bottom (activation range, clamp, conv checks, conv lowering and
 * params struct) are shared by the other canonical op files.
 */
import type { Node, ValueInfo } from '../ir/graph.js';
import { attrFloat, attrInts } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { shapeToString, sizeOf } from '../ir/tensor.js';
import type { OpDef } from './common/op.js';
import type { ConvParams } from './kernels/conv.js';
import { convFloat, convOutputShape } from './kernels/conv.js';
import { floatInput, needFloat, needRank, nodeError } from './common/checks.js';
import type { QuantizedLayer } from '../int8/types.js';
import { geometry, paddedPlanes, type Geometry } from '../int8/conv_common.js';
import { gemmRequantize, transposedWeights } from '../int8/gemm.js';
import type { CKernelEmitter, CLayer, LowerContext } from '../cgen/c_layer.js';
import { cLayerBase, dimsInit, foldedBias, kernelCall, need, windowText } from '../cgen/c_layer.js';
import { cInt } from '../cgen/c_writer.js';
import { UserError } from '../util/errors.js';

export const conv2d: OpDef = {
  op: 'conv2d',
  inferShapes(node, inputs) {
    return [{ dtype: 'float32', shape: checkConvLike(node, inputs, 1).out }];
  },
  evalFloat(node, inputs) {
    return [evalConvLike(node, inputs, 1)];
  },
  cost(node, inputs, outputs) {
    return convCost(inputs, outputs);
  },
  int8: { run: conv2dInt8, lower: lowerConv2d },
};

function conv2dInt8(layer: QuantizedLayer, x: Int8Array): Int8Array {
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

/** Weights OIHW → OHWI; the 1×1 fast path where the conv is a plain matrix product over pixels. */
function lowerConv2d(l: QuantizedLayer, ctx: LowerContext): CLayer {
  const { w, kh, kw, strides, pads } = convWindow(l, ctx.where);
  const O = ctx.outDims.c;
  const I = ctx.inDims.c;
  const perOut = I * kh * kw;
  const weights = new Int8Array(O * perOut);
  for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
    weights[((o * kh + y) * kw + x) * I + i] = w[((o * I + i) * kh + y) * kw + x];
  }
  const pointwise = kh === 1 && kw === 1 && strides[0] === 1 && strides[1] === 1 && pads.every((p) => p === 0);
  return convLayer(l, ctx, pointwise ? CONV_1X1 : CONV, weights, perOut);
}

function convEmitter(kernel: string, fn: string, describe: (c: CLayer) => string): CKernelEmitter {
  return {
    kernel,
    fn,
    paramsBytes: 72,
    describe,
    params: (c) => ({ type: 'onnx2mcu_conv_params', init: `{\n${convParamsBody(c)}\n}` }),
    call: (c, io) => kernelCall(fn, c, io, true),
    weightLayout(c) {
      const [kh, kw] = c.layer.kernel ?? [1, 1];
      return `OHWI ${c.outDims.c}x${kh}x${kw}x${c.inDims.c}`;
    },
  };
}

const CONV = convEmitter('conv', 'onnx2mcu_conv_s8', (c) => {
  const t = windowText(c.layer);
  return `conv ${t.kernel}${t.stride}${t.pads}`;
});
const CONV_1X1 = convEmitter('conv_1x1', 'onnx2mcu_conv_1x1_s8', () => 'pointwise conv 1x1 (fast path)');

// ---- shared by the canonical ops ------------------------------------------------------------

/** The fused activation range of a canonical node: [act_min, act_max] (unbounded when absent). */
export function actRange(node: Node): [number, number] {
  return [attrFloat(node, 'act_min', -Infinity), attrFloat(node, 'act_max', Infinity)];
}

/** Clamps `data` in place to the node's activation range and returns it. */
export function clampToActRange(node: Node, data: Float32Array): Float32Array {
  const [lo, hi] = actRange(node);
  if (lo === -Infinity && hi === Infinity) return data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    // min(max(v, lo), hi) as ONNX Clip does (NaN stays NaN).
    data[i] = v < lo ? lo : v > hi ? hi : v;
  }
  return data;
}

/** Convolution parameters of conv2d / depthwise_conv2d (group: 1 or the channel count). */
export function convParams(node: Node, group: number): ConvParams {
  const strides = attrInts(node, 'strides', [1, 1]);
  const pads = attrInts(node, 'pads', [0, 0, 0, 0]);
  const dilations = attrInts(node, 'dilations', [1, 1]);
  if (strides.length !== 2 || dilations.length !== 2 || pads.length !== 4) {
    throw nodeError(node, 'strides and dilations need 2 values and pads 4');
  }
  if ([...strides, ...dilations].some((v) => !Number.isInteger(v) || v < 1)) throw nodeError(node, 'strides and dilations must be positive integers');
  if (pads.some((v) => !Number.isInteger(v) || v < 0)) throw nodeError(node, `pads ${shapeToString(pads)} must be non-negative integers`);
  return {
    strides: [strides[0], strides[1]],
    pads: [pads[0], pads[1], pads[2], pads[3]],
    dilations: [dilations[0], dilations[1]],
    group,
  };
}

/**
 * Checks x / w / b of a canonical conv and returns the output shape. `group` 1 is conv2d; 0 means
 * depthwise (group = C, w is (C·depth_multiplier, 1, kh, kw)).
 */
export function checkConvLike(node: Node, inputs: readonly (ValueInfo | undefined)[], group: 0 | 1): { p: ConvParams; out: number[] } {
  const x = needFloat(node, inputs, 0, 'input');
  const w = needFloat(node, inputs, 1, 'weight');
  const b = needFloat(node, inputs, 2, 'bias');
  needRank(node, x, 0, 'input', 4);
  needRank(node, w, 1, 'weight', 4);
  const C = x.shape[1];
  const O = w.shape[0];
  const p = convParams(node, group === 0 ? C : 1);
  if (group === 0) {
    const mult = attrFloat(node, 'depth_multiplier', 1);
    if (w.shape[1] !== 1 || O !== C * mult) {
      throw nodeError(node, `depthwise weight '${node.inputs[1]}' ${shapeToString(w.shape)} must be [${C * mult}, 1, kh, kw] for ${C} channels × depth_multiplier ${mult}`);
    }
  } else if (w.shape[1] !== C) {
    throw nodeError(node, `weight '${node.inputs[1]}' ${shapeToString(w.shape)} expects ${w.shape[1]} input channels, input '${node.inputs[0]}' has ${C}`);
  }
  if (b.shape.length !== 1 || b.shape[0] !== O) throw nodeError(node, `bias '${node.inputs[2]}' has shape ${shapeToString(b.shape)}, expected [${O}]`);
  const out = convOutputShape(x.shape, w.shape, p);
  if (out[2] < 1 || out[3] < 1) throw nodeError(node, `output would be empty (${shapeToString(out)}): kernel larger than padded input`);
  return { p, out };
}

/** Float reference of conv2d / depthwise_conv2d: convolution, bias, then the activation clamp. */
export function evalConvLike(node: Node, inputs: readonly (Tensor | undefined)[], group: 0 | 1): Tensor {
  const x = inputs[0] as Tensor;
  const w = inputs[1] as Tensor;
  const p = convParams(node, group === 0 ? x.shape[1] : 1);
  const data = convFloat(
    floatInput(node, inputs, 0, 'input'),
    x.shape,
    floatInput(node, inputs, 1, 'weight'),
    w.shape,
    floatInput(node, inputs, 2, 'bias'),
    p,
  );
  return { dtype: 'float32', shape: convOutputShape(x.shape, w.shape, p), data: clampToActRange(node, data) };
}

/** MACs = Ho·Wo·Cout·(Cin/group)·Kh·Kw (times the batch); params = weights + one bias per Cout. */
export function convCost(inputs: readonly (ValueInfo | undefined)[], outputs: readonly ValueInfo[]): { macs: number; params: number } {
  const w = inputs[1];
  const y = outputs[0];
  if (!w || !y) return { macs: 0, params: 0 };
  return { macs: sizeOf(y.shape) * w.shape[1] * w.shape[2] * w.shape[3], params: sizeOf(w.shape) + w.shape[0] };
}

// ---- int8 lowering shared by conv2d and depthwise_conv2d ----------------------------------------

/** The fields a conv layer's lowering needs (a UserError naming the layer when one is missing). */
export function convWindow(l: QuantizedLayer, where: string) {
  const w = need(l.weights, 'weights', where);
  const [kh, kw] = need(l.kernel, 'kernel', where);
  const strides = need(l.strides, 'strides', where);
  const pads = need(l.pads, 'pads', where);
  return { w, kh, kw, strides, pads, dilations: l.dilations ?? [1, 1] };
}

/**
 * A conv CLayer from its weights in the kernel's layout (`perOut` per output channel): the
 * IR-layout weights' length checked, the bias folded (foldedBias sums per output channel, which
 * the layouts share), MACs = Ho·Wo·O·perOut.
 */
export function convLayer(l: QuantizedLayer, ctx: LowerContext, emitter: CKernelEmitter, weights: Int8Array, perOut: number, inPlaceScratch?: number): CLayer {
  const w = need(l.weights, 'weights', ctx.where);
  const O = ctx.outDims.c;
  if (w.length !== O * perOut) throw new UserError(`${ctx.where}: ${w.length} weights, expected ${O * perOut}`);
  const { bias, multiplier, shift } = foldedBias(l, w, O, perOut, ctx.where);
  return {
    ...cLayerBase(l, ctx, emitter),
    weights,
    bias,
    multiplier,
    shift,
    macs: ctx.outDims.h * ctx.outDims.w * O * perOut,
    params: w.length + O,
    ...(inPlaceScratch !== undefined ? { inPlaceScratch } : {}),
  };
}

/** The members of onnx2mcu_conv_params (also the first member of onnx2mcu_dw_conv_params). */
export function convParamsBody(c: CLayer): string {
  const l = c.layer;
  const pads = l.pads ?? [0, 0, 0, 0];
  const strides = l.strides ?? [1, 1];
  const dil = l.dilations ?? [1, 1];
  const kernel = l.kernel ?? [1, 1];
  return [
    `    ${dimsInit(c.inDims)}, ${dimsInit(c.outDims)},`,
    `    ${kernel[0]}, ${kernel[1]}, /* kernel h, w */`,
    `    ${strides[0]}, ${strides[1]}, /* stride h, w */`,
    `    ${dil[0]}, ${dil[1]}, /* dilation h, w */`,
    `    ${pads[0]}, ${pads[1]}, /* pad top, left (bottom ${pads[2]}, right ${pads[3]} implied by the output size) */`,
    `    ${cInt(l.inputQ.zeroPoint)}, ${cInt(l.outputQ.zeroPoint)}, /* input, output zero point */`,
    `    ${cInt(l.actMin)}, ${cInt(l.actMax)} /* act min, max */`,
  ].join('\n');
}

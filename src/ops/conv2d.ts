/**
 * conv2d — the canonical regular convolution (NCHW, weights OIHW), produced by the passes from
 * ONNX Conv with group 1. Inputs [x (N,C,H,W), w (O,C,kh,kw), b (O)] — the bias is always present
 * (zeros when the ONNX Conv had none). Attributes: strides [2], pads [4: top, left, bottom, right]
 * (auto_pad already resolved), dilations [2], act_min / act_max (the fused activation range;
 * -Infinity / Infinity when unbounded).
 *
 * int8 (DESIGN.md): per-channel weights, acc = bias[o] + Σ w·(x − zp_in), padded taps reading zp_in,
 * requantized per output channel. The integer reference works as a matrix product (building blocks
 * in src/int8/conv_common.ts and gemm.ts): a 1×1 stride-1 unpadded conv (MobileNet's pointwise
 * layers, most of its MACs) multiplies the input planes directly; any other kernel first gathers its
 * input windows (im2col: row k = (c·KH + i)·KW + j, the order of the weights). C kernels:
 * onnx2mcu_conv_1x1_s8 for that pointwise case, onnx2mcu_conv_s8 otherwise, weights OHWI.
 *
 * The helpers exported at the bottom (activation range, conv checks, the weighted-layer lowering,
 * the params struct) are shared by the other canonical op files.
 */
import type { Graph, Node, ValueInfo } from '../ir/graph.js';
import { attrFloat, attrInt, attrInts } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { shapeToString, sizeOf } from '../ir/tensor.js';
import type { WindowSpec } from '../int8/calibration.js';
import { geometry, paddedPlanes, type Geometry } from '../int8/conv_common.js';
import { gemmRequantize, transposedWeights } from '../int8/gemm.js';
import { constantInput, layerBase, quantizeWeighted, type QuantizeContext } from '../int8/quantize_layer.js';
import type { LayerBase, QuantizedLayer, WeightedFields, WindowFields } from '../int8/types.js';
import type { CDims, CKernelEmitter, CLayer, CRuntime, LowerContext } from '../cgen/c_layer.js';
import type { AccessModel, AccessOrder } from '../cgen/access.js';
import { cLayerBase, designated, dimsInit, fastRequant, foldedBias, kernelCall, rowWindow, windowText } from '../cgen/c_layer.js';
import { cInt } from '../cgen/c_writer.js';
import { applyLayout, type WeightLayout } from '../cgen/layout.js';
import type { QdqBuilder } from '../onnx/proto/qdq_builder.js';
import { UserError } from '../util/errors.js';
import type { OpDef } from './common/op.js';
import { floatInput, needFloat, needRank, nodeError } from './common/checks.js';
import { withActivation } from './common/onnx_form.js';
import type { ConvParams } from './kernels/conv.js';
import { convFloat, convOutputShape } from './kernels/conv.js';

/** The int8 conv2d layer: per-channel weights (OIHW) over a sliding window. */
export interface Conv2dLayer extends LayerBase<'conv2d'>, WeightedFields, WindowFields {}

declare module '../int8/types.js' {
  interface QuantizedLayers {
    conv2d: Conv2dLayer;
  }
}

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
  toOnnx: (n, g) => ({ nodes: withActivation(n, 'Conv', n.inputs, onnxConvAttrs(n, g, 1)) }),
  quantize: {
    *layer(node, ctx) {
      const w = constantInput(ctx.graph, node, 1, 'weight');
      const taps = w.shape[2] * w.shape[3];
      const base = layerBase(node, ctx, 'conv2d', ctx.outputParams(node.outputs[0]));
      const weighted = yield* quantizeWeighted(node, ctx, base.inputQ[0], base.outputQ, {
        weights: w.data as Float32Array,
        weightShape: w.shape,
        bias: constantInput(ctx.graph, node, 2, 'bias').data as Float32Array,
        window: convWindowSpec(node, ctx.graph),
        meanIndex: (_o, k) => k,
        inputChannel: (_o, k) => Math.floor(k / taps),
      });
      return { ...base, ...weighted, ...windowFields(node, w) } satisfies Conv2dLayer;
    },
    calibrationWindow: (node, g) => convWindowSpec(node, g),
  },
  int8: {
    run: (l, [x]) => conv2dInt8(l as Conv2dLayer, x),
    qdq: (l, b) => convQdq(l as Conv2dLayer, b, 1),
    lower: (l, ctx) => lowerConv2d(l as Conv2dLayer, ctx),
  },
};

function conv2dInt8(layer: Conv2dLayer, x: Int8Array): Int8Array {
  const g = geometry(layer);
  const [N, C] = layer.inputShapes[0];
  const O = layer.outputShape[1];
  const P = g.Ho * g.Wo;
  const K = C * g.KH * g.KW;
  const wt = transposedWeights(layer.weights, O);
  const out = new Int8Array(N * O * P);
  const pointwise = g.KH === 1 && g.KW === 1 && g.sh === 1 && g.sw === 1 && g.Hp === g.H && g.Wp === g.W && g.Ho === g.H && g.Wo === g.W;
  for (let n = 0; n < N; n++) {
    const planes = paddedPlanes(x, layer.inputQ[0].zeroPoint, g, C, n);
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

/**
 * Weights OIHW → OHWI. Where the requantization bounds allow the fast arithmetic (every real
 * MobileNet), a 1×1 stride-1 unpadded conv (the pointwise layers) takes the 1×1 kernel and any other
 * the im2col kernel (the first layer); otherwise the general one.
 */
function lowerConv2d(l: Conv2dLayer, ctx: LowerContext): CLayer {
  const [O, I, kh, kw] = l.weightShape;
  const layout = { name: 'OHWI', view: [O, I, kh, kw], perm: [0, 2, 3, 1] };
  const pointwise = kh === 1 && kw === 1 && l.strides.every((s) => s === 1) && l.pads.every((p) => p === 0);
  const inDims = ctx.inDims[0], outDims = ctx.outDims;
  const general = weightedCLayer(l, ctx, CONV, layout, { access: windowAccess(l, inDims, outDims, 1, 'conv, pixel by pixel'), rows: rowWindow(l, '') });
  if (!fastRequant(general.data!.bias, l.weights, l.multiplier, l.shift)) return general;
  if (pointwise) return { ...general, kernel: CONV_1X1.kernel, emitter: CONV_1X1, scratchBytes: 8 * I, access: pointwiseAccess(outDims.h * outDims.w, I, O) };
  return {
    ...general, kernel: CONV_IM2COL.kernel, emitter: CONV_IM2COL, scratchBytes: im2colScratchBytes(O, I * kh * kw),
    access: windowAccess(l, inDims, outDims, 4, 'im2col, 4-pixel blocks'),
  };
}

/**
 * onnx2mcu_conv_1x1_s8's order of reads and writes: pixels in blocks of four from pixel 0 (every
 * path — the DSP's four widened pixels, Helium's one or two, the portable pairs — finishes a block
 * before it touches the next), forward, or backward when the output starts above the input (the
 * kernel compares the pointers); within a block reads and writes interleave.
 */
export function pointwiseAccess(pixels: number, inC: number, outC: number): AccessModel {
  const blocks = Math.ceil(pixels / 4);
  const order = (backward: boolean): AccessOrder => ({
    name: `pointwise, 4-pixel blocks ${backward ? 'from the last' : 'from the first'}`,
    readsFirst: false,
    *steps() {
      for (let j = 0; j < blocks; j++) {
        const b = backward ? blocks - 1 - j : j;
        const p0 = 4 * b, p1 = Math.min(pixels, p0 + 4);
        yield { reads: [p0 * inC, p1 * inC], writes: [p0 * outC, p1 * outC] };
      }
    },
  });
  return (shift) => [order(shift > 0)];
}

/**
 * The window kernels' order (onnx2mcu_conv_im2col_s8 in blocks of four output pixels, the general
 * onnx2mcu_conv_s8 pixel by pixel): output pixels in raster order, each block reading the input rows
 * of its windows (every column of a row between the first and the last tap: dilation skips none in
 * this account) and writing its pixels; reads and writes interleave within a block.
 */
export function windowAccess(l: WindowFields, inDims: CDims, outDims: CDims, block: number, name: string): AccessModel {
  const { h: H, w: W, c: C } = inDims;
  const [kh, kw] = l.kernel, [sh, sw] = l.strides, [dh, dw] = l.dilations, [pt, pl] = l.pads;
  const pixels = outDims.h * outDims.w, O = outDims.c;
  const order: AccessOrder = {
    name,
    readsFirst: false,
    *steps() {
      for (let p0 = 0; p0 < pixels; p0 += block) {
        const reads: number[] = [];
        const p1 = Math.min(pixels, p0 + block);
        for (let p = p0; p < p1; p++) {
          const oy = Math.floor(p / outDims.w), ox = p % outDims.w;
          const x0 = Math.max(0, ox * sw - pl), x1 = Math.min(W - 1, ox * sw - pl + (kw - 1) * dw);
          if (x1 < x0) continue;
          for (let ky = 0; ky < kh; ky++) {
            const iy = oy * sh - pt + ky * dh;
            if (iy >= 0 && iy < H) reads.push((iy * W + x0) * C, (iy * W + x1 + 1) * C);
          }
        }
        yield { reads, writes: [p0 * O, p1 * O] };
      }
    },
  };
  return () => [order];
}

/**
 * onnx2mcu_conv_im2col_scratch_bytes (src/runtime/onnx2mcu_conv_im2col_s8.c): four columns of K4
 * (K rounded up to 4) int8, their int16 copy, and the weights padded to K4 when K is not a multiple of 4.
 */
export function im2colScratchBytes(outC: number, k: number): number {
  const k4 = (k + 3) & ~3;
  return 12 * k4 + (k === k4 ? 0 : outC * k4);
}

const CONV_RUNTIME: CRuntime = { header: 'onnx2mcu_conv_s8.h', sources: ['onnx2mcu_conv_s8.c'] };
const CONV_1X1_RUNTIME: CRuntime = { header: 'onnx2mcu_conv_s8.h', sources: ['onnx2mcu_conv_1x1_s8.c', 'onnx2mcu_gemm_s8.h', 'onnx2mcu_gemm_s8.c'] };
const CONV_IM2COL_RUNTIME: CRuntime = { header: 'onnx2mcu_conv_s8.h', sources: ['onnx2mcu_conv_im2col_s8.c', 'onnx2mcu_gemm_s8.h', 'onnx2mcu_gemm_s8.c'] };

function convEmitter(kernel: string, fn: string, runtime: CRuntime, describe: (c: CLayer) => string): CKernelEmitter {
  return {
    kernel,
    fn,
    paramsBytes: 72,
    runtime,
    describe,
    params: (c) => ({ type: 'onnx2mcu_conv_params', init: designated(convParamsMembers(c)) }),
    call: (c, io) => kernelCall(fn, c, io),
  };
}

const CONV = convEmitter('conv', 'onnx2mcu_conv_s8', CONV_RUNTIME, (c) => {
  const t = windowText(c.layer as Conv2dLayer);
  return `conv ${t.kernel}${t.stride}${t.pads}`;
});
const CONV_1X1: CKernelEmitter = {
  ...convEmitter('conv_1x1', 'onnx2mcu_conv_1x1_s8', CONV_1X1_RUNTIME, () => 'pointwise conv 1x1 (fast path)'),
  // The last argument: the kernel's scratch (four pixels widened to int16 on the DSP path).
  call: (c, io) => kernelCall('onnx2mcu_conv_1x1_s8', c, io, [`(int32_t *)(void *)(${io.scratch})`]),
};
const CONV_IM2COL: CKernelEmitter = {
  ...convEmitter('conv_im2col', 'onnx2mcu_conv_im2col_s8', CONV_IM2COL_RUNTIME, (c) => {
    const t = windowText(c.layer as Conv2dLayer);
    return `conv ${t.kernel}${t.stride}${t.pads} (im2col)`;
  }),
  // The last argument: the kernel's scratch (gathered windows, their int16 copy, padded weights).
  call: (c, io) => kernelCall('onnx2mcu_conv_im2col_s8', c, io, [io.scratch!]),
};

/** The conv as ONNX QDQ: per-channel dequantized weights and bias, Conv on the dequantized input. */
export function convQdq(l: Conv2dLayer | (LayerBase & WeightedFields & WindowFields), b: QdqBuilder, group: number): void {
  const [wf, bf] = b.weightAndBias(l);
  const y = `${l.name}.float_out`;
  b.node('Conv', l.name, [b.float(l.inputs[0]), wf, bf], [y], { kernel_shape: l.kernel, strides: l.strides, pads: l.pads, dilations: l.dilations, group });
  b.quantizeOutput(l, y);
}

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

/** The ONNX Conv attributes of a canonical conv node (group 1, or the input channels for depthwise). */
export function onnxConvAttrs(n: Node, g: Graph, group: 1 | 'channels'): Node['attrs'] {
  const w = g.values.get(n.inputs[1])!;
  return {
    kernel_shape: [w.shape[2], w.shape[3]],
    strides: [...attrInts(n, 'strides', [1, 1])],
    pads: [...attrInts(n, 'pads', [0, 0, 0, 0])],
    dilations: [...attrInts(n, 'dilations', [1, 1])],
    group: group === 1 ? 1 : g.values.get(n.inputs[0])!.shape[1],
    auto_pad: 'NOTSET',
  };
}

/** The window a conv node reads its input through (calibration window means). */
export function convWindowSpec(node: Node, g: Graph): WindowSpec {
  const w = g.values.get(node.inputs[1]);
  if (!w || w.shape.length !== 4) throw new Error(`node '${node.name}': weight '${node.inputs[1]}' is not 4-D`);
  return { kind: 'window', ...windowFields(node, w) };
}

/** The window fields of a conv node with weight `w` (O, C, kh, kw). */
export function windowFields(node: Node, w: { shape: readonly number[] }): WindowFields {
  return {
    kernel: [w.shape[2], w.shape[3]],
    strides: [...attrInts(node, 'strides', [1, 1])],
    pads: [...attrInts(node, 'pads', [0, 0, 0, 0])],
    dilations: [...attrInts(node, 'dilations', [1, 1])],
  };
}

/** depth_multiplier of a depthwise node (1 unless set). */
export function depthMultiplier(node: Node): number {
  return attrInt(node, 'depth_multiplier', 1);
}

/**
 * A weighted layer as a CLayer: its weights in `layout`, the bias with −zp_in·Σw folded in (the
 * accumulator bound checked), MACs = Ho·Wo·O·(weights per output channel).
 */
export function weightedCLayer(l: QuantizedLayer & WeightedFields, ctx: LowerContext, emitter: CKernelEmitter, layout: WeightLayout, extra: Partial<CLayer> = {}): CLayer {
  const O = l.weightShape[0];
  const perOut = l.weights.length / O;
  if (!Number.isInteger(perOut) || l.bias.length !== O || l.multiplier.length !== O || l.shift.length !== O) {
    throw new UserError(`${ctx.where}: ${l.weights.length} weights, ${l.bias.length} biases, ${l.multiplier.length} multipliers, ${l.shift.length} shifts for ${O} output channels`);
  }
  const zp = l.inputQ[0].zeroPoint;
  return {
    ...cLayerBase(l, ctx, emitter),
    data: {
      weights: applyLayout(l.weights, layout),
      layout,
      bias: foldedBias(l.bias, l.weights, perOut, zp, ctx.where),
      biasZeroPoint: zp,
      multiplier: Int32Array.from(l.multiplier),
      shift: Int32Array.from(l.shift),
    },
    macs: ctx.outDims.h * ctx.outDims.w * O * perOut,
    params: l.weights.length + O,
    ...extra,
  };
}

/** The members of onnx2mcu_conv_params (also the first member of onnx2mcu_dw_conv_params). */
export function convParamsMembers(c: CLayer): [string, string | number][] {
  const l = c.layer as LayerBase & WindowFields;
  return [
    ['input', dimsInit(c.inDims[0])],
    ['output', dimsInit(c.outDims)],
    ['kernel_h', l.kernel[0]],
    ['kernel_w', l.kernel[1]],
    ['stride_h', l.strides[0]],
    ['stride_w', l.strides[1]],
    ['dilation_h', l.dilations[0]],
    ['dilation_w', l.dilations[1]],
    ['pad_top', l.pads[0]],
    ['pad_left', `${l.pads[1]} /* bottom ${l.pads[2]}, right ${l.pads[3]} implied by the output size */`],
    ['input_zero_point', cInt(l.inputQ[0].zeroPoint)],
    ['output_zero_point', cInt(l.outputQ.zeroPoint)],
    ['act_min', cInt(l.actMin)],
    ['act_max', cInt(l.actMax)],
  ];
}

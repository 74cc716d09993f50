/**
 * average_pool — canonical 2-D average pooling, NCHW. Input [x]; attributes kernel [2],
 * strides [2], pads [4: t, l, b, r], count_include_pad (0: divide by the valid elements only,
 * 1: by the whole window including padding), act_min / act_max. No ceil_mode: the passes accept
 * only pools whose output is the same in floor mode.
 *
 * int8 (TFLite): input and output share scale and zero point, so the output is the rounded integer
 * mean of the raw int8 values: sum over the window, count = counted positions,
 * out = clamp(roundedMean(sum, count), actMin, actMax). count_include_pad = 0: only positions inside
 * the input count. = 1: the window clipped to the padded input counts, each padded position
 * contributing the zero point (real 0), as the float kernel. C kernel: onnx2mcu_avg_pool_s8 on
 * channels-last buffers. global_average_pool shares this int8 reference (a window of the whole plane).
 */
import { attrInt, attrInts } from '../ir/graph.js';
import type { Node } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { shapeToString, sizeOf } from '../ir/tensor.js';
import type { OpDef } from './common/op.js';
import type { PoolParams } from './kernels/pool.js';
import { forEachPoolWindow, poolFloat, poolOutputShape } from './kernels/pool.js';
import { floatInput, needFloat, needRank, nodeError } from './common/checks.js';
import { clampToActRange } from './conv2d.js';
import { roundedMean } from '../int8/arith.js';
import type { QuantizedLayer } from '../int8/types.js';
import type { CKernelEmitter } from '../cgen/c_layer.js';
import { cLayerBase, dimsInit, kernelCall, need, windowText } from '../cgen/c_layer.js';
import { cInt } from '../cgen/c_writer.js';

function poolParams(node: Node): PoolParams {
  const kernel = attrInts(node, 'kernel');
  const strides = attrInts(node, 'strides', [1, 1]);
  const pads = attrInts(node, 'pads', [0, 0, 0, 0]);
  if (kernel.length !== 2 || strides.length !== 2 || pads.length !== 4) throw nodeError(node, 'kernel and strides need 2 values and pads 4');
  if ([...kernel, ...strides].some((v) => !Number.isInteger(v) || v < 1)) throw nodeError(node, 'kernel and strides must be positive integers');
  if (pads.some((v) => !Number.isInteger(v) || v < 0)) throw nodeError(node, `pads ${shapeToString(pads)} must be non-negative integers`);
  return {
    kernel: [kernel[0], kernel[1]],
    strides: [strides[0], strides[1]],
    pads: [pads[0], pads[1], pads[2], pads[3]],
    countIncludePad: attrInt(node, 'count_include_pad', 0) === 1,
  };
}

export const average_pool: OpDef = {
  op: 'average_pool',
  inferShapes(node, inputs) {
    const x = needFloat(node, inputs, 0, 'input');
    needRank(node, x, 0, 'input', 4);
    const out = poolOutputShape(x.shape, poolParams(node));
    if (out[2] < 1 || out[3] < 1) throw nodeError(node, `output would be empty (${shapeToString(out)}): kernel larger than padded input`);
    return [{ dtype: 'float32', shape: out }];
  },
  evalFloat(node, inputs) {
    const x = inputs[0] as Tensor;
    const p = poolParams(node);
    const data = poolFloat('avg', floatInput(node, inputs, 0, 'input'), x.shape, p);
    return [{ dtype: 'float32', shape: poolOutputShape(x.shape, p), data: clampToActRange(node, data) }];
  },
  cost: () => ({ macs: 0, params: 0 }),
  int8: {
    run: averagePoolInt8,
    lower(l, ctx) {
      need(l.kernel, 'kernel', ctx.where);
      return { ...cLayerBase(l, ctx, AVG_POOL), macs: 0, params: 0 };
    },
  },
};

/** The int8 average pool (also global_average_pool's: kernel [H, W], no padding). */
export function averagePoolInt8(layer: QuantizedLayer, x: Int8Array): Int8Array {
  const W = layer.inputShape[3];
  const includePad = layer.countIncludePad === 1;
  const zp = layer.inputQ.zeroPoint;
  const out = new Int8Array(sizeOf(layer.outputShape));
  const { kernel, strides = [1, 1], pads = [0, 0, 0, 0] } = layer;
  forEachPoolWindow(layer.inputShape, layer.outputShape, kernel!, strides, pads, (win) => {
    let sum = 0;
    for (let h = win.h0; h < win.h1; h++) for (let w = win.w0; w < win.w1; w++) sum += x[win.plane + h * W + w];
    const valid = (win.h1 - win.h0) * (win.w1 - win.w0);
    let count = valid;
    if (includePad) {
      count = win.padded;
      sum += (count - valid) * zp;
    }
    let v = count > 0 ? roundedMean(sum, count) : zp;
    if (v < layer.actMin) v = layer.actMin;
    else if (v > layer.actMax) v = layer.actMax;
    out[win.out] = v;
  });
  return out;
}

const AVG_POOL: CKernelEmitter = {
  kernel: 'avg_pool',
  fn: 'onnx2mcu_avg_pool_s8',
  paramsBytes: 64,
  describe(c) {
    const t = windowText(c.layer);
    return `average pool ${t.kernel}${t.stride}${t.pads} count_include_pad ${c.layer.countIncludePad ?? 0}`;
  },
  params(c) {
    const l = c.layer;
    const kernel = l.kernel ?? [1, 1];
    const strides = l.strides ?? [1, 1];
    const pads = l.pads ?? [0, 0, 0, 0];
    return {
      type: 'onnx2mcu_avg_pool_params',
      init: `{\n    ${dimsInit(c.inDims)}, ${dimsInit(c.outDims)},\n    ${kernel[0]}, ${kernel[1]}, ${strides[0]}, ${strides[1]}, /* kernel h, w, stride h, w */\n    ${pads[0]}, ${pads[1]}, ${l.countIncludePad ?? 0}, /* pad top, left, count_include_pad */\n    ${cInt(l.inputQ.zeroPoint)}, ${cInt(l.actMin)}, ${cInt(l.actMax)} /* zero point, act min, max */\n}`,
    };
  },
  call: (c, io) => kernelCall(AVG_POOL.fn, c, io, false),
};

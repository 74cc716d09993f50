/**
 * max_pool — canonical 2-D max pooling, NCHW (not in MobileNet v1; added as one file, its C kernel
 * and a registry line). Input [x]; attributes kernel [2], strides [2], pads [4: t, l, b, r],
 * act_min / act_max. Floor mode; padded positions are never the maximum.
 *
 * int8 (TFLite): the output keeps the input's scale and zero point, so the max of the raw int8
 * values is the int8 output, then the activation clamp; a window with no position inside the input
 * gives −128 (clamped). C kernel: onnx2mcu_max_pool_s8 on channels-last buffers. QDQ form: the raw
 * int8 values cast to float, ONNX MaxPool, cast back and clamped — exact.
 */
import { attrInts } from '../ir/graph.js';
import type { Node } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { shapeToString, sizeOf } from '../ir/tensor.js';
import { layerBase } from '../int8/quantize_layer.js';
import type { LayerBase } from '../int8/types.js';
import type { CKernelEmitter } from '../cgen/c_layer.js';
import { cLayerBase, designated, dimsInit, kernelCall, windowText } from '../cgen/c_layer.js';
import { cInt } from '../cgen/c_writer.js';
import { DataType } from '../onnx/proto/proto.js';
import type { OpDef } from './common/op.js';
import { floatInput, needFloat, needRank, nodeError } from './common/checks.js';
import { withActivation } from './common/onnx_form.js';
import type { PoolParams } from './kernels/pool.js';
import { forEachPoolWindow, poolFloat, poolOutputShape } from './kernels/pool.js';
import { clampToActRange } from './conv2d.js';

/** The int8 max pool: output quantization = input quantization. */
export interface MaxPoolLayer extends LayerBase<'max_pool'> {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly pads: readonly number[];
}

declare module '../int8/types.js' {
  interface QuantizedLayers {
    max_pool: MaxPoolLayer;
  }
}

function poolParams(node: Node): PoolParams {
  const kernel = attrInts(node, 'kernel');
  const strides = attrInts(node, 'strides', [1, 1]);
  const pads = attrInts(node, 'pads', [0, 0, 0, 0]);
  if (kernel.length !== 2 || strides.length !== 2 || pads.length !== 4) throw nodeError(node, 'kernel and strides need 2 values and pads 4');
  if ([...kernel, ...strides].some((v) => !Number.isInteger(v) || v < 1)) throw nodeError(node, 'kernel and strides must be positive integers');
  if (pads.some((v, i) => !Number.isInteger(v) || v < 0 || v >= kernel[i % 2])) throw nodeError(node, `pads ${shapeToString(pads)} must be non-negative and smaller than the kernel`);
  return { kernel: [kernel[0], kernel[1]], strides: [strides[0], strides[1]], pads: [pads[0], pads[1], pads[2], pads[3]], countIncludePad: false };
}

export const max_pool: OpDef = {
  op: 'max_pool',
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
    return [{ dtype: 'float32', shape: poolOutputShape(x.shape, p), data: clampToActRange(node, poolFloat('max', floatInput(node, inputs, 0, 'input'), x.shape, p)) }];
  },
  cost: () => ({ macs: 0, params: 0 }),
  toOnnx(n) {
    const p = poolParams(n);
    return { nodes: withActivation(n, 'MaxPool', [n.inputs[0]], { kernel_shape: p.kernel, strides: p.strides, pads: p.pads, auto_pad: 'NOTSET', ceil_mode: 0 }) };
  },
  quantize: {
    *layer(node, ctx) {
      const p = poolParams(node);
      const layer: MaxPoolLayer = { ...layerBase(node, ctx, 'max_pool', ctx.q(node.inputs[0])), kernel: p.kernel, strides: p.strides, pads: p.pads };
      return layer;
    },
  },
  int8: {
    run(layer, [x]) {
      const l = layer as MaxPoolLayer;
      const W = l.inputShapes[0][3];
      const out = new Int8Array(sizeOf(l.outputShape));
      forEachPoolWindow(l.inputShapes[0], l.outputShape, l.kernel, l.strides, l.pads, (win) => {
        let best = -128;
        for (let h = win.h0; h < win.h1; h++) for (let w = win.w0; w < win.w1; w++) best = Math.max(best, x[win.plane + h * W + w]);
        out[win.out] = Math.min(l.actMax, Math.max(l.actMin, best));
      });
      return out;
    },
    qdq(layer, b) {
      const l = layer as MaxPoolLayer;
      const t = (s: string) => `${l.name}.${s}`;
      b.node('Cast', t('to_float'), [b.int8(l.inputs[0])], [t('int8_as_float')], { to: DataType.FLOAT });
      b.node('MaxPool', l.name, [t('int8_as_float')], [t('max')], { kernel_shape: l.kernel, strides: l.strides, pads: l.pads });
      const lo = b.floatScalar(t('act_min'), l.actMin);
      const hi = b.floatScalar(t('act_max'), l.actMax);
      b.node('Clip', t('clamp'), [t('max'), lo, hi], [t('clamped')]);
      b.node('Cast', t('to_int8'), [t('clamped')], [b.int8(l.output)], { to: DataType.INT8 });
    },
    lower: (l, ctx) => ({ ...cLayerBase(l, ctx, MAX_POOL), macs: 0, params: 0 }),
  },
};

const MAX_POOL: CKernelEmitter = {
  kernel: 'max_pool',
  fn: 'onnx2mcu_max_pool_s8',
  paramsBytes: 56,
  runtime: { header: 'onnx2mcu_max_pool_s8.h', sources: ['onnx2mcu_max_pool_s8.c'] },
  describe(c) {
    const t = windowText(c.layer as MaxPoolLayer);
    return `max pool ${t.kernel}${t.stride}${t.pads}`;
  },
  params(c) {
    const l = c.layer as MaxPoolLayer;
    return {
      type: 'onnx2mcu_max_pool_params',
      init: designated([
        ['input', dimsInit(c.inDims[0])],
        ['output', dimsInit(c.outDims)],
        ['kernel_h', l.kernel[0]],
        ['kernel_w', l.kernel[1]],
        ['stride_h', l.strides[0]],
        ['stride_w', l.strides[1]],
        ['pad_top', l.pads[0]],
        ['pad_left', l.pads[1]],
        ['act_min', cInt(l.actMin)],
        ['act_max', cInt(l.actMax)],
      ]),
    };
  },
  call: (c, io) => kernelCall(MAX_POOL.fn, c, io),
};

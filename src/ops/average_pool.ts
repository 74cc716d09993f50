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
import { roundedMean } from '../int8/arith.js';
import type { LayerBase } from '../int8/types.js';
import { layerBase } from '../int8/quantize_layer.js';
import type { CKernelEmitter } from '../cgen/c_layer.js';
import { cLayerBase, designated, dimsInit, kernelCall, windowText } from '../cgen/c_layer.js';
import { cInt } from '../cgen/c_writer.js';
import type { QdqBuilder } from '../onnx/proto/qdq_builder.js';
import { DataType } from '../onnx/proto/proto.js';
import { UserError } from '../util/errors.js';
import type { OpDef } from './common/op.js';
import type { PoolParams } from './kernels/pool.js';
import { forEachPoolWindow, poolFloat, poolOutputShape } from './kernels/pool.js';
import { floatInput, needFloat, needRank, nodeError } from './common/checks.js';
import { withActivation } from './common/onnx_form.js';
import { clampToActRange } from './conv2d.js';

/** The int8 average pool: output quantization = input quantization (TFLite). */
export interface AveragePoolLayer extends LayerBase<'average_pool'> {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly pads: readonly number[];
  /** 1 = padded positions count in the divisor (and read zeroPoint), 0 = they are skipped. */
  readonly countIncludePad: number;
}

declare module '../int8/types.js' {
  interface QuantizedLayers {
    average_pool: AveragePoolLayer;
  }
}

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
  toOnnx(n) {
    const kernel = attrInts(n, 'kernel');
    let pads = [...attrInts(n, 'pads', [0, 0, 0, 0])];
    const counted = attrInt(n, 'count_include_pad', 0);
    const pre: Node[] = [];
    let x = n.inputs[0];
    // ONNX requires pads < kernel; a Pad merged by the passes can exceed it. With the padding
    // counted, an explicit zero Pad before an unpadded pool computes the same windows.
    if (counted === 1 && pads.some((p, i) => p >= kernel[i % 2])) {
      x = `${n.outputs[0]}__padded`;
      pre.push({ name: `${n.name}__pad`, op: 'Pad', inputs: [n.inputs[0]], outputs: [x], attrs: { pads: [0, 0, pads[0], pads[1], 0, 0, pads[2], pads[3]], mode: 'constant', value: 0 } });
      pads = [0, 0, 0, 0];
    }
    return {
      nodes: [...pre, ...withActivation(n, 'AveragePool', [x], {
        kernel_shape: [...kernel],
        strides: [...attrInts(n, 'strides', [1, 1])],
        pads,
        count_include_pad: counted,
        auto_pad: 'NOTSET',
        ceil_mode: 0,
      })],
    };
  },
  quantize: {
    *layer(node, ctx) {
      const x = node.inputs[0];
      if (ctx.inputMapping(x)?.exact === false) throw new UserError(`node '${node.name}': a pool cannot read the input directly when its pixel mapping is inexact`);
      const p = poolParams(node);
      const layer: AveragePoolLayer = {
        ...layerBase(node, ctx, 'average_pool', ctx.q(x)),
        kernel: p.kernel,
        strides: p.strides,
        pads: p.pads,
        countIncludePad: p.countIncludePad ? 1 : 0,
      };
      return layer;
    },
  },
  int8: {
    run: (l, [x]) => averagePoolInt8(l as AveragePoolLayer, x),
    qdq: (l, b) => {
      const p = l as AveragePoolLayer;
      poolQdq(p, b, 'AveragePool', { kernel_shape: p.kernel, strides: p.strides, pads: p.pads, count_include_pad: p.countIncludePad });
    },
    lower: (l, ctx) => ({ ...cLayerBase(l, ctx, AVG_POOL), macs: 0, params: 0 }),
  },
};

/** A pool window as the int8 reference walks it: kernel, strides, pads and the counting rule. */
export interface Int8PoolWindow extends LayerBase {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly pads: readonly number[];
  readonly countIncludePad: number;
}

/**
 * The int8 average pool (also global_average_pool's: kernel [H, W], no padding): the rounded
 * integer mean of the raw int8 values in each window, clamped.
 */
export function averagePoolInt8(layer: Int8PoolWindow, x: Int8Array): Int8Array {
  const W = layer.inputShapes[0][3];
  const includePad = layer.countIncludePad === 1;
  const zp = layer.inputQ[0].zeroPoint;
  const out = new Int8Array(sizeOf(layer.outputShape));
  forEachPoolWindow(layer.inputShapes[0], layer.outputShape, layer.kernel, layer.strides, layer.pads, (win) => {
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

/**
 * An int8 average pool (TFLite semantics: output q = input q, out = mean of the int8 values in the
 * window rounded half away from zero, then clamped) from standard ONNX ops, reading q/<input> and
 * writing q/<output>:
 *   Cast(float) − zp → AveragePool / GlobalAveragePool → + zp → sign·floor(|m| + ½) → Clip → Cast(int8)
 * Why not DequantizeLinear → AveragePool → QuantizeLinear: QuantizeLinear rounds ties to even, so
 * a window mean of exactly k + ½ (frequent: a 4×4 global pool has denominator 16) lands on the
 * other integer than the int8 op defines, and the float mean of s·(q − zp) need not even be an
 * exact tie. Here onnxruntime still computes every window, padding and divisor itself; the export
 * only states the int8 op's rounding rule. Float32 is safe here: a window sum of int8 values is an
 * exact integer, its quotient by the count d is exact when it is a tie (k + ½ is representable,
 * given a correctly rounded division) and otherwise at least 1/(2d) from one, far beyond float32
 * error. The tests check ties on windows of 2, 4, 6 and 16 positions. Subtracting zp first makes
 * padded positions (count_include_pad = 1) read the zero point, i.e. real 0, as in the int8 model.
 */
export function poolQdq(l: LayerBase, b: QdqBuilder, onnxOp: 'AveragePool' | 'GlobalAveragePool', attrs: Record<string, number | readonly number[]>): void {
  const zp = l.inputQ[0].zeroPoint;
  if (l.outputQ.scale !== l.inputQ[0].scale || l.outputQ.zeroPoint !== zp) {
    throw new Error(`qdq export: pooling layer '${l.name}': output quantization (${l.outputQ.scale}, ${l.outputQ.zeroPoint}) differs from its input's (${l.inputQ[0].scale}, ${zp})`);
  }
  const t = (suffix: string) => `${l.name}.${suffix}`;
  const zpF = b.floatScalar(t('zero_point_float'), zp);
  b.node('Cast', t('to_float'), [b.int8(l.inputs[0])], [t('int8_as_float')], { to: DataType.FLOAT });
  b.node('Sub', t('center'), [t('int8_as_float'), zpF], [t('centered')]);
  b.node(onnxOp, l.name, [t('centered')], [t('centered_mean')], attrs);
  b.node('Add', t('uncenter'), [t('centered_mean'), zpF], [t('mean')]);
  // Round half away from zero: sign(m)·floor(|m| + ½) (ONNX Round rounds ties to even).
  b.node('Abs', t('abs'), [t('mean')], [t('mean_abs')]);
  b.node('Add', t('add_half'), [t('mean_abs'), b.floatScalar(t('half'), 0.5)], [t('mean_abs_half')]);
  b.node('Floor', t('floor'), [t('mean_abs_half')], [t('rounded_abs')]);
  b.node('Sign', t('sign'), [t('mean')], [t('mean_sign')]);
  b.node('Mul', t('apply_sign'), [t('mean_sign'), t('rounded_abs')], [t('rounded')]);
  const lo = b.floatScalar(t('act_min'), Math.max(l.actMin, -128));
  const hi = b.floatScalar(t('act_max'), Math.min(l.actMax, 127));
  b.node('Clip', t('clamp'), [t('rounded'), lo, hi], [t('clamped')]);
  b.node('Cast', t('to_int8'), [t('clamped')], [b.int8(l.output)], { to: DataType.INT8 });
}

const AVG_POOL: CKernelEmitter = {
  kernel: 'avg_pool',
  fn: 'onnx2mcu_avg_pool_s8',
  paramsBytes: 64,
  runtime: { header: 'onnx2mcu_avg_pool_s8.h', sources: ['onnx2mcu_avg_pool_s8.c'] },
  describe(c) {
    const l = c.layer as AveragePoolLayer;
    const t = windowText(l);
    return `average pool ${t.kernel}${t.stride}${t.pads} count_include_pad ${l.countIncludePad}`;
  },
  params(c) {
    const l = c.layer as AveragePoolLayer;
    return {
      type: 'onnx2mcu_avg_pool_params',
      init: designated([
        ['input', dimsInit(c.inDims[0])],
        ['output', dimsInit(c.outDims)],
        ['kernel_h', l.kernel[0]],
        ['kernel_w', l.kernel[1]],
        ['stride_h', l.strides[0]],
        ['stride_w', l.strides[1]],
        ['pad_top', l.pads[0]],
        ['pad_left', l.pads[1]],
        ['count_include_pad', l.countIncludePad],
        ['zero_point', cInt(l.inputQ[0].zeroPoint)],
        ['act_min', cInt(l.actMin)],
        ['act_max', cInt(l.actMax)],
      ]),
    };
  },
  call: (c, io) => kernelCall(AVG_POOL.fn, c, io),
};

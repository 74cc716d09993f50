/**
 * add — canonical elementwise addition of two activation tensors of the same shape (not in
 * MobileNet v1; the residual connection of MobileNet v2 — added as one file, its C kernel and a
 * registry line). Inputs [a, b]; attributes act_min / act_max.
 *
 * int8, TFLite's ADD: both inputs are brought to a common scale twice the larger input scale,
 * with 20 bits of headroom, summed, and requantized to the output:
 *   left_shift = 20, s = 2·max(s_a, s_b)
 *   M_a = s_a / s, M_b = s_b / s, M_out = s / (2^20 · s_out)        (fixed-point multipliers, ≤ 1)
 *   y = MBQM(MBQM((a − zp_a)·2^20, M_a) + MBQM((b − zp_b)·2^20, M_b), M_out) + zp_out, clamped.
 * C kernel onnx2mcu_add_s8 (elementwise, so the layout does not matter). QDQ form: both inputs
 * dequantized, ONNX Add, QuantizeLinear — within one output step (one rounding against three).
 */
import type { Tensor } from '../ir/tensor.js';
import { sameShape, shapeToString, sizeOf } from '../ir/tensor.js';
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from '../int8/arith.js';
import { layerBase } from '../int8/quantize_layer.js';
import type { LayerBase } from '../int8/types.js';
import type { CKernelEmitter } from '../cgen/c_layer.js';
import { cLayerBase, designated, kernelCall } from '../cgen/c_layer.js';
import { cInt } from '../cgen/c_writer.js';
import { UserError } from '../util/errors.js';
import type { OpDef } from './common/op.js';
import { floatInput, needFloat, nodeError } from './common/checks.js';
import { withActivation } from './common/onnx_form.js';
import { clampToActRange } from './conv2d.js';

const LEFT_SHIFT = 20;

/** The int8 add: per input and for the output, a fixed-point multiplier and (≤ 0) shift. */
export interface AddLayer extends LayerBase<'add'> {
  readonly leftShift: number;
  readonly inputMultipliers: readonly number[];
  readonly inputShifts: readonly number[];
  readonly outputMultiplier: number;
  readonly outputShift: number;
}

declare module '../int8/types.js' {
  interface QuantizedLayers {
    add: AddLayer;
  }
}

export const add: OpDef = {
  op: 'add',
  inferShapes(node, inputs) {
    const a = needFloat(node, inputs, 0, 'input a');
    const b = needFloat(node, inputs, 1, 'input b');
    if (!sameShape(a.shape, b.shape)) throw nodeError(node, `inputs ${shapeToString(a.shape)} and ${shapeToString(b.shape)} differ (no broadcasting)`);
    return [{ dtype: 'float32', shape: [...a.shape] }];
  },
  evalFloat(node, inputs) {
    const a = floatInput(node, inputs, 0, 'input a');
    const b = floatInput(node, inputs, 1, 'input b');
    const y = new Float32Array(a.length);
    for (let i = 0; i < a.length; i++) y[i] = a[i] + b[i];
    return [{ dtype: 'float32', shape: [...(inputs[0] as Tensor).shape], data: clampToActRange(node, y) }];
  },
  cost: () => ({ macs: 0, params: 0 }),
  toOnnx: (n) => ({ nodes: withActivation(n, 'Add', [n.inputs[0], n.inputs[1]], {}) }),
  quantize: {
    *layer(node, ctx) {
      const base = layerBase(node, ctx, 'add', ctx.outputParams(node.outputs[0]), 2);
      const [sa, sb] = base.inputQ.map((q) => q.scale);
      const twiceMax = 2 * Math.max(sa, sb);
      const ma = quantizeMultiplier(sa / twiceMax);
      const mb = quantizeMultiplier(sb / twiceMax);
      const realOut = twiceMax / (2 ** LEFT_SHIFT * base.outputQ.scale);
      if (!(realOut < 1)) throw new UserError(`node '${node.name}' (add): output scale ${base.outputQ.scale} too small for the inputs' (${sa}, ${sb}): the int8 add needs s_out > 2·max(s_a, s_b)/2^20`);
      const mo = quantizeMultiplier(realOut);
      const layer: AddLayer = {
        ...base,
        leftShift: LEFT_SHIFT,
        inputMultipliers: [ma.multiplier, mb.multiplier],
        inputShifts: [ma.shift, mb.shift],
        outputMultiplier: mo.multiplier,
        outputShift: mo.shift,
      };
      return layer;
    },
  },
  int8: {
    run(layer, [a, b]) {
      const l = layer as AddLayer;
      const [za, zb] = l.inputQ.map((q) => q.zeroPoint);
      const scale = 2 ** l.leftShift;
      const out = new Int8Array(sizeOf(l.outputShape));
      for (let i = 0; i < out.length; i++) {
        const sum = multiplyByQuantizedMultiplier((a[i] - za) * scale, l.inputMultipliers[0], l.inputShifts[0])
          + multiplyByQuantizedMultiplier((b[i] - zb) * scale, l.inputMultipliers[1], l.inputShifts[1]);
        const y = multiplyByQuantizedMultiplier(sum, l.outputMultiplier, l.outputShift) + l.outputQ.zeroPoint;
        out[i] = Math.min(l.actMax, Math.max(l.actMin, y));
      }
      return out;
    },
    qdq(layer, b) {
      const l = layer as AddLayer;
      const y = `${l.name}.float_out`;
      b.node('Add', l.name, [b.float(l.inputs[0]), b.float(l.inputs[1])], [y]);
      b.quantizeOutput(l, y);
    },
    lower: (l, ctx) => ({ ...cLayerBase(l, ctx, ADD), macs: 0, params: 0 }),
  },
};

const ADD: CKernelEmitter = {
  kernel: 'add',
  fn: 'onnx2mcu_add_s8',
  paramsBytes: 52,
  runtime: { header: 'onnx2mcu_add_s8.h', sources: ['onnx2mcu_add_s8.c'] },
  describe: () => 'elementwise add',
  params(c) {
    const l = c.layer as AddLayer;
    return {
      type: 'onnx2mcu_add_params',
      init: designated([
        ['size', sizeOf(l.outputShape)],
        ['left_shift', l.leftShift],
        ['input1_offset', cInt(-l.inputQ[0].zeroPoint)],
        ['input1_multiplier', cInt(l.inputMultipliers[0])],
        ['input1_shift', cInt(l.inputShifts[0])],
        ['input2_offset', cInt(-l.inputQ[1].zeroPoint)],
        ['input2_multiplier', cInt(l.inputMultipliers[1])],
        ['input2_shift', cInt(l.inputShifts[1])],
        ['output_multiplier', cInt(l.outputMultiplier)],
        ['output_shift', cInt(l.outputShift)],
        ['output_offset', cInt(l.outputQ.zeroPoint)],
        ['act_min', cInt(l.actMin)],
        ['act_max', cInt(l.actMax)],
      ]),
    };
  },
  call: (c, io) => kernelCall(ADD.fn, c, io),
};

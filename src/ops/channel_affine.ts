/**
 * channel_affine — y = x · scale[c] + bias[c] along axis 1 (the channel axis of NCHW or [N, C]),
 * then the act_min / act_max clamp. What a BatchNormalization becomes when there is no conv or
 * fully-connected producer to fold it into. Inputs [x (N, C, ...), scale (C), bias (C)].
 *
 * int8: a 1×1 depthwise layer (depthwise_conv2d's integer reference and C kernel), on NCHW inputs.
 */
import type { Tensor } from '../ir/tensor.js';
import { shapeToString, sizeOf } from '../ir/tensor.js';
import type { OpDef } from './common/op.js';
import { floatInput, needFloat, nodeError } from './common/checks.js';
import { clampToActRange } from './conv2d.js';
import { constantInput, layerBase, quantizeWeighted } from '../int8/quantize_layer.js';
import { UserError } from '../util/errors.js';
import type { DepthwiseConv2dLayer } from './depthwise_conv2d.js';
import { int64Tensor } from '../ir/tensor.js';
import { withActivation } from './common/onnx_form.js';

const UNIT_WINDOW = { kernel: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1] } as const;

export const channel_affine: OpDef = {
  op: 'channel_affine',
  inferShapes(node, inputs) {
    const x = needFloat(node, inputs, 0, 'input');
    const scale = needFloat(node, inputs, 1, 'scale');
    const bias = needFloat(node, inputs, 2, 'bias');
    if (x.shape.length < 2) throw nodeError(node, `input '${node.inputs[0]}' ${shapeToString(x.shape)} needs a channel axis (rank >= 2)`);
    const C = x.shape[1];
    for (const [v, i] of [[scale, 1], [bias, 2]] as const) {
      if (v.shape.length !== 1 || v.shape[0] !== C) throw nodeError(node, `'${node.inputs[i]}' has shape ${shapeToString(v.shape)}, expected [${C}]`);
    }
    return [{ dtype: 'float32', shape: [...x.shape] }];
  },
  evalFloat(node, inputs) {
    const x = inputs[0] as Tensor;
    const xd = floatInput(node, inputs, 0, 'input');
    const scale = floatInput(node, inputs, 1, 'scale');
    const bias = floatInput(node, inputs, 2, 'bias');
    const [N, C] = x.shape;
    const plane = sizeOf(x.shape.slice(2));
    const y = new Float32Array(xd.length);
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const base = (n * C + c) * plane;
        const s = scale[c];
        const b = bias[c];
        for (let i = 0; i < plane; i++) y[base + i] = xd[base + i] * s + b;
      }
    }
    return [{ dtype: 'float32', shape: [...x.shape], data: clampToActRange(node, y) }];
  },
  // Params: one scale and one bias per channel; MACs: one multiply per element.
  cost(_node, inputs, outputs) {
    const x = outputs[0];
    const s = inputs[1];
    return { macs: x ? sizeOf(x.shape) : 0, params: s ? 2 * s.shape[0] : 0 };
  },
  // Mul and Add with the scale and bias reshaped to broadcast along axis 1.
  toOnnx(n, g) {
    const rank = g.values.get(n.inputs[0])!.shape.length;
    const shape = int64Tensor([1, g.values.get(n.inputs[1])!.shape[0], ...new Array<number>(rank - 2).fill(1)]);
    const s = `${n.name}__scale`;
    const b = `${n.name}__bias`;
    const node = (name: string, op: string, inputs: string[], outputs: string[]) => ({ name, op, inputs, outputs, attrs: {} });
    return {
      nodes: [
        node(`${n.name}__reshape_scale`, 'Reshape', [n.inputs[1], `${s}_shape`], [s]),
        node(`${n.name}__reshape_bias`, 'Reshape', [n.inputs[2], `${b}_shape`], [b]),
        node(`${n.name}__mul`, 'Mul', [n.inputs[0], s], [`${n.outputs[0]}__scaled`]),
        ...withActivation(n, 'Add', [`${n.outputs[0]}__scaled`, b], {}),
      ],
      constants: new Map([[`${s}_shape`, shape], [`${b}_shape`, shape]]),
    };
  },
  quantize: {
    *layer(node, ctx) {
      if (ctx.graph.values.get(node.inputs[0])?.shape.length !== 4) throw new UserError(`node '${node.name}' (channel_affine): int8 supports it on NCHW tensors only`);
      const scale = constantInput(ctx.graph, node, 1, 'scale');
      const C = scale.shape[0];
      const base = layerBase(node, ctx, 'depthwise_conv2d', ctx.outputParams(node.outputs[0]));
      const weighted = yield* quantizeWeighted(node, ctx, base.inputQ[0], base.outputQ, {
        weights: scale.data as Float32Array,
        weightShape: [C, 1, 1, 1],
        bias: constantInput(ctx.graph, node, 2, 'bias').data as Float32Array,
        window: { kind: 'window', ...UNIT_WINDOW },
        meanIndex: (o) => o,
        inputChannel: (o) => o,
      });
      return { ...base, ...weighted, ...UNIT_WINDOW, depthMultiplier: 1 } satisfies DepthwiseConv2dLayer;
    },
    calibrationWindow: () => ({ kind: 'window', ...UNIT_WINDOW }),
  },
};

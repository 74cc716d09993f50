/**
 * channel_affine — y = x · scale[c] + bias[c] along axis 1 (the channel axis of NCHW or [N, C]),
 * then the act_min / act_max clamp. What a BatchNormalization becomes when there is no conv or
 * fully-connected producer to fold it into. Inputs [x (N, C, ...), scale (C), bias (C)].
 */
import type { Tensor } from '../ir/tensor.js';
import { shapeToString, sizeOf } from '../ir/tensor.js';
import type { OpDef } from './common/op.js';
import { floatInput, needFloat, nodeError } from './common/checks.js';
import { clampToActRange } from './conv2d.js';

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
};

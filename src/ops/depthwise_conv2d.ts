/**
 * depthwise_conv2d — the canonical depthwise convolution (ONNX Conv with group = C_in), NCHW.
 * Inputs [x (N,C,H,W), w (C·depth_multiplier, 1, kh, kw), b (C·depth_multiplier)]; output channel
 * o reads input channel floor(o / depth_multiplier). Attributes as conv2d (strides, pads [t,l,b,r],
 * dilations, act_min, act_max) plus depth_multiplier (1 for MobileNet).
 */
import type { OpDef } from './op.js';
import { checkConvLike, convCost, evalConvLike } from './conv2d.js';

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
};

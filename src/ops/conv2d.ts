/**
 * conv2d — the canonical regular convolution (NCHW, weights OIHW), produced by the passes from
 * ONNX Conv with group 1. Inputs [x (N,C,H,W), w (O,C,kh,kw), b (O)] — the bias is always present
 * (zeros when the ONNX Conv had none). Attributes: strides [2], pads [4: top, left, bottom, right]
 * (auto_pad already resolved), dilations [2], act_min / act_max (the fused activation range;
 * -Infinity / Infinity when unbounded).
 *
 * The helpers exported at the bottom (activation range, clamp, conv checks) are shared by the
 * other canonical op files.
 */
import type { Node, ValueInfo } from '../ir/graph.js';
import { attrFloat, attrInts } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { shapeToString, sizeOf } from '../ir/tensor.js';
import type { OpDef } from './op.js';
import type { ConvParams } from './kernels/conv.js';
import { convFloat, convOutputShape } from './kernels/conv.js';
import { floatInput, needFloat, needRank, nodeError } from './onnx/common.js';

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
};

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

/**
 * average_pool — canonical 2-D average pooling, NCHW. Input [x]; attributes kernel [2],
 * strides [2], pads [4: t, l, b, r], count_include_pad (0: divide by the valid elements only,
 * 1: by the whole window including padding), act_min / act_max. No ceil_mode: the passes accept
 * only pools whose output is the same in floor mode.
 */
import { attrInt, attrInts } from '../ir/graph.js';
import type { Node } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { shapeToString } from '../ir/tensor.js';
import type { OpDef } from './op.js';
import type { PoolParams } from './kernels/pool.js';
import { poolFloat, poolOutputShape } from './kernels/pool.js';
import { floatInput, needFloat, needRank, nodeError } from './onnx/common.js';
import { clampToActRange } from './conv2d.js';

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
};

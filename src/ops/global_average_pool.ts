/**
 * global_average_pool — mean over each channel's H×W plane: x [N, C, H, W] → [N, C, 1, 1].
 * Attributes act_min / act_max. int8: average_pool's reference over one window of the whole
 * plane (the quantizer gives the layer kernel [H, W]); C kernel onnx2mcu_global_avg_pool_s8.
 */
import type { Tensor } from '../ir/tensor.js';
import type { OpDef } from './common/op.js';
import { globalAveragePoolFloat } from './kernels/pool.js';
import { floatInput, needFloat, needRank } from './common/checks.js';
import { clampToActRange } from './conv2d.js';
import { averagePoolInt8 } from './average_pool.js';
import type { CKernelEmitter } from '../cgen/c_layer.js';
import { cLayerBase, dimsInit, kernelCall } from '../cgen/c_layer.js';
import { cInt } from '../cgen/c_writer.js';

export const global_average_pool: OpDef = {
  op: 'global_average_pool',
  inferShapes(node, inputs) {
    const x = needFloat(node, inputs, 0, 'input');
    needRank(node, x, 0, 'input', 4);
    return [{ dtype: 'float32', shape: [x.shape[0], x.shape[1], 1, 1] }];
  },
  evalFloat(node, inputs) {
    const [N, C, H, W] = (inputs[0] as Tensor).shape;
    const data = globalAveragePoolFloat(floatInput(node, inputs, 0, 'input'), N, C, H * W);
    return [{ dtype: 'float32', shape: [N, C, 1, 1], data: clampToActRange(node, data) }];
  },
  cost: () => ({ macs: 0, params: 0 }),
  int8: {
    run: averagePoolInt8,
    lower: (l, ctx) => ({ ...cLayerBase(l, ctx, GLOBAL_AVG_POOL), macs: 0, params: 0 }),
  },
};

const GLOBAL_AVG_POOL: CKernelEmitter = {
  kernel: 'global_avg_pool',
  fn: 'onnx2mcu_global_avg_pool_s8',
  paramsBytes: 20,
  describe: () => 'global average pool',
  params: (c) => ({ type: 'onnx2mcu_global_avg_pool_params', init: `{ ${dimsInit(c.inDims)}, ${cInt(c.layer.actMin)}, ${cInt(c.layer.actMax)} }` }),
  call: (c, io) => kernelCall(GLOBAL_AVG_POOL.fn, c, io, false),
};

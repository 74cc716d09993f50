/**
 * global_average_pool — mean over each channel's H×W plane: x [N, C, H, W] → [N, C, 1, 1].
 * Attributes act_min / act_max.
 */
import type { Tensor } from '../ir/tensor.js';
import type { OpDef } from './op.js';
import { globalAveragePoolFloat } from './kernels/pool.js';
import { floatInput, needFloat, needRank } from './onnx/common.js';
import { clampToActRange } from './conv2d.js';

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
};

/** ONNX MaxPool (2-D): pads, strides, auto_pad, ceil_mode. */
import type { OpDef } from '../common/op.js';
import { poolFloat, poolOutputShape } from '../kernels/pool.js';
import { floatInput } from '../common/checks.js';
import { inferPool, poolParamsOf } from './pool_common.js';

export const MaxPool: OpDef = {
  op: 'MaxPool',
  inferShapes: inferPool,
  evalFloat(node, inputs) {
    const t = inputs[0]!;
    const p = poolParamsOf(node, t.shape);
    return [{ dtype: 'float32', shape: poolOutputShape(t.shape, p), data: poolFloat('max', floatInput(node, inputs, 0, 'input'), t.shape, p) }];
  },
};

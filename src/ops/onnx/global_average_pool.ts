/** ONNX GlobalAveragePool: mean over all spatial dims, keeping them as 1s ([N, C, 1, 1]). */
import { shapeToString, sizeOf } from '../../ir/tensor.js';
import type { OpDef } from '../common/op.js';
import { globalAveragePoolFloat } from '../kernels/pool.js';
import { floatInput, needFloat, nodeError } from '../common/checks.js';

export const GlobalAveragePool: OpDef = {
  op: 'GlobalAveragePool',
  inferShapes(node, inputs) {
    const x = needFloat(node, inputs, 0, 'input');
    if (x.shape.length < 3) throw nodeError(node, `input '${node.inputs[0]}' has shape ${shapeToString(x.shape)}, expected rank ≥ 3`);
    return [{ dtype: 'float32', shape: [x.shape[0], x.shape[1], ...x.shape.slice(2).map(() => 1)] }];
  },
  evalFloat(node, inputs) {
    const t = inputs[0]!;
    const [n, c] = t.shape;
    const data = globalAveragePoolFloat(floatInput(node, inputs, 0, 'input'), n, c, sizeOf(t.shape.slice(2)));
    return [{ dtype: 'float32', shape: [n, c, ...t.shape.slice(2).map(() => 1)], data }];
  },
};

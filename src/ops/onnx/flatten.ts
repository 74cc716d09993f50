/** ONNX Flatten: [d0..d(axis−1), d(axis)..] → [prod before axis, prod from axis]. */
import type { Node } from '../../ir/graph.js';
import { attrInt } from '../../ir/graph.js';
import { sizeOf } from '../../ir/tensor.js';
import type { OpDef } from '../common/op.js';
import { needInput, nodeError, reshaped, tensorInput } from '../common/checks.js';

function flattenShape(node: Node, shape: readonly number[]): number[] {
  const rank = shape.length;
  const raw = attrInt(node, 'axis', 1);
  const axis = raw < 0 ? raw + rank : raw;
  // axis may equal rank (everything in the first dim).
  if (axis < 0 || axis > rank) throw nodeError(node, `axis ${raw} out of range for rank ${rank}`);
  return [sizeOf(shape.slice(0, axis)), sizeOf(shape.slice(axis))];
}

export const Flatten: OpDef = {
  op: 'Flatten',
  inferShapes(node, inputs) {
    const x = needInput(node, inputs, 0, 'input');
    return [{ dtype: x.dtype, shape: flattenShape(node, x.shape) }];
  },
  evalFloat(node, inputs) {
    const t = tensorInput(node, inputs, 0, 'input');
    return [reshaped(t, flattenShape(node, t.shape))];
  },
};

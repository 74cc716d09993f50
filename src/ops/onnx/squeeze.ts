/** ONNX Squeeze: removes the size-1 dims listed in attribute `axes` (all size-1 dims when absent). */
import type { Node } from '../../ir/graph.js';
import { attrInts } from '../../ir/graph.js';
import { shapeToString } from '../../ir/tensor.js';
import type { OpDef } from '../common/op.js';
import { needInput, nodeError, normalizeAxis, reshaped, tensorInput } from '../common/checks.js';

function squeezeShape(node: Node, shape: readonly number[]): number[] {
  if (node.attrs.axes === undefined) return shape.filter((d) => d !== 1);
  const axes = new Set(attrInts(node, 'axes').map((a) => normalizeAxis(node, a, shape.length, 'axes entry')));
  for (const a of axes) {
    if (shape[a] !== 1) throw nodeError(node, `cannot squeeze axis ${a} of '${node.inputs[0]}' ${shapeToString(shape)}: size is not 1`);
  }
  return shape.filter((_, i) => !axes.has(i));
}

export const Squeeze: OpDef = {
  op: 'Squeeze',
  inferShapes(node, inputs) {
    const x = needInput(node, inputs, 0, 'input');
    return [{ dtype: x.dtype, shape: squeezeShape(node, x.shape) }];
  },
  evalFloat(node, inputs) {
    const t = tensorInput(node, inputs, 0, 'input');
    return [reshaped(t, squeezeShape(node, t.shape))];
  },
};

/**
 * ONNX Reshape with a constant shape operand (input 1, int64): 0 copies the input dim at that
 * position (unless allowzero = 1), −1 is inferred from the element count.
 */
import type { Node } from '../../ir/graph.js';
import { attrInt } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import { shapeToString, sizeOf, toNumbers } from '../../ir/tensor.js';
import type { OpDef } from '../common/op.js';
import { needInput, nodeError, reshaped, tensorInput } from '../common/checks.js';

/** The output shape of a Reshape of `inShape` by the shape tensor `target`. */
export function reshapeShape(node: Node, inShape: readonly number[], target: Tensor): number[] {
  if (target.dtype !== 'int64' && target.dtype !== 'int32') throw nodeError(node, `shape '${node.inputs[1]}' is ${target.dtype}, expected int64`);
  if (target.shape.length !== 1) throw nodeError(node, `shape '${node.inputs[1]}' must be 1-D`);
  const allowZero = attrInt(node, 'allowzero', 0) === 1;
  const spec = toNumbers(target);
  let inferAt = -1;
  const out = spec.map((d, i) => {
    if (d === 0 && !allowZero) {
      if (i >= inShape.length) throw nodeError(node, `shape ${shapeToString(spec)}: 0 at position ${i} but input '${node.inputs[0]}' has rank ${inShape.length}`);
      return inShape[i];
    }
    if (d === -1) {
      if (inferAt >= 0) throw nodeError(node, `shape ${shapeToString(spec)} has more than one -1`);
      inferAt = i;
      return 1;
    }
    if (d < 0 || !Number.isInteger(d)) throw nodeError(node, `shape ${shapeToString(spec)} has invalid dimension ${d}`);
    return d;
  });
  const total = sizeOf(inShape);
  const known = sizeOf(out);
  if (inferAt >= 0) {
    if (known === 0 || total % known !== 0) throw nodeError(node, `cannot reshape ${shapeToString(inShape)} to ${shapeToString(spec)}`);
    out[inferAt] = total / known;
  } else if (known !== total) {
    throw nodeError(node, `cannot reshape ${shapeToString(inShape)} (${total} values) to ${shapeToString(spec)} (${known} values)`);
  }
  return out;
}

export const Reshape: OpDef = {
  op: 'Reshape',
  inferShapes(node, inputs, consts) {
    const x = needInput(node, inputs, 0, 'input');
    needInput(node, inputs, 1, 'shape');
    const target = consts[1];
    if (!target) throw nodeError(node, `shape '${node.inputs[1]}' must be a constant`);
    return [{ dtype: x.dtype, shape: reshapeShape(node, x.shape, target) }];
  },
  evalFloat(node, inputs) {
    const t = tensorInput(node, inputs, 0, 'input');
    return [reshaped(t, reshapeShape(node, t.shape, tensorInput(node, inputs, 1, 'shape')))];
  },
};

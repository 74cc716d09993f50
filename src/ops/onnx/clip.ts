/**
 * ONNX Clip: y = min(max(x, min), max). The importer normalizes the bounds to attributes `min`
 * and `max` whatever the opset; bounds still given as inputs 1 and 2 (opset ≥ 11, hand-built
 * graphs) are honoured when the attribute is absent.
 */
import type { Node } from '../../ir/graph.js';
import { attrFloat } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import { sizeOf, toNumbers } from '../../ir/tensor.js';
import type { OpDef } from '../common/op.js';
import { floatInput, needFloat, nodeError } from '../common/checks.js';

function bound(node: Node, name: 'min' | 'max', t: Tensor | undefined): number {
  if (node.attrs[name] !== undefined) return attrFloat(node, name);
  if (t) {
    if (sizeOf(t.shape) !== 1) throw nodeError(node, `${name} '${node.inputs[name === 'min' ? 1 : 2]}' must be a scalar`);
    return toNumbers(t)[0];
  }
  return name === 'min' ? -Infinity : Infinity;
}

/** The clip bounds of a Clip node given its (optional) bound tensors. */
export function clipBounds(node: Node, minT?: Tensor, maxT?: Tensor): { min: number; max: number } {
  return { min: bound(node, 'min', minT), max: bound(node, 'max', maxT) };
}

export const Clip: OpDef = {
  op: 'Clip',
  inferShapes(node, inputs, consts) {
    const x = needFloat(node, inputs, 0, 'input');
    for (const i of [1, 2]) {
      if (inputs[i] && sizeOf(inputs[i]!.shape) !== 1) throw nodeError(node, `bound '${node.inputs[i]}' must be a scalar`);
    }
    clipBounds(node, consts[1], consts[2]);
    return [{ dtype: 'float32', shape: [...x.shape] }];
  },
  evalFloat(node, inputs) {
    const x = floatInput(node, inputs, 0, 'input');
    const { min, max } = clipBounds(node, inputs[1], inputs[2]);
    const y = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      y[i] = v < min ? min : v > max ? max : v;
    }
    return [{ dtype: 'float32', shape: [...inputs[0]!.shape], data: y }];
  },
};

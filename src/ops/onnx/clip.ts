/**
 * ONNX Clip: y = min(max(x, min), max) (also when min > max: then y = max everywhere). The importer normalizes the bounds to attributes `min`
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

/**
 * The clip bounds of a Clip node given its (optional) bound tensors, as an interval min ≤ max.
 * ONNX defines Clip as min(max(x, min), max) (onnxruntime computes exactly that), so with
 * min > max every x gives max: the same as clamping to [max, max]. Everything that reads a Clip's
 * bounds (the float reference here, fuse_activation) sees that interval, and agrees with onnxruntime.
 */
export function clipBounds(node: Node, minT?: Tensor, maxT?: Tensor): { min: number; max: number } {
  const min = bound(node, 'min', minT);
  const max = bound(node, 'max', maxT);
  if (Number.isNaN(min) || Number.isNaN(max)) throw nodeError(node, `bound ${Number.isNaN(min) ? 'min' : 'max'} is NaN`);
  return { min: Math.min(min, max), max };
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
      y[i] = Math.min(Math.max(v, min), max);
    }
    return [{ dtype: 'float32', shape: [...inputs[0]!.shape], data: y }];
  },
};

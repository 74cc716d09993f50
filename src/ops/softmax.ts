/**
 * softmax — canonical softmax over one axis (attribute `axis`, negative counts from the end).
 * The passes only produce axis = -1 (the last axis), so each row is contiguous; the float
 * reference accepts any axis. Output shape = input shape. No activation range.
 */
import { attrInt } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { sizeOf } from '../ir/tensor.js';
import type { OpDef } from './common/op.js';
import { softmaxFloat } from './kernels/softmax.js';
import { floatInput, needFloat, normalizeAxis } from './common/checks.js';

export const softmax: OpDef = {
  op: 'softmax',
  inferShapes(node, inputs) {
    const x = needFloat(node, inputs, 0, 'input');
    normalizeAxis(node, attrInt(node, 'axis', -1), x.shape.length);
    return [{ dtype: 'float32', shape: [...x.shape] }];
  },
  evalFloat(node, inputs) {
    const x = inputs[0] as Tensor;
    const axis = normalizeAxis(node, attrInt(node, 'axis', -1), x.shape.length);
    const outer = sizeOf(x.shape.slice(0, axis));
    const inner = sizeOf(x.shape.slice(axis + 1));
    const data = softmaxFloat(floatInput(node, inputs, 0, 'input'), outer, x.shape[axis], inner);
    return [{ dtype: 'float32', shape: [...x.shape], data }];
  },
  cost: () => ({ macs: 0, params: 0 }),
  toOnnx: (n) => ({ nodes: [{ name: n.name, op: 'Softmax', inputs: [n.inputs[0]], outputs: [n.outputs[0]], attrs: { axis: attrInt(n, 'axis', -1) } }] }),
  // No int8 form: a final softmax runs in float on the dequantized logits (QuantizedModel.output.softmax).
};

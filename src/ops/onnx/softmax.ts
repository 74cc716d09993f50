/**
 * ONNX Softmax. Opset ≥ 13: normalize along `axis` only (default −1). Opset < 13 (`legacy_2d` = 1,
 * set by the importer): coerce the input to 2-D [prod before axis, prod from axis] and normalize
 * each row, i.e. over all dims from `axis` on (default axis 1).
 */
import { attrInt } from '../../ir/graph.js';
import { sizeOf } from '../../ir/tensor.js';
import type { OpDef } from '../common/op.js';
import { softmaxFloat } from '../kernels/softmax.js';
import { floatInput, needFloat, nodeError, normalizeAxis } from '../common/checks.js';

export const Softmax: OpDef = {
  op: 'Softmax',
  inferShapes(node, inputs) {
    const x = needFloat(node, inputs, 0, 'input');
    const legacy = attrInt(node, 'legacy_2d', 0) === 1;
    if (x.shape.length === 0) throw nodeError(node, 'input must have rank ≥ 1');
    normalizeAxis(node, attrInt(node, 'axis', legacy ? 1 : -1), x.shape.length);
    return [{ dtype: 'float32', shape: [...x.shape] }];
  },
  evalFloat(node, inputs) {
    const shape = inputs[0]!.shape;
    const x = floatInput(node, inputs, 0, 'input');
    const legacy = attrInt(node, 'legacy_2d', 0) === 1;
    const axis = normalizeAxis(node, attrInt(node, 'axis', legacy ? 1 : -1), shape.length);
    const outer = sizeOf(shape.slice(0, axis));
    const data = legacy ? softmaxFloat(x, outer, sizeOf(shape.slice(axis)), 1) : softmaxFloat(x, outer, shape[axis], sizeOf(shape.slice(axis + 1)));
    return [{ dtype: 'float32', shape: [...shape], data }];
  },
};

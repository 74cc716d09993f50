/** ONNX Identity: y = x. */
import type { OpDef } from '../common/op.js';
import { needInput, tensorInput } from '../common/checks.js';

export const Identity: OpDef = {
  op: 'Identity',
  inferShapes(node, inputs) {
    const x = needInput(node, inputs, 0, 'input');
    return [{ dtype: x.dtype, shape: [...x.shape] }];
  },
  evalFloat(node, inputs) {
    return [tensorInput(node, inputs, 0, 'input')];
  },
};

/** ONNX Identity: y = x. */
import type { OpDef } from '../op.js';
import { needInput, tensorInput } from './common.js';

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

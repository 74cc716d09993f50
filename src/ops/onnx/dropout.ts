/**
 * ONNX Dropout at inference: output 0 is the input unchanged (ratio and training_mode inputs are
 * ignored unless training_mode is a constant true). The optional mask output is all true.
 */
import { toNumbers } from '../../ir/tensor.js';
import type { OpDef } from '../common/op.js';
import { needInput, nodeError, tensorInput } from '../common/checks.js';

export const Dropout: OpDef = {
  op: 'Dropout',
  inferShapes(node, inputs, consts) {
    const x = needInput(node, inputs, 0, 'input');
    const training = consts[2];
    if (training && toNumbers(training).some((v) => v !== 0)) throw nodeError(node, 'training_mode = true is not supported');
    return [
      { dtype: x.dtype, shape: [...x.shape] },
      { dtype: 'bool', shape: [...x.shape] },
    ];
  },
  evalFloat(node, inputs) {
    const t = tensorInput(node, inputs, 0, 'input');
    if (!node.outputs[1]) return [t];
    return [t, { dtype: 'bool', shape: [...t.shape], data: new Uint8Array(t.data.length).fill(1) }];
  },
};

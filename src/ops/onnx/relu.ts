/** ONNX Relu: y = max(x, 0). */
import type { OpDef } from '../common/op.js';
import { floatInput, needFloat } from '../common/checks.js';

export const Relu: OpDef = {
  op: 'Relu',
  inferShapes(node, inputs) {
    const x = needFloat(node, inputs, 0, 'input');
    return [{ dtype: 'float32', shape: [...x.shape] }];
  },
  evalFloat(node, inputs) {
    const x = floatInput(node, inputs, 0, 'input');
    const y = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : x[i] < 0 ? 0 : x[i] + 0; // NaN stays NaN, −0 → 0
    return [{ dtype: 'float32', shape: [...inputs[0]!.shape], data: y }];
  },
};

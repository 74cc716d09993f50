/** ONNX BatchNormalization, inference form: y = (x − mean) / sqrt(var + ε) · scale + B per channel (dim 1). */
import { attrFloat, attrInt } from '../../ir/graph.js';
import { shapeToString, sizeOf } from '../../ir/tensor.js';
import type { OpDef } from '../common/op.js';
import { floatInput, needFloat, nodeError } from '../common/checks.js';

const PARAMS = ['scale', 'B', 'mean', 'var'] as const;

export const BatchNormalization: OpDef = {
  op: 'BatchNormalization',
  inferShapes(node, inputs, consts) {
    if (node.outputs.slice(1).some((o) => o !== '') || attrInt(node, 'training_mode', 0) !== 0) {
      throw nodeError(node, 'training-mode BatchNormalization (running mean/var outputs) is not supported');
    }
    const x = needFloat(node, inputs, 0, 'input');
    if (x.shape.length < 2) throw nodeError(node, `input '${node.inputs[0]}' has shape ${shapeToString(x.shape)}, expected rank ≥ 2`);
    const C = x.shape[1];
    PARAMS.forEach((what, k) => {
      const v = needFloat(node, inputs, k + 1, what);
      if (v.shape.length !== 1 || v.shape[0] !== C) {
        throw nodeError(node, `${what} has ${sizeOf(v.shape)} values, expected ${C} (channels of '${node.inputs[0]}')`);
      }
    });
    // var + ε ≤ 0 has no square root: refused here, naming the tensor, before a pass folds it into NaN weights.
    const variance = consts[4]?.data as Float32Array | undefined;
    const eps = attrFloat(node, 'epsilon', 1e-5);
    const bad = variance ? variance.findIndex((v) => !(v + eps > 0)) : -1;
    if (variance && bad >= 0) throw nodeError(node, `var '${node.inputs[4]}' element ${bad} is ${variance[bad]}: var + epsilon must be positive`);
    return [{ dtype: 'float32', shape: [...x.shape] }];
  },
  evalFloat(node, inputs) {
    const t = inputs[0]!;
    const x = floatInput(node, inputs, 0, 'input');
    const [scale, bias, mean, variance] = PARAMS.map((what, k) => floatInput(node, inputs, k + 1, what));
    const eps = attrFloat(node, 'epsilon', 1e-5);
    const C = t.shape[1];
    const inner = sizeOf(t.shape.slice(2));
    const y = new Float32Array(x.length);
    for (let c = 0; c < C; c++) {
      // Computed as onnxruntime does: x·a + b with a = scale/sqrt(var+ε), b = B − mean·a.
      const a = scale[c] / Math.sqrt(variance[c] + eps);
      const b = bias[c] - mean[c] * a;
      for (let base = c * inner; base < x.length; base += C * inner) {
        for (let i = 0; i < inner; i++) y[base + i] = x[base + i] * a + b;
      }
    }
    return [{ dtype: 'float32', shape: [...t.shape], data: y }];
  },
  cost: () => ({ macs: 0, params: 0 }),
};

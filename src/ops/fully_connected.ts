/**
 * fully_connected — y [N, O] = x' · wᵀ + b, where x' is x flattened to [N, K] (row-major, so any
 * Flatten/Reshape/Squeeze that keeps the batch dimension in front of it is a no-op). Inputs
 * [x (N, ...), w (O, K), b (O)]; attributes act_min / act_max.
 */
import { shapeToString, sizeOf } from '../ir/tensor.js';
import type { Tensor } from '../ir/tensor.js';
import type { OpDef } from './op.js';
import { gemmFloat } from './kernels/gemm.js';
import { floatInput, needFloat, needRank, nodeError } from './onnx/common.js';
import { clampToActRange } from './conv2d.js';

export const fully_connected: OpDef = {
  op: 'fully_connected',
  inferShapes(node, inputs) {
    const x = needFloat(node, inputs, 0, 'input');
    const w = needFloat(node, inputs, 1, 'weight');
    const b = needFloat(node, inputs, 2, 'bias');
    needRank(node, w, 1, 'weight', 2);
    if (x.shape.length < 1) throw nodeError(node, `input '${node.inputs[0]}' must have a batch dimension`);
    const [O, K] = w.shape;
    const k = sizeOf(x.shape.slice(1));
    if (k !== K) throw nodeError(node, `input '${node.inputs[0]}' ${shapeToString(x.shape)} has ${k} features per batch item, weight '${node.inputs[1]}' ${shapeToString(w.shape)} expects ${K}`);
    if (b.shape.length !== 1 || b.shape[0] !== O) throw nodeError(node, `bias '${node.inputs[2]}' has shape ${shapeToString(b.shape)}, expected [${O}]`);
    return [{ dtype: 'float32', shape: [x.shape[0], O] }];
  },
  evalFloat(node, inputs) {
    const x = inputs[0] as Tensor;
    const w = inputs[1] as Tensor;
    const N = x.shape[0];
    const [O, K] = w.shape;
    const data = gemmFloat(
      floatInput(node, inputs, 0, 'input'),
      [N, K],
      floatInput(node, inputs, 1, 'weight'),
      [O, K],
      floatInput(node, inputs, 2, 'bias'),
      [O],
      { alpha: 1, beta: 1, transA: false, transB: true },
    );
    return [{ dtype: 'float32', shape: [N, O], data: clampToActRange(node, data) }];
  },
  cost(_node, inputs) {
    // MACs = in · out (per batch item, times the batch); params = weights + one bias per output.
    const x = inputs[0];
    const w = inputs[1];
    if (!x || !w) return { macs: 0, params: 0 };
    return { macs: x.shape[0] * w.shape[0] * w.shape[1], params: sizeOf(w.shape) + w.shape[0] };
  },
};

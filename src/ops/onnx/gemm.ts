/** ONNX Gemm: Y = alpha · A' · B' + beta · C, A' = transA ? Aᵀ : A, B' likewise; C broadcast to [M, N]. */
import type { Node, ValueInfo } from '../../ir/graph.js';
import { attrFloat, attrInt } from '../../ir/graph.js';
import { shapeToString } from '../../ir/tensor.js';
import type { OpDef } from '../common/op.js';
import type { GemmParams } from '../kernels/gemm.js';
import { gemmFloat } from '../kernels/gemm.js';
import { floatInput, needFloat, needRank, nodeError } from '../common/checks.js';

function gemmParams(node: Node): GemmParams {
  return {
    alpha: attrFloat(node, 'alpha', 1),
    beta: attrFloat(node, 'beta', 1),
    transA: attrInt(node, 'transA', 0) === 1,
    transB: attrInt(node, 'transB', 0) === 1,
  };
}

function gemmDims(node: Node, inputs: readonly (ValueInfo | undefined)[]): { M: number; K: number; N: number } {
  const a = needFloat(node, inputs, 0, 'A');
  const b = needFloat(node, inputs, 1, 'B');
  needRank(node, a, 0, 'A', 2);
  needRank(node, b, 1, 'B', 2);
  const p = gemmParams(node);
  const [M, K] = p.transA ? [a.shape[1], a.shape[0]] : a.shape;
  const [Kb, N] = p.transB ? [b.shape[1], b.shape[0]] : b.shape;
  if (K !== Kb) {
    throw nodeError(node, `A '${node.inputs[0]}' ${shapeToString(a.shape)} and B '${node.inputs[1]}' ${shapeToString(b.shape)} have inner dims ${K} and ${Kb} (transA ${+p.transA}, transB ${+p.transB})`);
  }
  const c = inputs[2];
  if (c) {
    if (c.dtype !== 'float32') throw nodeError(node, `C '${node.inputs[2]}' is ${c.dtype}, expected float32`);
    const cs = c.shape.length === 0 ? [1, 1] : c.shape.length === 1 ? [1, c.shape[0]] : c.shape;
    if (cs.length !== 2 || (cs[0] !== 1 && cs[0] !== M) || (cs[1] !== 1 && cs[1] !== N)) {
      throw nodeError(node, `C '${node.inputs[2]}' ${shapeToString(c.shape)} does not broadcast to [${M}, ${N}]`);
    }
  }
  return { M, K, N };
}

export const Gemm: OpDef = {
  op: 'Gemm',
  inferShapes(node, inputs) {
    const { M, N } = gemmDims(node, inputs);
    return [{ dtype: 'float32', shape: [M, N] }];
  },
  evalFloat(node, inputs) {
    const p = gemmParams(node);
    const a = inputs[0]!;
    const b = inputs[1]!;
    const c = inputs[2];
    const data = gemmFloat(
      floatInput(node, inputs, 0, 'A'), a.shape,
      floatInput(node, inputs, 1, 'B'), b.shape,
      c ? floatInput(node, inputs, 2, 'C') : undefined, c?.shape, p,
    );
    const M = p.transA ? a.shape[1] : a.shape[0];
    const N = p.transB ? b.shape[0] : b.shape[1];
    return [{ dtype: 'float32', shape: [M, N], data }];
  },
  cost(node, inputs) {
    // A fully connected layer: in·out MACs per row; params = weights + one bias per output.
    const { M, K, N } = gemmDims(node, inputs);
    return { macs: M * K * N, params: K * N + N };
  },
};

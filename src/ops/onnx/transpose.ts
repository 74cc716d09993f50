/** ONNX Transpose: output dim k is input dim perm[k] (perm defaults to reversing the dims). */
import type { Node } from '../../ir/graph.js';
import { attrInts } from '../../ir/graph.js';
import { shapeToString } from '../../ir/tensor.js';
import type { OpDef } from '../common/op.js';
import { transposeData, transposeShape } from '../kernels/transpose.js';
import { needInput, nodeError, tensorInput } from '../common/checks.js';

export function transposePerm(node: Node, rank: number): number[] {
  const perm = [...attrInts(node, 'perm', Array.from({ length: rank }, (_, i) => rank - 1 - i))];
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== rank || sorted.some((p, i) => p !== i)) {
    throw nodeError(node, `perm ${shapeToString(perm)} is not a permutation of ${rank} axes`);
  }
  return perm;
}

export const Transpose: OpDef = {
  op: 'Transpose',
  inferShapes(node, inputs) {
    const x = needInput(node, inputs, 0, 'input');
    return [{ dtype: x.dtype, shape: transposeShape(x.shape, transposePerm(node, x.shape.length)) }];
  },
  evalFloat(node, inputs) {
    const t = tensorInput(node, inputs, 0, 'input');
    const perm = transposePerm(node, t.shape.length);
    return [{ dtype: t.dtype, shape: transposeShape(t.shape, perm), data: transposeData(t.data, t.shape, perm) }];
  },
};

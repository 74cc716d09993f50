/**
 * ONNX MatMul (numpy matmul): 1-D operands are promoted (a [K] → [1, K], b [K] → [K, 1]) and the
 * added dim dropped again; batch dims broadcast.
 */
import type { Node, ValueInfo } from '../../ir/graph.js';
import { shapeToString, sizeOf } from '../../ir/tensor.js';
import type { OpDef } from '../common/op.js';
import { broadcastShapes } from '../kernels/broadcast.js';
import { gemmFloat } from '../kernels/gemm.js';
import { floatInput, needFloat, nodeError } from '../common/checks.js';

interface MatMulDims {
  M: number;
  K: number;
  N: number;
  batch: number[];
  out: number[];
}

function matmulDims(node: Node, aShape: readonly number[], bShape: readonly number[]): MatMulDims {
  if (aShape.length === 0 || bShape.length === 0) throw nodeError(node, 'scalar operands are not allowed');
  const a2 = aShape.length === 1 ? [1, aShape[0]] : aShape;
  const b2 = bShape.length === 1 ? [bShape[0], 1] : bShape;
  const [M, K] = a2.slice(-2);
  const [Kb, N] = b2.slice(-2);
  if (K !== Kb) throw nodeError(node, `'${node.inputs[0]}' ${shapeToString(aShape)} and '${node.inputs[1]}' ${shapeToString(bShape)}: inner dims ${K} and ${Kb} differ`);
  const batch = broadcastShapes(a2.slice(0, -2), b2.slice(0, -2));
  if (!batch) throw nodeError(node, `batch dims of ${shapeToString(aShape)} and ${shapeToString(bShape)} do not broadcast`);
  const out = [...batch];
  if (aShape.length > 1) out.push(M);
  if (bShape.length > 1) out.push(N);
  return { M, K, N, batch, out };
}

function inferDims(node: Node, inputs: readonly (ValueInfo | undefined)[]): MatMulDims {
  const a = needFloat(node, inputs, 0, 'A');
  const b = needFloat(node, inputs, 1, 'B');
  return matmulDims(node, a.shape, b.shape);
}

export const MatMul: OpDef = {
  op: 'MatMul',
  inferShapes(node, inputs) {
    return [{ dtype: 'float32', shape: inferDims(node, inputs).out }];
  },
  evalFloat(node, inputs) {
    const aT = inputs[0]!;
    const bT = inputs[1]!;
    const a = floatInput(node, inputs, 0, 'A');
    const b = floatInput(node, inputs, 1, 'B');
    const { M, K, N, batch, out } = matmulDims(node, aT.shape, bT.shape);
    const y = new Float32Array(sizeOf(out));
    const aBatch = aT.shape.length > 2 ? aT.shape.slice(0, -2) : [];
    const bBatch = bT.shape.length > 2 ? bT.shape.slice(0, -2) : [];
    const nBatch = sizeOf(batch);
    const params = { alpha: 1, beta: 0, transA: false, transB: false };
    for (let i = 0; i < nBatch; i++) {
      const ia = batchOffset(i, batch, aBatch);
      const ib = batchOffset(i, batch, bBatch);
      const part = gemmFloat(a.subarray(ia * M * K, (ia + 1) * M * K), [M, K], b.subarray(ib * K * N, (ib + 1) * K * N), [K, N], undefined, undefined, params);
      y.set(part, i * M * N);
    }
    return [{ dtype: 'float32', shape: out, data: y }];
  },
  cost(node, inputs) {
    // With a constant weight this is a fully connected layer: in·out MACs, weights + one bias per output.
    const { M, K, N, batch } = inferDims(node, inputs);
    return { macs: sizeOf(batch) * M * K * N, params: K * N + N };
  },
};

/** The flat batch index into an operand with batch dims `own` for output batch index `i` over `batch`. */
function batchOffset(i: number, batch: readonly number[], own: readonly number[]): number {
  let off = 0;
  let stride = 1;
  let rest = i;
  for (let d = batch.length - 1; d >= 0; d--) {
    const coord = rest % batch[d];
    rest = Math.floor(rest / batch[d]);
    const od = own.length - batch.length + d;
    if (od >= 0) {
      if (own[od] !== 1) off += coord * stride;
      stride *= own[od];
    }
  }
  return off;
}

/** Small checks shared by the ONNX op files: every message names the node and the tensor at fault. */
import type { Node, ValueInfo } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import { shapeToString } from '../../ir/tensor.js';
import { UserError } from '../../util/errors.js';

export function nodeError(node: Node, message: string): UserError {
  return new UserError(`node '${node.name}' (${node.op}): ${message}`);
}

/** The ValueInfo of input `i`, or a UserError saying which input (`what`) is missing. */
export function needInput(node: Node, inputs: readonly (ValueInfo | undefined)[], i: number, what: string): ValueInfo {
  const v = inputs[i];
  if (!v) throw nodeError(node, `missing input ${i} (${what})`);
  return v;
}

/** Input `i` must be float32. */
export function needFloat(node: Node, inputs: readonly (ValueInfo | undefined)[], i: number, what: string): ValueInfo {
  const v = needInput(node, inputs, i, what);
  if (v.dtype !== 'float32') throw nodeError(node, `${what} '${node.inputs[i]}' is ${v.dtype}, expected float32`);
  return v;
}

export function needRank(node: Node, v: ValueInfo, i: number, what: string, rank: number): void {
  if (v.shape.length !== rank) {
    throw nodeError(node, `${what} '${node.inputs[i]}' has shape ${shapeToString(v.shape)}, expected rank ${rank}`);
  }
}

/** The tensor at input `i` at evaluation time (the interpreter passes undefined for absent inputs). */
export function tensorInput(node: Node, inputs: readonly (Tensor | undefined)[], i: number, what: string): Tensor {
  const t = inputs[i];
  if (!t) throw nodeError(node, `missing input ${i} (${what})`);
  return t;
}

/** A float32 tensor input's data. */
export function floatInput(node: Node, inputs: readonly (Tensor | undefined)[], i: number, what: string): Float32Array {
  const t = tensorInput(node, inputs, i, what);
  if (t.dtype !== 'float32') throw nodeError(node, `${what} '${node.inputs[i]}' is ${t.dtype}, expected float32`);
  return t.data as Float32Array;
}

/** Normalizes a possibly negative axis against `rank`, or a UserError. */
export function normalizeAxis(node: Node, axis: number, rank: number, what = 'axis'): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw nodeError(node, `${what} ${axis} out of range for rank ${rank}`);
  return a;
}

/** A tensor with the same data viewed under another shape (shape ops do not copy). */
export function reshaped(t: Tensor, shape: readonly number[]): Tensor {
  return { dtype: t.dtype, shape: [...shape], data: t.data };
}

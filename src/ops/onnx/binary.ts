/** Elementwise float binary ops with numpy (multidirectional) broadcasting. */
import { shapeToString } from '../../ir/tensor.js';
import type { OpDef } from '../common/op.js';
import { broadcastBinary, broadcastShapes } from '../kernels/broadcast.js';
import { floatInput, needFloat, nodeError } from '../common/checks.js';

export function binaryOp(op: string, f: (a: number, b: number) => number): OpDef {
  return {
    op,
    inferShapes(node, inputs) {
      const a = needFloat(node, inputs, 0, 'A');
      const b = needFloat(node, inputs, 1, 'B');
      const shape = broadcastShapes(a.shape, b.shape);
      if (!shape) throw nodeError(node, `'${node.inputs[0]}' ${shapeToString(a.shape)} and '${node.inputs[1]}' ${shapeToString(b.shape)} do not broadcast`);
      return [{ dtype: 'float32', shape }];
    },
    evalFloat(node, inputs) {
      const { data, shape } = broadcastBinary(floatInput(node, inputs, 0, 'A'), inputs[0]!.shape, floatInput(node, inputs, 1, 'B'), inputs[1]!.shape, f);
      return [{ dtype: 'float32', shape, data }];
    },
  };
}

/**
 * lower_softmax: ONNX Softmax → softmax over the last axis (axis = -1). Opset ≥ 13 softmax over
 * axis a and the legacy (opset < 13, legacy_2d = 1) "flatten from a, softmax each row" are both
 * the last-axis softmax when a is the last axis; anything else is a UserError.
 */
import { attrInt } from '../ir/graph.js';
import type { Pass } from './pass.js';
import { GraphEditor, originOf } from './edit.js';
import { shapeToString } from '../ir/tensor.js';
import { UserError } from '../util/errors.js';

export const lowerSoftmax: Pass = {
  name: 'lower_softmax',
  run(g) {
    const ed = new GraphEditor(g);
    ed.nodes.forEach((n, i) => {
      if (!n || n.op !== 'Softmax') return;
      const shape = ed.info(n.inputs[0])!.shape;
      const rank = shape.length;
      const raw = attrInt(n, 'axis', -1);
      const axis = raw < 0 ? raw + rank : raw;
      if (axis !== rank - 1) {
        throw new UserError(`node '${n.name}' (Softmax): softmax over axis ${raw} of ${shapeToString(shape)} is not over the last axis; not supported`);
      }
      ed.replace(i, { name: n.name, op: 'softmax', inputs: [n.inputs[0]], outputs: [n.outputs[0]], attrs: { axis: -1 }, origin: originOf(n) });
    });
    return ed.finish();
  },
};

/**
 * remove_reshapes: Flatten / Reshape / Squeeze / Unsqueeze that do nothing the canonical ops need:
 * - output shape = input shape (e.g. a Flatten of a [N, O] that is already flat), or
 * - every reader is a fully_connected taking it as input and the batch dimension is kept
 *   (fully_connected flattens [N, …] to [N, K] row-major, which every reshape preserves).
 * A reshape that writes a graph output is kept unless it is a no-op, so the output shape the
 * ONNX model promised never changes.
 */
import { sameShape } from '../ir/tensor.js';
import type { Pass } from './pass.js';
import { GraphEditor } from './edit.js';

const RESHAPES = new Set(['Flatten', 'Reshape', 'Squeeze', 'Unsqueeze']);

export const removeReshapes: Pass = {
  name: 'remove_reshapes',
  run(g) {
    const ed = new GraphEditor(g);
    ed.nodes.forEach((n, i) => {
      if (!n || !RESHAPES.has(n.op)) return;
      const x = n.inputs[0];
      const y = n.outputs[0];
      const xs = ed.info(x)!.shape;
      const ys = ed.info(y)!.shape;
      if (sameShape(xs, ys)) {
        ed.bypass(i);
        return;
      }
      const readers = ed.consumerIndices(y);
      const allFc = readers.length > 0 && readers.every((r) => {
        const c = ed.nodes[r]!;
        return c.op === 'fully_connected' && c.inputs[0] === y && !c.inputs.slice(1).includes(y);
      });
      if (allFc && !ed.isGraphOutput(y) && xs.length >= 1 && ys.length >= 1 && xs[0] === ys[0]) ed.bypass(i);
    });
    return ed.finish();
  },
};

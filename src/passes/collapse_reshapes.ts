/**
 * collapse_reshapes: shape-only ops are rewritten into the simplest form the later passes
 * recognise.
 * - A Transpose that moves only size-1 dimensions keeps the row-major order of the data, so it
 *   is a Reshape (tf2onnx writes Conv → Transpose(0,2,3,1) → Reshape for a Keras classifier on a
 *   1×1 map).
 * - A chain of Flatten / Reshape / Squeeze / Unsqueeze (and such Transposes) becomes one Reshape
 *   from the first input to the last output shape, when the tensors in between have no other
 *   reader and are not graph outputs.
 * The new Reshape reads an int64 constant '<node>.shape' with the explicit target shape.
 */
import type { Node } from '../ir/graph.js';
import { attrInts } from '../ir/graph.js';
import { int64Tensor } from '../ir/tensor.js';
import type { Pass } from './pass.js';
import { GraphEditor, originOf } from './edit.js';

const RESHAPES = new Set(['Flatten', 'Reshape', 'Squeeze', 'Unsqueeze']);

export const collapseReshapes: Pass = {
  name: 'collapse_reshapes',
  run(g) {
    const ed = new GraphEditor(g);
    const isShapeOnly = (n: Node): boolean => RESHAPES.has(n.op) || (n.op === 'Transpose' && movesOnlyUnitDims(attrInts(n, 'perm', []), ed.info(n.inputs[0])!.shape));
    ed.nodes.forEach((n, i) => {
      if (!n || !isShapeOnly(n)) return;
      // Absorb the shape-only producer of this node's input (already collapsed: the editor holds
      // the rewritten node, so a chain folds left to right in one sweep).
      let input = n.inputs[0];
      let origin = originOf(n);
      const p = ed.producerIndex(input);
      const prod = p >= 0 ? ed.nodes[p]! : undefined;
      if (prod && isShapeOnly(prod) && ed.useCount(input) === 1) {
        input = prod.inputs[0];
        origin = [...originOf(prod), ...origin];
        ed.remove(p);
      } else if (n.op !== 'Transpose') {
        return; // a lone Flatten / Reshape / Squeeze / Unsqueeze is fine as it is
      }
      const shape = ed.info(n.outputs[0])!.shape;
      const target = ed.addConstant(`${n.name}.shape`, int64Tensor(shape));
      ed.replace(i, { name: n.name, op: 'Reshape', inputs: [input, target], outputs: [n.outputs[0]], attrs: {}, origin });
    });
    return ed.finish();
  },
};

/** True when perm keeps the relative order of every dimension larger than 1. */
function movesOnlyUnitDims(perm: readonly number[], shape: readonly number[]): boolean {
  if (perm.length !== shape.length) return false;
  const big = perm.filter((axis) => shape[axis] !== 1);
  return big.every((axis, k) => k === 0 || axis > big[k - 1]);
}

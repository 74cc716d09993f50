/**
 * pointwise_to_fc: a 1×1 conv2d on a 1×1 map (the Keras MobileNet classifier after global
 * pooling) is a fully-connected layer: w (O, C, 1, 1) is viewed as (O, C) and the output becomes
 * [N, O] instead of [N, O, 1, 1]. Done only when every reader copes with that: fully_connected
 * (it flattens) or a Flatten / Reshape / Squeeze producing [N, O], which then does nothing and is
 * removed here (the graph output keeps its name and its [N, O] shape).
 */
import { attrInts } from '../ir/graph.js';
import type { Node } from '../ir/graph.js';
import { sameShape } from '../ir/tensor.js';
import type { Pass } from './pass.js';
import { GraphEditor } from './edit.js';

const RESHAPES = new Set(['Flatten', 'Reshape', 'Squeeze']);

export const pointwiseToFc: Pass = {
  name: 'pointwise_to_fc',
  run(g) {
    const ed = new GraphEditor(g);
    ed.nodes.forEach((n, i) => {
      if (!n || n.op !== 'conv2d') return;
      const x = ed.info(n.inputs[0])!.shape;
      const w = ed.constant(n.inputs[1])!;
      const y = n.outputs[0];
      const [N, O] = ed.info(y)!.shape;
      if (x[2] !== 1 || x[3] !== 1 || w.shape[2] !== 1 || w.shape[3] !== 1) return;
      if (attrInts(n, 'pads', [0, 0, 0, 0]).some((v) => v !== 0) || ed.isGraphOutput(y)) return;
      const readers = ed.consumerIndices(y);
      const ok = (r: Node): boolean =>
        (r.op === 'fully_connected' && r.inputs[0] === y && !r.inputs.slice(1).includes(y)) ||
        (RESHAPES.has(r.op) && r.inputs[0] === y && sameShape(ed.info(r.outputs[0])!.shape, [N, O]));
      if (readers.length === 0 || !readers.every((r) => ok(ed.nodes[r]!))) return;
      // Same float data viewed as (O, C): tensors are immutable, so sharing it is safe.
      const w2 = ed.addConstant(`${n.name}.weight_fc`, { dtype: w.dtype, shape: [w.shape[0], w.shape[1]], data: w.data });
      ed.replace(i, { ...n, op: 'fully_connected', inputs: [n.inputs[0], w2, n.inputs[2]], attrs: { act_min: n.attrs.act_min ?? -Infinity, act_max: n.attrs.act_max ?? Infinity } });
      for (const r of readers) if (ed.nodes[r]!.op !== 'fully_connected') ed.bypass(r);
    });
    return ed.finish();
  },
};

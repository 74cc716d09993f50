/**
 * fold_channel_affine: a channel_affine (from lower_mul_add, or a BatchNormalization that had
 * nothing to fold into when fold_batchnorm ran) right after a conv2d / depthwise_conv2d /
 * fully_connected that nobody else reads folds into its weights and bias exactly as a
 * BatchNormalization does: w' = w·scale[o], b' = b·scale[o] + shift[o]. Two channel_affines in a
 * row compose into one. An affine with a fused activation is left alone (it runs after this pass
 * anyway, so that does not happen in the float pipeline).
 */
import type { Node } from '../ir/graph.js';
import { floatData, floatTensor } from '../ir/tensor.js';
import type { Pass } from './pass.js';
import { GraphEditor, originOf } from './edit.js';
import { canFoldInto, foldScaleShift } from './fold_batchnorm.js';

export const foldChannelAffine: Pass = {
  name: 'fold_channel_affine',
  run(g) {
    const ed = new GraphEditor(g);
    ed.nodes.forEach((a, i) => {
      if (!a || a.op !== 'channel_affine' || bounded(a)) return;
      const x = a.inputs[0];
      const p = ed.producerIndex(x);
      const prod = p >= 0 ? ed.nodes[p]! : undefined;
      const scaleT = ed.constant(a.inputs[1]);
      const shiftT = ed.constant(a.inputs[2]);
      if (!prod || !scaleT || !shiftT) return;
      const scale = floatData(scaleT, 'scale');
      const shift = floatData(shiftT, 'shift');
      if (canFoldInto(ed, prod, x)) {
        ed.replace(p, foldScaleShift(ed, prod, scale, shift, a));
        ed.remove(i);
      } else if (prod.op === 'channel_affine' && !bounded(prod) && ed.useCount(x) === 1) {
        // (x·s1 + b1)·s2 + b2 = x·(s1·s2) + (b1·s2 + b2)
        const s1 = ed.constant(prod.inputs[1]);
        const b1 = ed.constant(prod.inputs[2]);
        if (!s1 || !b1) return;
        const s1d = floatData(s1, 'scale');
        const b1d = floatData(b1, 'shift');
        const s = ed.addConstant(`${prod.name}.scale_folded`, floatTensor([scale.length], s1d.map((v, c) => v * scale[c])));
        const b = ed.addConstant(`${prod.name}.shift_folded`, floatTensor([scale.length], b1d.map((v, c) => v * scale[c] + shift[c])));
        ed.replace(p, { ...prod, inputs: [prod.inputs[0], s, b], outputs: [a.outputs[0]], origin: [...originOf(prod), ...originOf(a)] });
        ed.remove(i);
      }
    });
    return ed.finish();
  },
};

function bounded(n: Node): boolean {
  return (n.attrs.act_min ?? -Infinity) !== -Infinity || (n.attrs.act_max ?? Infinity) !== Infinity;
}

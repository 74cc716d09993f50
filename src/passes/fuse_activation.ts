/**
 * fuse_activation: Relu ([0, ∞)), Clip(min, max) — Relu6 is Clip(0, 6) — right after a canonical
 * conv2d, depthwise_conv2d, fully_connected, average_pool, global_average_pool or channel_affine
 * that nothing else reads become that node's act_min / act_max. Several in a row intersect
 * (clamp(clamp(x, a, b), c, d) = clamp(x, max(a, c), min(b, d)) when the ranges overlap; disjoint
 * ranges are left alone). Works on canonical ops only, so it runs after the lowering passes and
 * after fold_batchnorm (Conv → BN → Relu6 fuses once BN is folded).
 */
import { attrFloat } from '../ir/graph.js';
import type { Node } from '../ir/graph.js';
import type { Pass } from './pass.js';
import { GraphEditor, originOf } from './edit.js';
import { clipBounds } from '../ops/onnx/clip.js';

const TAKES_ACTIVATION = new Set(['conv2d', 'depthwise_conv2d', 'fully_connected', 'average_pool', 'global_average_pool', 'channel_affine']);

export const fuseActivation: Pass = {
  name: 'fuse_activation',
  run(g) {
    const ed = new GraphEditor(g);
    ed.nodes.forEach((act, i) => {
      const range = act && activationRange(ed, act);
      if (!act || !range) return;
      const x = act.inputs[0];
      const p = ed.producerIndex(x);
      const prod = p >= 0 ? ed.nodes[p]! : undefined;
      if (!prod || !TAKES_ACTIVATION.has(prod.op) || ed.useCount(x) !== 1) return;
      const lo = Math.max(attrFloat(prod, 'act_min', -Infinity), range[0]);
      const hi = Math.min(attrFloat(prod, 'act_max', Infinity), range[1]);
      if (!(lo <= hi)) return;
      ed.replace(p, { ...prod, outputs: [act.outputs[0]], attrs: { ...prod.attrs, act_min: lo, act_max: hi }, origin: [...originOf(prod), ...originOf(act)] });
      ed.remove(i);
    });
    return ed.finish();
  },
};

/** [min, max] of a Relu or Clip (bounds as attributes or constant inputs), else undefined. */
function activationRange(ed: GraphEditor, n: Node): [number, number] | undefined {
  if (n.op === 'Relu') return [0, Infinity];
  if (n.op !== 'Clip') return undefined;
  const minT = n.inputs[1] ? ed.constant(n.inputs[1]) : undefined;
  const maxT = n.inputs[2] ? ed.constant(n.inputs[2]) : undefined;
  // A bound given by a runtime tensor cannot be fused.
  if ((n.inputs[1] && !minT) || (n.inputs[2] && !maxT)) return undefined;
  const { min, max } = clipBounds(n, minT, maxT);
  return [min, max];
}

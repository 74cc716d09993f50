/** average_pool_to_global: an unpadded average_pool whose window is the whole map → global_average_pool. */
import { attrInts } from '../ir/graph.js';
import type { Pass } from './pass.js';
import { GraphEditor } from './edit.js';

export const averagePoolToGlobal: Pass = {
  name: 'average_pool_to_global',
  run(g) {
    const ed = new GraphEditor(g);
    ed.nodes.forEach((n, i) => {
      if (!n || n.op !== 'average_pool') return;
      const [, , H, W] = ed.info(n.inputs[0])!.shape;
      const k = attrInts(n, 'kernel');
      if (k[0] !== H || k[1] !== W || attrInts(n, 'pads', [0, 0, 0, 0]).some((v) => v !== 0)) return;
      ed.replace(i, { ...n, op: 'global_average_pool', attrs: { act_min: n.attrs.act_min ?? -Infinity, act_max: n.attrs.act_max ?? Infinity } });
    });
    return ed.finish();
  },
};

/** remove_dead_nodes: nodes none of whose outputs reach a graph output are dropped. */
import type { Pass } from './pass.js';
import { GraphEditor } from './edit.js';

export const removeDeadNodes: Pass = {
  name: 'remove_dead_nodes',
  run(g) {
    const ed = new GraphEditor(g);
    const live = new Set(g.outputs);
    // Walk backwards: a node is live when something live reads one of its outputs.
    for (let i = ed.nodes.length - 1; i >= 0; i--) {
      const n = ed.nodes[i]!;
      if (n.outputs.some((o) => o !== '' && live.has(o))) n.inputs.forEach((x) => live.add(x));
      else ed.remove(i);
    }
    return ed.finish();
  },
};

/**
 * remove_identity: Identity and Dropout (inference: output 0 = input 0) are dropped and their
 * readers wired to the input. A Dropout whose mask output is read is refused: the mask has no
 * meaning at inference and nothing downstream can use it.
 */
import type { Pass } from './pass.js';
import { GraphEditor } from './edit.js';
import { UserError } from '../util/errors.js';

export const removeIdentity: Pass = {
  name: 'remove_identity',
  run(g) {
    const ed = new GraphEditor(g);
    ed.nodes.forEach((n, i) => {
      if (!n || (n.op !== 'Identity' && n.op !== 'Dropout')) return;
      const mask = n.outputs[1];
      if (mask && ed.useCount(mask) > 0) {
        throw new UserError(`node '${n.name}' (Dropout): its mask output '${mask}' is used; only the data output is supported`);
      }
      // Impossible only for an Identity from a graph input straight to a graph output; left in place.
      ed.bypass(i);
    });
    return ed.finish();
  },
};

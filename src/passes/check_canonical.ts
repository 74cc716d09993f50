/**
 * check_canonical: the last float pass. Every node must now be in the canonical vocabulary;
 * anything else is listed (op and node name) in one UserError. Returns the graph unchanged.
 */
import type { Pass } from './pass.js';
import { CANONICAL_OPS } from '../ops/registry.js';
import { UserError } from '../util/errors.js';

const CANONICAL = new Set(CANONICAL_OPS.map((d) => d.op));

export const checkCanonical: Pass = {
  name: 'check_canonical',
  run(g) {
    const left = g.nodes.filter((n) => !CANONICAL.has(n.op));
    if (left.length > 0) {
      const list = left.map((n) => `${n.op} '${n.name}'`).join(', ');
      throw new UserError(
        `${g.meta.source ?? `graph '${g.name}'`}: ${left.length} node(s) have no canonical form after the float passes: ${list} ` +
          `(supported: ${[...CANONICAL].join(', ')})`,
      );
    }
    return g;
  },
};

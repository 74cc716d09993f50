/** Shape inference over a whole graph (owner: ir/ops). */
import type { Graph } from './graph.js';

/** Returns `g` with `values` holding the dtype and shape of every tensor. */
export function inferShapes(g: Graph): Graph {
  throw new Error('inferShapes not implemented yet');
}

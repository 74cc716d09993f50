/**
 * The float interpreter: runs a graph node by node with each op's float reference. Tensors are
 * dropped after their last use (unless keep = 'all'), so a whole MobileNet fits comfortably.
 */
import type { Graph, Node } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { sameShape, shapeToString, sizeOf } from '../ir/tensor.js';
import { getOp } from '../ops/registry.js';
import { UserError } from '../util/errors.js';

export interface RunOptions {
  /** 'outputs' (default): the result holds the graph outputs; 'all': every tensor computed, plus inputs. */
  keep?: 'outputs' | 'all';
  /** Called after each node with its outputs (for calibration observers and debugging). */
  onNode?: (node: Node, outputs: Tensor[]) => void;
}

export function runFloat(g: Graph, feeds: Record<string, Tensor>, opts: RunOptions = {}): Map<string, Tensor> {
  const keepAll = opts.keep === 'all';
  const live = new Map<string, Tensor>();
  for (const name of g.inputs) {
    const t = feeds[name];
    const info = g.values.get(name);
    if (!t) throw new UserError(`input '${name}' was not fed (graph '${g.name}' expects ${g.inputs.map((i) => `'${i}'`).join(', ')})`);
    if (info && (!sameShape(t.shape, info.shape) || t.dtype !== info.dtype)) {
      throw new UserError(`input '${name}': got ${t.dtype} ${shapeToString(t.shape)}, expected ${info.dtype} ${shapeToString(info.shape)}`);
    }
    if (t.data.length !== sizeOf(t.shape)) throw new UserError(`input '${name}': ${t.data.length} values for shape ${shapeToString(t.shape)}`);
    live.set(name, t);
  }
  for (const name of Object.keys(feeds)) {
    if (!g.inputs.includes(name)) throw new UserError(`feed '${name}' is not an input of graph '${g.name}'`);
  }

  // Index of the last node that reads each tensor; graph outputs are never freed.
  const lastUse = new Map<string, number>();
  g.nodes.forEach((n, i) => n.inputs.forEach((t) => t && lastUse.set(t, i)));
  const outputs = new Set(g.outputs);

  g.nodes.forEach((node, index) => {
    const def = getOp(node.op);
    if (!def) throw new UserError(`node '${node.name}': unsupported op '${node.op}'`);
    const args = node.inputs.map((name) => {
      if (name === '') return undefined;
      const t = live.get(name) ?? g.constants.get(name);
      if (!t) throw new UserError(`node '${node.name}' (${node.op}): input '${name}' is not available`);
      return t;
    });
    const results = def.evalFloat(node, args);
    node.outputs.forEach((o, k) => {
      if (o === '') return;
      const t = results[k];
      if (!t) throw new Error(`node '${node.name}' (${node.op}): evalFloat returned no tensor for output '${o}'`);
      live.set(o, t);
    });
    opts.onNode?.(node, results);
    if (!keepAll) {
      for (const name of node.inputs) {
        if (name && lastUse.get(name) === index && !outputs.has(name)) live.delete(name);
      }
      for (const o of node.outputs) if (o && !lastUse.has(o) && !outputs.has(o)) live.delete(o);
    }
  });

  if (keepAll) return live;
  const result = new Map<string, Tensor>();
  for (const o of g.outputs) {
    const t = live.get(o) ?? g.constants.get(o);
    if (!t) throw new UserError(`graph '${g.name}': output '${o}' was not computed`);
    result.set(o, t);
  }
  return result;
}

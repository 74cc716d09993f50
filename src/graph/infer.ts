/** Shape inference over a whole graph (owner: ir/ops). */
import type { Graph, ValueInfo } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { shapeToString } from '../ir/tensor.js';
import { getOp } from '../ops/registry.js';
import { UserError } from '../util/errors.js';
import { checkAttributes, checkShape } from './verify.js';

/**
 * Returns `g` with `values` holding the dtype and shape of every tensor: graph inputs (taken from
 * g.values), constants (from their tensors) and every node output, in node order.
 * Throws a UserError naming the node on an unknown op, an undefined input or a shape problem.
 */
export function inferShapes(g: Graph): Graph {
  const values = new Map<string, ValueInfo>();
  for (const name of g.inputs) {
    const info = g.values.get(name);
    if (!info) throw new UserError(`graph '${g.name}': input '${name}' has no dtype/shape`);
    values.set(name, { dtype: info.dtype, shape: [...info.shape] });
  }
  for (const [name, t] of g.constants) values.set(name, { dtype: t.dtype, shape: [...t.shape] });

  for (const node of g.nodes) {
    const def = getOp(node.op);
    if (!def) throw new UserError(`node '${node.name}': unsupported op '${node.op}'`);
    const infos: (ValueInfo | undefined)[] = [];
    const consts: (Tensor | undefined)[] = [];
    for (const input of node.inputs) {
      if (input === '') {
        infos.push(undefined);
        consts.push(undefined);
        continue;
      }
      const info = values.get(input);
      if (!info) throw new UserError(`node '${node.name}' (${node.op}): input '${input}' is not defined before it is used`);
      infos.push(info);
      consts.push(g.constants.get(input));
    }
    // The verifier's value checks, before the op's shape rule computes with the values.
    checkAttributes(node, `node '${node.name}' (${node.op})`);
    let outs: ValueInfo[];
    try {
      outs = def.inferShapes(node, infos, consts);
    } catch (e) {
      throw asUserError(e, node.name, node.op);
    }
    if (outs.length < node.outputs.filter((o) => o !== '').length) {
      throw new UserError(`node '${node.name}' (${node.op}): has ${node.outputs.length} outputs, the op produces ${outs.length}`);
    }
    node.outputs.forEach((o, i) => {
      if (o === '') return;
      if (values.has(o)) throw new UserError(`node '${node.name}' (${node.op}): output '${o}' is already defined`);
      const info = outs[i];
      checkShape(info.shape, `node '${node.name}' (${node.op}): output '${o}'`, true);
      values.set(o, info);
    });
  }
  for (const o of g.outputs) {
    if (!values.has(o)) throw new UserError(`graph '${g.name}': output '${o}' is not produced by any node`);
  }
  return { ...g, values };
}

/**
 * Attribute readers in graph.ts throw plain Errors naming the node; for an imported model those
 * are the user's fault, so they become UserErrors. Programming errors (TypeError...) pass through.
 */
function asUserError(e: unknown, name: string, op: string): unknown {
  if (e instanceof UserError) return e;
  if (e instanceof Error && e.constructor === Error) {
    return new UserError(e.message.startsWith(`node '${name}'`) ? e.message : `node '${name}' (${op}): ${e.message}`);
  }
  return e;
}

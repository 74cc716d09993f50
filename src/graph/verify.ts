/**
 * The graph verifier, run after import and between passes: nodes in topological order (which
 * also rules out cycles), every input defined before use, every tensor produced once, outputs
 * defined, and the stored shapes equal to what each op's shape rule gives. Throws a UserError
 * with the first problem found, naming the node and the tensor.
 */
import type { Graph, ValueInfo } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { sameShape, shapeToString } from '../ir/tensor.js';
import { getOp } from '../ops/registry.js';
import { UserError } from '../util/errors.js';

export function verifyGraph(g: Graph): void {
  const defined = new Set<string>();
  const producedBy = new Map<string, string>();
  for (const name of g.inputs) {
    if (g.constants.has(name)) throw new UserError(`graph '${g.name}': input '${name}' is also a constant`);
    if (defined.has(name)) throw new UserError(`graph '${g.name}': input '${name}' is listed twice`);
    if (!g.values.has(name)) throw new UserError(`graph '${g.name}': input '${name}' has no dtype/shape`);
    defined.add(name);
  }
  for (const name of g.constants.keys()) defined.add(name);

  // Producers of every tensor, so an input produced by a *later* node is reported as an order/cycle problem.
  const laterProducer = new Map<string, number>();
  g.nodes.forEach((n, i) => n.outputs.forEach((o) => o && !laterProducer.has(o) && laterProducer.set(o, i)));

  const nodeNames = new Set<string>();
  g.nodes.forEach((node, index) => {
    const where = `node '${node.name}' (${node.op})`;
    if (nodeNames.has(node.name)) throw new UserError(`${where}: node name used twice`);
    nodeNames.add(node.name);
    const def = getOp(node.op);
    if (!def) throw new UserError(`${where}: unsupported op '${node.op}'`);
    for (const input of node.inputs) {
      if (input === '' || defined.has(input)) continue;
      const p = laterProducer.get(input);
      if (p !== undefined) {
        const kind = p >= index ? 'a cycle or nodes out of topological order' : 'order';
        throw new UserError(`${where}: input '${input}' is produced by later node '${g.nodes[p].name}' (${kind})`);
      }
      throw new UserError(`${where}: input '${input}' is not defined (not a graph input, constant or node output)`);
    }
    for (const o of node.outputs) {
      if (o === '') continue;
      if (defined.has(o)) {
        const by = producedBy.get(o);
        throw new UserError(`${where}: output '${o}' is already defined${by ? ` by node '${by}'` : ' (graph input or constant)'}`);
      }
      defined.add(o);
      producedBy.set(o, node.name);
    }

    const infos: (ValueInfo | undefined)[] = node.inputs.map((i) => (i === '' ? undefined : g.values.get(i)));
    node.inputs.forEach((i, k) => {
      if (i !== '' && !infos[k]) throw new UserError(`${where}: input '${i}' has no stored dtype/shape`);
    });
    const consts: (Tensor | undefined)[] = node.inputs.map((i) => (i === '' ? undefined : g.constants.get(i)));
    let expected: ValueInfo[];
    try {
      expected = def.inferShapes(node, infos, consts);
    } catch (e) {
      if (e instanceof UserError) throw e;
      if (e instanceof Error && e.constructor === Error) throw new UserError(`${where}: ${e.message}`);
      throw e;
    }
    node.outputs.forEach((o, k) => {
      if (o === '') return;
      const stored = g.values.get(o);
      const want = expected[k];
      if (!stored) throw new UserError(`${where}: output '${o}' has no stored dtype/shape`);
      if (!want) throw new UserError(`${where}: output '${o}' is not produced by op ${node.op}`);
      if (stored.dtype !== want.dtype || !sameShape(stored.shape, want.shape)) {
        throw new UserError(
          `${where}: output '${o}' is stored as ${stored.dtype} ${shapeToString(stored.shape)} but the op gives ${want.dtype} ${shapeToString(want.shape)}`,
        );
      }
    });
  });

  for (const [name, t] of g.constants) {
    const stored = g.values.get(name);
    if (stored && (stored.dtype !== t.dtype || !sameShape(stored.shape, t.shape))) {
      throw new UserError(`constant '${name}' is stored as ${stored.dtype} ${shapeToString(stored.shape)} but holds ${t.dtype} ${shapeToString(t.shape)}`);
    }
  }
  for (const o of g.outputs) {
    if (!defined.has(o)) throw new UserError(`graph '${g.name}': output '${o}' is not defined`);
  }
}

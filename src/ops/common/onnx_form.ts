/** Helpers for the op files' toOnnx: a canonical node's fused activation as an ONNX Clip. */
import type { Node } from '../../ir/graph.js';
import { attrFloat } from '../../ir/graph.js';

/**
 * `op` computing the node's output, followed by a Clip to its fused activation range when it has
 * one (the op then writes `<output>__preact`). The last node always writes the node's output name.
 */
export function withActivation(n: Node, op: string, inputs: readonly string[], attrs: Node['attrs']): Node[] {
  const lo = attrFloat(n, 'act_min', -Infinity);
  const hi = attrFloat(n, 'act_max', Infinity);
  const y = n.outputs[0];
  if (lo === -Infinity && hi === Infinity) return [{ name: n.name, op, inputs: [...inputs], outputs: [y], attrs }];
  return [
    { name: n.name, op, inputs: [...inputs], outputs: [`${y}__preact`], attrs },
    { name: `${n.name}__act`, op: 'Clip', inputs: [`${y}__preact`], outputs: [y], attrs: { min: lo, max: hi } },
  ];
}

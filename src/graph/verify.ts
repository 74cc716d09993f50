/**
 * The graph verifier, run after import and between passes: nodes in topological order (which
 * also rules out cycles), every input defined before use, every tensor produced once, at least
 * one output and every output defined, and the stored shapes equal to what each op's shape rule
 * gives. It is also where values are range-checked, so that nothing downstream meets a value it
 * cannot hold: attributes (checkAttributes), tensor sizes (at most INPUT_LIMITS.tensorElements
 * values, no empty node output). Throws a UserError with the first problem found, naming the node
 * and the tensor or attribute.
 */
import type { Graph, Node, ValueInfo } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { sameShape, shapeToString, sizeOf } from '../ir/tensor.js';
import { getOp } from '../ops/registry.js';
import { UserError } from '../util/errors.js';
import { checkTensorElements } from '../util/input_files.js';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/**
 * Attribute values every later stage can hold. List attributes of the IR are all integer lists
 * (strides, pads, dilations, kernel shapes, axes, permutations) and end up as int32 fields of the
 * generated C's params structs, so each element must be an integer in int32 (a stride of 2^40
 * would otherwise be printed as garbage or wrap to 0). Number attributes must not be NaN, and a
 * fused activation range must not be empty (act_min ≤ act_max; Clip's own min > max is resolved
 * where its bounds are read, src/ops/onnx/clip.ts).
 */
export function checkAttributes(node: Node, where: string): void {
  for (const [name, v] of Object.entries(node.attrs)) {
    if (typeof v === 'number' && Number.isNaN(v)) throw new UserError(`${where}: attribute '${name}' is NaN`);
    if (!Array.isArray(v)) continue;
    v.forEach((x: unknown, i: number) => {
      if (typeof x !== 'number') return;
      if (!Number.isInteger(x) || x < INT32_MIN || x > INT32_MAX) {
        throw new UserError(`${where}: attribute '${name}'[${i}] = ${x} is not an integer that fits int32 (the generated C holds it in an int32)`);
      }
    });
  }
  const lo = node.attrs.act_min;
  const hi = node.attrs.act_max;
  if (typeof lo === 'number' && typeof hi === 'number' && lo > hi) {
    throw new UserError(`${where}: fused activation range [${lo}, ${hi}] is empty (act_min > act_max)`);
  }
}

/**
 * The largest magnitude a float constant may have: 2^64, so that the product of two of them (a
 * weight and a value of its size) still fits float32 (≈ 2^128). Larger ones are not weights any
 * trained model has; they only make the float arithmetic overflow somewhere downstream.
 */
const MAX_ABS_CONSTANT = 2 ** 64;

/** A float constant (an initializer, after import) holds finite values of sane magnitude. */
function checkFloatValues(name: string, data: Float32Array): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!(Math.abs(v) <= MAX_ABS_CONSTANT)) {
      throw new UserError(`constant '${name}': element ${i} is ${v}${Number.isFinite(v) ? ', beyond ±2^64' : ''}; weights must be finite and of sane magnitude`);
    }
  }
}

/** A tensor's shape: integer dims ≥ 0 (≥ 1 for what a node computes), at most the tensor size limit. */
export function checkShape(shape: readonly number[], what: string, nonEmpty: boolean): void {
  if (shape.some((d) => !Number.isSafeInteger(d) || d < (nonEmpty ? 1 : 0))) {
    throw new UserError(`${what} has shape ${shapeToString(shape)}: dimensions must be integers ≥ ${nonEmpty ? 1 : 0}`);
  }
  checkTensorElements(sizeOf(shape), `${what} ${shapeToString(shape)}`);
}

export function verifyGraph(g: Graph): void {
  if (g.outputs.length === 0) throw new UserError(`graph '${g.name}': no outputs (the graph computes nothing)`);
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
    checkAttributes(node, where);
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
      checkShape(want.shape, `${where}: output '${o}'`, true);
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
    if (t.dtype === 'float32') checkFloatValues(name, t.data as Float32Array);
  }
  for (const o of g.outputs) {
    if (!defined.has(o)) throw new UserError(`graph '${g.name}': output '${o}' is not defined`);
  }
  // Node outputs were checked with their node's name above; this covers inputs and constants.
  for (const [name, v] of g.values) checkShape(v.shape, `tensor '${name}'`, false);
}

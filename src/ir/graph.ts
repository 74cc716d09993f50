/**
 * The graph IR: an immutable list of nodes in execution (topological) order, constants, and the
 * dtype and shape of every tensor. Every stage takes a Graph and returns a new one; nothing
 * mutates a Graph after it is built (the types are readonly; build a new one with `withChanges`).
 *
 * Conventions
 * - Tensor names are unique; an empty string in `inputs` is an absent optional input (ONNX style).
 * - Imported graphs use ONNX op types ('Conv', 'BatchNormalization', ...) with their attributes
 *   normalized by the importer (see src/onnx/import.ts): ints as numbers, Clip bounds, Pad pads
 *   and Squeeze/Unsqueeze axes as attributes whatever the opset.
 * - Passes rewrite into the canonical vocabulary (lower-case op names: 'conv2d',
 *   'depthwise_conv2d', 'fully_connected', 'average_pool', 'global_average_pool', 'softmax').
 * - Layout is NCHW throughout the IR (the ONNX convention); the C emitter works channels-last.
 * - `origin` lists the ONNX node names a node was made from, so generated code can cite them.
 */
import type { DType, Tensor } from './tensor.js';

export type Attr = number | string | readonly number[] | readonly string[] | Tensor;

export interface Node {
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, Attr>>;
  readonly origin?: readonly string[];
}

export interface ValueInfo {
  readonly dtype: DType;
  readonly shape: readonly number[];
}

export interface GraphMeta {
  /** The ONNX default-domain opset the model was imported from. */
  readonly opset?: number;
  readonly producer?: string;
  /** Where the model came from (a path), for messages. */
  readonly source?: string;
  /** Layout of the model's real input as the user feeds it ('nhwc' for tf2onnx-style exports). */
  readonly inputLayout?: 'nchw' | 'nhwc';
}

export interface Graph {
  readonly name: string;
  /** Names of the runtime inputs (not constants), in order. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly nodes: readonly Node[];
  readonly constants: ReadonlyMap<string, Tensor>;
  /** dtype and shape of every tensor: inputs, constants and node outputs. */
  readonly values: ReadonlyMap<string, ValueInfo>;
  readonly meta: GraphMeta;
}

/** A copy of `g` with some fields replaced. */
export function withChanges(g: Graph, changes: Partial<Graph>): Graph {
  return { ...g, ...changes };
}

/** Attribute readers that name the node and attribute when the value has the wrong kind. */
export function attrInt(node: Node, name: string, fallback?: number): number {
  const v = node.attrs[name];
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new Error(`node '${node.name}' (${node.op}): missing attribute '${name}'`);
  }
  if (typeof v !== 'number') throw new Error(`node '${node.name}' (${node.op}): attribute '${name}' is not a number`);
  return v;
}

export function attrFloat(node: Node, name: string, fallback?: number): number {
  return attrInt(node, name, fallback);
}

export function attrInts(node: Node, name: string, fallback?: readonly number[]): readonly number[] {
  const v = node.attrs[name];
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new Error(`node '${node.name}' (${node.op}): missing attribute '${name}'`);
  }
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'number')) {
    throw new Error(`node '${node.name}' (${node.op}): attribute '${name}' is not a list of numbers`);
  }
  return v as readonly number[];
}

export function attrString(node: Node, name: string, fallback?: string): string {
  const v = node.attrs[name];
  if (v === undefined) {
    if (fallback !== undefined) return fallback;
    throw new Error(`node '${node.name}' (${node.op}): missing attribute '${name}'`);
  }
  if (typeof v !== 'string') throw new Error(`node '${node.name}' (${node.op}): attribute '${name}' is not a string`);
  return v;
}

/** Map from tensor name to the node that produces it. */
export function producers(g: Graph): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const n of g.nodes) for (const o of n.outputs) m.set(o, n);
  return m;
}

/** Map from tensor name to the nodes that read it. */
export function consumers(g: Graph): Map<string, Node[]> {
  const m = new Map<string, Node[]>();
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      if (!i) continue;
      const list = m.get(i);
      if (list) list.push(n);
      else m.set(i, [n]);
    }
  }
  return m;
}

/** Test helpers: run one ONNX op on small tensors through GraphBuilder + inferShapes + runFloat. */
import type { Attr, Graph } from '../../ir/graph.js';
import { GraphBuilder } from '../../graph/builder.js';
import { runFloat } from '../../graph/interpret.js';
import type { Tensor } from '../../ir/tensor.js';
import { floatTensor } from '../../ir/tensor.js';

export function f32(shape: readonly number[], values: readonly number[]): Tensor {
  return floatTensor(shape, Float32Array.from(values));
}

/** 0, 1, 2, … as a float tensor of `shape`. */
export function iota(shape: readonly number[], start = 0, step = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return floatTensor(shape, Float32Array.from({ length: n }, (_, i) => start + i * step));
}

export interface OpCase {
  /** Runtime inputs, in input order (name → tensor). */
  inputs?: Record<string, Tensor>;
  /** Constant inputs (name → tensor). */
  constants?: Record<string, Tensor>;
  /** The node's input names in order ('' for an absent optional input). */
  order: readonly string[];
  attrs?: Record<string, Attr>;
  outputs?: readonly string[];
}

/** The built (shape-inferred) single-node graph. */
export function opGraph(op: string, c: OpCase): Graph {
  const b = new GraphBuilder(`test_${op}`);
  for (const [name, t] of Object.entries(c.inputs ?? {})) b.input(name, t.shape, t.dtype);
  for (const [name, t] of Object.entries(c.constants ?? {})) b.constant(name, t);
  const outputs = c.outputs ?? ['y'];
  b.node(op, c.order, outputs, c.attrs ?? {}, 'n0');
  for (const o of outputs) if (o) b.output(o);
  return b.build();
}

/** Runs the op and returns its first output (shape checked against inference by the caller). */
export function runOp(op: string, c: OpCase): { y: Tensor; graph: Graph } {
  const graph = opGraph(op, c);
  const out = runFloat(graph, c.inputs ?? {});
  return { y: out.get(graph.outputs[0])!, graph };
}

/** Plain array of a tensor's float values (for toEqual / toBeCloseTo comparisons). */
export function values(t: Tensor): number[] {
  return Array.from(t.data as Float32Array);
}

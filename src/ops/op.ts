/**
 * What an op is: one file per op (src/ops/onnx/<op>.ts for the ONNX ops the importer accepts,
 * src/ops/<op>.ts for the canonical ops the passes produce), each exporting one OpDef with its
 * shape rule and float reference side by side; canonical ops also carry their int8 reference and
 * C emitter (typed in src/quant and src/emit). Adding an op = one file + one line in registry.ts.
 */
import type { Node, ValueInfo } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';

export interface OpCost {
  /** Multiply-accumulates: conv = Ho·Wo·Cout·(Cin/group)·Kh·Kw; fully connected = in·out. */
  readonly macs: number;
  /** Parameters as after BN folding: weights plus one bias per output channel (0 for BN itself). */
  readonly params: number;
}

export interface OpDef {
  readonly op: string;
  /**
   * Output dtypes and shapes from the inputs' (undefined for an absent optional input).
   * `consts[i]` is the value of input i when it is a constant (shape operands, weights).
   * Throw a UserError naming the node on any inconsistency.
   */
  inferShapes(node: Node, inputs: readonly (ValueInfo | undefined)[], consts: readonly (Tensor | undefined)[]): ValueInfo[];
  /** Float reference: the outputs from the inputs (undefined for an absent optional input). */
  evalFloat(node: Node, inputs: readonly (Tensor | undefined)[]): Tensor[];
  /** MACs and params for `inspect`; omitted means 0 / 0. */
  cost?(node: Node, inputs: readonly (ValueInfo | undefined)[], outputs: readonly ValueInfo[]): OpCost;
}

/** Throws for an op part that does not exist yet (used only while an op is being written). */
export function notImplemented(op: string, part: string): never {
  throw new Error(`${op}: ${part} not implemented`);
}

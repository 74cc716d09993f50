/**
 * What an op is: one file per op (src/ops/onnx/<op>.ts for the ONNX ops the importer accepts,
 * src/ops/<op>.ts for the canonical ops the passes produce), each exporting one OpDef with its
 * shape rule and float reference side by side. The canonical ops that run in int8 (conv2d,
 * depthwise_conv2d, fully_connected, average_pool, global_average_pool) also carry `int8`: their
 * integer reference (src/quant/interpret_int8.ts dispatches to it) and their C lowering and
 * emitter (src/emit/lower.ts and model_c.ts dispatch to them). Building the QuantizedLayer from a
 * float node (scales, weights, multipliers) stays in src/quant/quantize.ts. Adding an op = its
 * file + one line in registry.ts (+ its C kernel in src/runtime when it has a new one).
 */
import type { Node, ValueInfo } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import type { QuantizedLayer } from '../../int8/types.js';
import type { CLayer, LowerContext } from '../../cgen/c_layer.js';

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
  /** The int8 side; absent for ops that do not run in int8 (the ONNX ops, softmax, channel_affine). */
  readonly int8?: Int8OpDef;
}

/** An op's int8 reference and C lowering (QuantizedLayer in src/quant/types.ts, CLayer in src/emit/c_layer.ts). */
export interface Int8OpDef {
  /**
   * The integer reference: the layer's int8 output (NCHW) from its int8 input (NCHW), with exactly
   * the arithmetic of the generated C (DESIGN.md; building blocks in src/quant/kernels).
   */
  run(layer: QuantizedLayer, x: Int8Array): Int8Array;
  /**
   * The layer as the C runner executes it: kernel choice (fast paths where they apply), weights in
   * that kernel's layout, bias with −zp_in·Σw folded in, MACs and params, and the CKernelEmitter
   * that prints its params struct, comment and call. Throws a UserError starting with ctx.where.
   */
  lower(layer: QuantizedLayer, ctx: LowerContext): CLayer;
}

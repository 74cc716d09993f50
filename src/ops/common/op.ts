/**
 * What an op is: one file per op (src/ops/onnx/<op>.ts for the ONNX ops the importer accepts,
 * src/ops/<op>.ts for the canonical ops the passes produce), each exporting one OpDef. The file
 * holds everything the tool knows about the op, side by side:
 *
 *   inferShapes, evalFloat, cost      the float graph (shape rule, float reference, MACs/params)
 *   toOnnx                            its standard-ONNX form, for the onnxruntime float engine
 *   quantize (+ calibrationWindow)    how its int8 layer's parameters are chosen
 *   int8.run                          the integer reference, bit-exact with the C
 *   int8.qdq                          its ONNX QDQ form, for the onnxruntime cross-check
 *   int8.lower                        its C lowering: kernel choice, weight layout, folded bias, the
 *                                     emitter that prints the call, and the runtime C it needs
 *
 * The stages dispatch through src/ops/registry.ts. Adding an op = its file, its C kernel in
 * src/runtime (when it has a new one) and one line in registry.ts.
 */
import type { Graph, Node, ValueInfo } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import type { Int8CalibrationRequest, WindowSpec } from '../../int8/calibration.js';
import type { QuantizeContext } from '../../int8/quantize_layer.js';
import type { QuantizedLayer } from '../../int8/types.js';
import type { CLayer, LowerContext } from '../../cgen/c_layer.js';
import type { QdqBuilder } from '../../onnx/proto/qdq_builder.js';

export interface OpCost {
  /** Multiply-accumulates: conv = Ho·Wo·Cout·(Cin/group)·Kh·Kw; fully connected = in·out. */
  readonly macs: number;
  /** Parameters as after BN folding: weights plus one bias per output channel (0 for BN itself). */
  readonly params: number;
}

/** A canonical node as standard ONNX ops (IR nodes with ONNX op types and attributes). */
export interface OnnxForm {
  readonly nodes: readonly Node[];
  /** Constants the nodes need beyond the graph's (e.g. reshape shapes). */
  readonly constants?: ReadonlyMap<string, Tensor>;
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
  /** Canonical ops: the same computation in standard ONNX ops, named so that the node's output keeps its name. */
  toOnnx?(node: Node, g: Graph): OnnxForm;
  /** Canonical ops that become an int8 layer: how its parameters are chosen. */
  readonly quantize?: QuantizeDef;
  /** The int8 layer this op's file defines (keyed by the layer's op, which is this op's name). */
  readonly int8?: Int8LayerDef;
}

export interface QuantizeDef {
  /**
   * The int8 layer for a canonical node. A generator: with empirical bias correction it yields what
   * it needs of the int8 calibration tensors (window sums) and receives the answers.
   */
  layer(node: Node, ctx: QuantizeContext): Generator<Int8CalibrationRequest, QuantizedLayer, Float64Array | undefined>;
  /** The window the calibration measures this node's input through (for bias correction); omitted: none. */
  calibrationWindow?(node: Node, g: Graph): WindowSpec;
}

/** An int8 layer type's integer reference, QDQ form and C lowering. */
export interface Int8LayerDef {
  /**
   * The integer reference: the layer's int8 output (NCHW) from its int8 inputs (NCHW, in the
   * layer's input order), with exactly the arithmetic of the generated C (DESIGN.md).
   */
  run(layer: QuantizedLayer, inputs: readonly Int8Array[]): Int8Array;
  /** Writes the layer as ONNX QDQ nodes from q/ or dq/ of its inputs to q/<output> (see QdqBuilder). */
  qdq(layer: QuantizedLayer, b: QdqBuilder): void;
  /**
   * The layer as the C runner executes it: kernel choice (fast paths where they apply), weights in
   * that kernel's layout, bias with −zp_in·Σw folded in, MACs and params, and the emitter that
   * prints its params struct, comment and call. Throws a UserError starting with ctx.where.
   */
  lower(layer: QuantizedLayer, ctx: LowerContext): CLayer;
}


/**
 * What an op converter (ops.ts, ops_conv.ts) sees of the import in progress: the TF node, its
 * inputs resolved to IR tensors or constants, and the IR builder to add nodes to.
 */
import type { Tensor } from '../ir/tensor.js';
import type { IrBuilder } from './builder.js';
import type { TfNode } from './model_json.js';

/** A TF tensor during import: an IR runtime tensor (rank 4 held NCHW), or a constant in TF layout. */
export type TfValue =
  | { readonly kind: 'runtime'; readonly name: string }
  | { readonly kind: 'const'; readonly tensor: Tensor; /** the TF node it came from (for IR constant names) */ readonly source: string };

export interface ConvertContext {
  readonly node: TfNode;
  /** "model.json: node 'x' (Op)" */
  readonly where: string;
  readonly b: IrBuilder;
  /** Input k of the node (a UserError when absent). */
  input(k: number, what: string): TfValue;
  /** Input k as an IR runtime tensor name (a UserError when it is a constant or absent). */
  runtime(k: number, what: string): string;
  /** Input k as a constant in TF layout (a UserError when it is computed at run time or absent). */
  constant(k: number, what: string): Tensor;
  /**
   * An IR constant for input k converted for this use (`layout` names the conversion, e.g. 'oihw');
   * the same constant converted the same way is stored once.
   */
  irConstant(k: number, what: string, layout: string, convert?: (t: Tensor) => Tensor): string;
  /** The IR tensor name for output k of this node (its TF tensor name, made unique if needed). */
  outputName(k?: number): string;
  /** A fresh IR name '<node>/<suffix>' for helper nodes and tensors. */
  helperName(suffix: string): string;
  /** Records what output k of this node is. */
  define(k: number, v: TfValue): void;
  /** Output k is read by some TF node or is a graph output. */
  isRead(k: number): boolean;
  /** Input k's TF tensor is read only by this node and is not a graph output (so its producer may absorb this node). */
  inputHasOnlyThisReader(k: number): boolean;
  /** Replaces what input k's TF tensor maps to (after a producer absorbed this node). */
  forgetInput(k: number): void;
}

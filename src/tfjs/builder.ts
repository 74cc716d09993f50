/**
 * The IR graph as the TF.js importer writes it, node by node: every node's output shapes are
 * inferred when it is added (the op's own shape rule from src/ops), because TF's 'SAME' padding,
 * the static Shape → StridedSlice → Pack chain and the NHWC ↔ NCHW decisions all need the shapes
 * of what came before. Names are kept unique: TF node names are reserved up front, helper nodes
 * and tensors get '<tf node>/<what>' (suffixed _1, _2 … if taken).
 */
import type { Attr, Node, ValueInfo } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { getOp } from '../ops/registry.js';
import { UserError } from '../util/errors.js';

export interface NodeSpec {
  readonly op: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly output: string;
  readonly attrs: Readonly<Record<string, Attr>>;
  readonly origin: readonly string[];
}

export class IrBuilder {
  readonly nodes: Node[] = [];
  readonly constants = new Map<string, Tensor>();
  readonly values = new Map<string, ValueInfo>();
  readonly inputs: string[] = [];
  private readonly nodeNames = new Set<string>();
  private readonly tensorNames = new Set<string>();

  /** `reserved`: names that only their own TF node may take (every TF node name). */
  constructor(private readonly reserved: ReadonlySet<string>) {}

  /** `base`, or base_1, base_2 … : a name no node or tensor has and no TF node reserves. */
  fresh(base: string): string {
    const free = (s: string): boolean => !this.reserved.has(s) && !this.nodeNames.has(s) && !this.tensorNames.has(s);
    if (free(base)) return base;
    let k = 1;
    while (!free(`${base}_${k}`)) k++;
    return `${base}_${k}`;
  }

  /** The name a TF node's own IR node / tensor takes (the TF name itself: it was reserved for it). */
  own(name: string, kind: 'node' | 'tensor'): string {
    const taken = kind === 'node' ? this.nodeNames : this.tensorNames;
    if (!taken.has(name)) return name;
    return this.fresh(name);
  }

  input(name: string, info: ValueInfo): void {
    this.inputs.push(name);
    this.tensorNames.add(name);
    this.values.set(name, info);
  }

  /**
   * Stores a constant under a fresh name derived from `base` (or, with `own`, under the TF Const
   * node's own reserved name when still free); returns the name.
   */
  constant(base: string, t: Tensor, own = false): string {
    const name = own ? this.own(base, 'tensor') : this.fresh(base);
    this.tensorNames.add(name);
    this.constants.set(name, t);
    this.values.set(name, { dtype: t.dtype, shape: [...t.shape] });
    return name;
  }

  info(tensor: string): ValueInfo {
    const v = this.values.get(tensor);
    if (!v) throw new Error(`tfjs import: tensor '${tensor}' has no shape yet`);
    return v;
  }

  /** Adds a node (its output shape inferred now); `where` names the TF node for messages. Returns the output name. */
  add(spec: NodeSpec, where: string): string {
    const node: Node = { name: spec.name, op: spec.op, inputs: [...spec.inputs], outputs: [spec.output], attrs: spec.attrs, origin: [...spec.origin] };
    this.values.set(spec.output, this.infer(node, where));
    this.nodes.push(node);
    this.nodeNames.add(spec.name);
    this.tensorNames.add(spec.output);
    return spec.output;
  }

  /** Index of the node that writes `tensor`, or −1. */
  producerIndex(tensor: string): number {
    return this.nodes.findIndex((n) => n.outputs.includes(tensor));
  }

  /** Replaces node i (e.g. a Conv taking over the BiasAdd after it); its old output must have no reader. */
  replace(i: number, node: Node, where: string): void {
    const old = this.nodes[i];
    const info = this.infer(node, where);
    for (const o of old.outputs) {
      this.values.delete(o);
      this.tensorNames.delete(o);
    }
    this.nodes[i] = node;
    this.values.set(node.outputs[0], info);
    this.tensorNames.add(node.outputs[0]);
  }

  private infer(node: Node, where: string): ValueInfo {
    const def = getOp(node.op);
    if (!def) throw new Error(`tfjs import: no op definition for '${node.op}'`);
    const infos = node.inputs.map((i) => this.info(i));
    const consts = node.inputs.map((i) => this.constants.get(i));
    try {
      return def.inferShapes(node, infos, consts)[0];
    } catch (e) {
      if (!(e instanceof Error) || (!(e instanceof UserError) && e.constructor !== Error)) throw e;
      // The op's message names the IR node ("node 'x' (Conv): …"); the TF node is what the user knows.
      throw new UserError(`${where}: ${e.message.replace(/^node '[^']*' \([^)]*\): /, '')}`);
    }
  }
}

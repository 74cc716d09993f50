/**
 * GraphEditor: the scratch pad a pass rewrites a Graph in. It copies the node list, constants and
 * outputs of its source graph (the source is never touched), offers the few edits the passes need
 * (replace / remove a node, bypass a pass-through node, rename a tensor, add a constant under a
 * fresh name) and `finish()` returns a new Graph: constants no node reads are dropped and every
 * shape is re-inferred from the inputs.
 *
 * Nodes are addressed by index; a removed node leaves a hole (undefined) until finish(), so the
 * indices a pass is looping over stay valid while it edits.
 */
import type { Graph, GraphMeta, Node, ValueInfo } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { inferShapes } from '../graph/infer.js';

/** The ONNX node names a node stands for (its own name when it records none). */
export function originOf(n: Node): string[] {
  return n.origin && n.origin.length > 0 ? [...n.origin] : [n.name];
}

export class GraphEditor {
  readonly nodes: (Node | undefined)[];
  readonly constants: Map<string, Tensor>;
  outputs: string[];
  readonly inputValues: Map<string, ValueInfo>;
  meta: GraphMeta;
  private readonly usedNames: Set<string>;

  constructor(readonly source: Graph) {
    this.nodes = [...source.nodes];
    this.constants = new Map(source.constants);
    this.outputs = [...source.outputs];
    this.inputValues = new Map(source.inputs.map((i) => [i, source.values.get(i)!]));
    this.meta = source.meta;
    this.usedNames = new Set([...source.values.keys(), ...source.constants.keys(), ...source.nodes.map((n) => n.name)]);
  }

  /** dtype and shape of a tensor as in the source graph (not updated by edits). */
  info(name: string): ValueInfo | undefined {
    return this.source.values.get(name);
  }

  constant(name: string): Tensor | undefined {
    return this.constants.get(name);
  }

  isGraphInput(name: string): boolean {
    return this.inputValues.has(name);
  }

  isGraphOutput(name: string): boolean {
    return this.outputs.includes(name);
  }

  /** Index of the node producing `tensor`, or -1 (graph input, constant, or undefined). */
  producerIndex(tensor: string): number {
    return this.nodes.findIndex((n) => n !== undefined && n.outputs.includes(tensor));
  }

  /** Indices of the nodes reading `tensor`. */
  consumerIndices(tensor: string): number[] {
    const out: number[] = [];
    this.nodes.forEach((n, i) => {
      if (n && n.inputs.includes(tensor)) out.push(i);
    });
    return out;
  }

  /** Readers of `tensor` counting a graph output as a reader (what "single consumer" means to a fusion). */
  useCount(tensor: string): number {
    return this.consumerIndices(tensor).length + (this.isGraphOutput(tensor) ? 1 : 0);
  }

  /** A tensor/node name not used anywhere in the graph yet, based on `base`. */
  uniqueName(base: string): string {
    let name = base;
    for (let k = 2; this.usedNames.has(name); k++) name = `${base}_${k}`;
    this.usedNames.add(name);
    return name;
  }

  /** Adds a constant under a fresh name derived from `base`; returns the name. */
  addConstant(base: string, t: Tensor): string {
    const name = this.uniqueName(base);
    this.constants.set(name, t);
    return name;
  }

  replace(index: number, node: Node): void {
    this.nodes[index] = node;
  }

  remove(index: number): void {
    this.nodes[index] = undefined;
  }

  /** Renames tensor `from` to `to` everywhere: node inputs and outputs, and the graph outputs. */
  renameTensor(from: string, to: string): void {
    const swap = (s: string): string => (s === from ? to : s);
    this.nodes.forEach((n, i) => {
      if (n && (n.inputs.includes(from) || n.outputs.includes(from))) {
        this.nodes[i] = { ...n, inputs: n.inputs.map(swap), outputs: n.outputs.map(swap) };
      }
    });
    this.outputs = this.outputs.map(swap);
  }

  /** Makes every node that reads `from` read `to` instead (graph outputs untouched). */
  redirectReaders(from: string, to: string): void {
    this.nodes.forEach((n, i) => {
      if (n && n.inputs.includes(from)) this.nodes[i] = { ...n, inputs: n.inputs.map((s) => (s === from ? to : s)) };
    });
  }

  /**
   * Removes the node at `index`, which passes its input `inputs[0]` through to `outputs[0]`, and
   * wires readers of the output to the input. When the output is a graph output the graph keeps
   * that name: the input's producer is renamed to write it instead. Returns false (and changes
   * nothing) when that is impossible — the input is a graph input, a constant or itself a graph
   * output.
   */
  bypass(index: number): boolean {
    const n = this.nodes[index];
    if (!n) return false;
    const input = n.inputs[0];
    const output = n.outputs[0];
    if (this.isGraphOutput(output)) {
      if (this.isGraphInput(input) || this.constants.has(input) || this.isGraphOutput(input)) return false;
      this.remove(index);
      this.renameTensor(input, output);
      return true;
    }
    this.remove(index);
    this.redirectReaders(output, input);
    return true;
  }

  /**
   * The edited graph: holes dropped, constants that nothing reads removed, the values of inputs
   * and constants taken as they are now and every node output re-inferred.
   */
  finish(): Graph {
    const nodes = this.nodes.filter((n): n is Node => n !== undefined);
    const read = new Set<string>(this.outputs);
    for (const n of nodes) for (const i of n.inputs) read.add(i);
    const constants = new Map([...this.constants].filter(([name]) => read.has(name)));
    const values = new Map<string, ValueInfo>(this.inputValues);
    for (const [name, t] of constants) values.set(name, { dtype: t.dtype, shape: t.shape });
    return inferShapes({
      name: this.source.name,
      inputs: [...this.inputValues.keys()],
      outputs: this.outputs,
      nodes,
      constants,
      values,
      meta: this.meta,
    });
  }
}

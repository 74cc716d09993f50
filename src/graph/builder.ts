/**
 * A small builder for graphs in tests, fixtures and the model generator:
 *   const g = new GraphBuilder('tiny').input('x', [1, 3, 8, 8])
 *     .constant('w', floatTensor([4, 3, 3, 3], w))
 *     .node('Conv', ['x', 'w'], ['y'], { pads: [1, 1, 1, 1] })
 *     .output('y').build();
 * build() infers every shape, so a built graph is complete and verified.
 */
import type { Attr, Graph, GraphMeta, Node } from '../ir/graph.js';
import type { DType, Tensor } from '../ir/tensor.js';
import { inferShapes } from './infer.js';

export class GraphBuilder {
  private readonly inputNames: string[] = [];
  private readonly inputInfos = new Map<string, { dtype: DType; shape: readonly number[] }>();
  private readonly outputNames: string[] = [];
  private readonly nodeList: Node[] = [];
  private readonly constantMap = new Map<string, Tensor>();
  private counter = 0;

  constructor(private readonly graphName: string, private readonly meta: GraphMeta = {}) {}

  input(name: string, shape: readonly number[], dtype: DType = 'float32'): this {
    this.inputNames.push(name);
    this.inputInfos.set(name, { dtype, shape: [...shape] });
    return this;
  }

  constant(name: string, t: Tensor): this {
    this.constantMap.set(name, t);
    return this;
  }

  node(op: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, Attr> = {}, name?: string): this {
    this.nodeList.push({ name: name ?? `${op.toLowerCase()}_${this.counter++}`, op, inputs: [...inputs], outputs: [...outputs], attrs });
    return this;
  }

  output(name: string): this {
    this.outputNames.push(name);
    return this;
  }

  /** The graph with shapes inferred (throws like the importer on an inconsistent graph). */
  build(): Graph {
    return inferShapes(this.buildUnchecked());
  }

  /** The graph with only input and constant shapes filled in (for tests of the verifier). */
  buildUnchecked(): Graph {
    const values = new Map<string, { dtype: DType; shape: readonly number[] }>(this.inputInfos);
    for (const [name, t] of this.constantMap) values.set(name, { dtype: t.dtype, shape: t.shape });
    return {
      name: this.graphName,
      inputs: [...this.inputNames],
      outputs: [...this.outputNames],
      nodes: [...this.nodeList],
      constants: new Map(this.constantMap),
      values,
      meta: { ...this.meta },
    };
  }
}

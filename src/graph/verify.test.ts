import { describe, expect, it } from 'vitest';
import type { Graph } from '../ir/graph.js';
import { GraphBuilder } from './builder.js';
import { floatTensor } from '../ir/tensor.js';
import { verifyGraph } from './verify.js';
import { UserError } from '../util/errors.js';

function chain(): Graph {
  return new GraphBuilder('chain')
    .input('x', [1, 2, 4, 4])
    .constant('w', floatTensor([3, 2, 1, 1]))
    .node('Conv', ['x', 'w'], ['a'], {}, 'conv')
    .node('Relu', ['a'], ['b'], {}, 'relu')
    .node('GlobalAveragePool', ['b'], ['y'], {}, 'gap')
    .output('y')
    .build();
}

describe('verifyGraph', () => {
  it('accepts a built graph', () => {
    expect(() => verifyGraph(chain())).not.toThrow();
  });

  it('a cycle: two nodes feeding each other', () => {
    const g = chain();
    // relu reads 'y' (produced later by gap, which reads relu's output)
    const nodes = g.nodes.map((n) => (n.name === 'relu' ? { ...n, inputs: ['y'] } : n));
    const bad = { ...g, nodes };
    expect(() => verifyGraph(bad)).toThrow(UserError);
    expect(() => verifyGraph(bad)).toThrow("node 'relu' (Relu): input 'y' is produced by later node 'gap' (a cycle or nodes out of topological order)");
  });

  it('an undefined input', () => {
    const g = chain();
    const bad = { ...g, nodes: g.nodes.map((n) => (n.name === 'gap' ? { ...n, inputs: ['ghost'] } : n)) };
    expect(() => verifyGraph(bad)).toThrow("node 'gap' (GlobalAveragePool): input 'ghost' is not defined (not a graph input, constant or node output)");
  });

  it('a wrong stored shape', () => {
    const g = chain();
    const values = new Map(g.values);
    values.set('a', { dtype: 'float32', shape: [1, 3, 4, 5] });
    expect(() => verifyGraph({ ...g, values })).toThrow(
      "node 'conv' (Conv): output 'a' is stored as float32 [1, 3, 4, 5] but the op gives float32 [1, 3, 4, 4]",
    );
  });

  it('a tensor produced twice', () => {
    const g = chain();
    const nodes = [...g.nodes.slice(0, 2), { name: 'relu2', op: 'Relu', inputs: ['a'], outputs: ['b'], attrs: {} }, g.nodes[2]];
    expect(() => verifyGraph({ ...g, nodes })).toThrow("node 'relu2' (Relu): output 'b' is already defined by node 'relu'");
    // ... or a node overwriting a graph input
    const over = [{ name: 'r0', op: 'Relu', inputs: ['w'], outputs: ['x'], attrs: {} }, ...g.nodes];
    expect(() => verifyGraph({ ...g, nodes: over })).toThrow(/output 'x' is already defined \(graph input or constant\)/);
  });

  it('an undefined graph output, a missing stored shape, an unknown op', () => {
    const g = chain();
    expect(() => verifyGraph({ ...g, outputs: ['zzz'] })).toThrow("graph 'chain': output 'zzz' is not defined");
    const values = new Map(g.values);
    values.delete('b');
    expect(() => verifyGraph({ ...g, values })).toThrow(/'b' has no stored dtype\/shape/);
    expect(() => verifyGraph({ ...g, nodes: g.nodes.map((n) => (n.name === 'relu' ? { ...n, op: 'Swish' } : n)) })).toThrow("node 'relu' (Swish): unsupported op 'Swish'");
  });
});

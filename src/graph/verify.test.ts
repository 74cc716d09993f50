import { describe, expect, it } from 'vitest';
import type { Graph } from '../ir/graph.js';
import { GraphBuilder } from './builder.js';
import { floatTensor } from '../ir/tensor.js';
import { verifyGraph } from './verify.js';
import { inferShapes } from './infer.js';
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

  describe('value ranges: nothing reaches a later stage that it cannot hold', () => {
    const withConvAttrs = (attrs: Record<string, unknown>) => {
      const g = chain();
      return { ...g, nodes: g.nodes.map((n) => (n.name === 'conv' ? { ...n, attrs: { ...n.attrs, ...attrs } } : n)) } as Graph;
    };
    it('a list attribute outside int32 (the C params hold int32), in verify and already in shape inference', () => {
      for (const check of [verifyGraph, inferShapes]) {
        expect(() => check(withConvAttrs({ strides: [2 ** 40, 1] }))).toThrow("node 'conv' (Conv): attribute 'strides'[0] = 1099511627776 is not an integer that fits int32");
        expect(() => check(withConvAttrs({ pads: [0, 0, 0.5, 0] }))).toThrow("attribute 'pads'[2] = 0.5 is not an integer");
      }
    });
    it('a NaN attribute and an empty fused activation range', () => {
      expect(() => verifyGraph(withConvAttrs({ epsilon: NaN }))).toThrow("node 'conv' (Conv): attribute 'epsilon' is NaN");
      expect(() => verifyGraph(withConvAttrs({ act_min: 6, act_max: 0 }))).toThrow('fused activation range [6, 0] is empty');
    });
    it('a tensor over the size limit is named (a pad of 2^20 is an int32, but its output is not a tensor we hold)', () => {
      expect(() => inferShapes(withConvAttrs({ pads: [2 ** 20, 2 ** 20, 0, 0] }))).toThrow(/node 'conv' \(Conv\): output 'a' \[1, 3, 1048580, 1048580\]: \d+ values, more than the 67108864/);
      const g = chain();
      const huge = { ...g, values: new Map([...g.values, ['x', { dtype: 'float32' as const, shape: [1, 2, 8192, 8192] }]]) };
      expect(() => verifyGraph(huge)).toThrow("more than the 67108864");
    });
    it('a weight that is not finite or beyond ±2^64 is named (at import, before anything computes with it)', () => {
      const g = chain();
      const w = (v: number) => ({ ...g, constants: new Map([['w', floatTensor([3, 2, 1, 1], Float32Array.from([1, 2, 3, v, 5, 6]))]]) });
      expect(() => verifyGraph(w(2 ** 64))).not.toThrow();
      expect(() => verifyGraph(w(NaN))).toThrow("constant 'w': element 3 is NaN");
      expect(() => verifyGraph(w(-Infinity))).toThrow("constant 'w': element 3 is -Infinity");
      expect(() => verifyGraph(w(3e38))).toThrow("constant 'w': element 3 is 3.0000000054977558e+38, beyond ±2^64");
    });
    it('a graph without outputs', () => {
      expect(() => verifyGraph({ ...chain(), outputs: [] })).toThrow("graph 'chain': no outputs");
    });
  });
});

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../ir/graph.js';
import { int64Tensor } from '../ir/tensor.js';
import { lowerPool } from './lower_pool.js';
import { lowerFullyConnected } from './lower_fully_connected.js';
import { removeReshapes } from './remove_reshapes.js';
import { floatDisagreement, opsOf, randomTensor, runPure } from './testing.js';

const lower = (g: Graph): Graph => [lowerPool, lowerFullyConnected].reduce((h, p) => runPure(p, h), g);

describe('remove_reshapes', () => {
  it('Flatten / Reshape / Squeeze feeding a fully_connected go (it flattens anyway)', () => {
    for (const [op, extra, attrs] of [
      ['Flatten', [], { axis: 1 }],
      ['Reshape', ['shape'], {}],
      ['Squeeze', [], { axes: [2, 3] }],
    ] as const) {
      const g = new GraphBuilder('t')
        .input('x', [1, 6, 4, 4])
        .node('GlobalAveragePool', ['x'], ['p'], {}, 'gap')
        .constant('shape', int64Tensor([1, -1]))
        .node(op, ['p', ...extra], ['flat'], { ...attrs }, 'reshape')
        .constant('W', randomTensor([3, 6], 1))
        .node('Gemm', ['flat', 'W'], ['y'], { transB: 1 }, 'fc')
        .output('y')
        .build();
      const h = runPure(removeReshapes, lower(g));
      expect(opsOf(h), op).toEqual(['global_average_pool', 'fully_connected']);
      expect(h.nodes[1].inputs[0]).toBe('p');
      expect(h.constants.has('shape')).toBe(false);
      expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
    }
  });

  it('a no-op reshape goes anywhere; a rank change that is the graph output or feeds a non-fc op stays', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 6])
      .node('Flatten', ['x'], ['same'], { axis: 1 }, 'noop')
      .node('Softmax', ['same'], ['s'], { axis: -1 }, 'sm')
      .node('Unsqueeze', ['s'], ['u'], { axes: [2] }, 'unsq')
      .node('Relu', ['u'], ['r'], {}, 'relu')
      .node('Flatten', ['r'], ['out'], { axis: 1 }, 'final')
      .output('out')
      .build();
    const h = runPure(removeReshapes, g);
    expect(opsOf(h)).toEqual(['Softmax', 'Unsqueeze', 'Relu', 'Flatten']);
    expect(h.nodes[0].inputs).toEqual(['x']);
    expect(h.values.get('out')!.shape).toEqual([1, 6]);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });
});

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import { dumpGraph } from './dump.js';
import { floatTensor } from './tensor.js';

describe('dumpGraph', () => {
  it('one line per node with op, inputs → outputs, shapes and sorted attrs', () => {
    const g = new GraphBuilder('tiny', { opset: 13 })
      .input('x', [1, 3, 8, 8])
      .constant('w', floatTensor([4, 3, 3, 3]))
      .node('Conv', ['x', 'w'], ['y'], { strides: [2, 2], pads: [0, 0, 1, 1] }, 'conv_1')
      .node('Clip', ['y'], ['z'], { min: 0, max: 6 }, 'relu_1')
      .output('z')
      .build();
    expect(dumpGraph(g)).toBe(
      [
        'graph tiny (opset 13)',
        '  inputs:  x [1,3,8,8]',
        '  outputs: z [1,4,4,4]',
        '  constants: 1 tensors, 108 values',
        '  conv_1  Conv  x [1,3,8,8], w [4,3,3,3](const) → y [1,4,4,4]  {pads=[0,0,1,1], strides=[2,2]}',
        '  relu_1  Clip  y [1,4,4,4] → z [1,4,4,4]  {max=6, min=0}',
        '',
      ].join('\n'),
    );
  });

  it('shows non-float dtypes, absent inputs, float attrs and origin', () => {
    const g = new GraphBuilder('o')
      .input('x', [2])
      .node('Clip', ['x', ''], ['y'], { min: 0.1, max: Infinity }, 'c')
      .output('y')
      .build();
    const withOrigin = { ...g, nodes: g.nodes.map((n) => ({ ...n, origin: ['bn_1', 'relu_1'] })) };
    expect(dumpGraph(withOrigin)).toContain('  c  Clip  x [2], ∅ → y [2]  {max=Infinity, min=0.1}  ← bn_1, relu_1');
  });
});

describe('dumpGraph float attributes', () => {
  it('prints float32 attributes without float noise (epsilon 0.001 stored as float32)', () => {
    const g = new GraphBuilder('eps')
      .input('x', [1, 1, 1, 1])
      .constant('p', floatTensor([1], Float32Array.of(1)))
      .node('BatchNormalization', ['x', 'p', 'p', 'p', 'p'], ['y'], { epsilon: Math.fround(0.001) }, 'bn')
      .output('y')
      .build();
    expect(dumpGraph(g)).toContain('{epsilon=0.001}');
  });
});

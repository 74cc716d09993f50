import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../ir/graph.js';
import { lowerConv } from './lower_conv.js';
import { lowerPool } from './lower_pool.js';
import { mergePad } from './merge_pad.js';
import { floatDisagreement, opsOf, randomTensor, runPure } from './testing.js';

const lower = (g: Graph): Graph => runPure(lowerPool, runPure(lowerConv, g));

describe('merge_pad', () => {
  it('a zero Pad of H and W merges into the conv pads (tf2onnx SAME), adding to the conv own pads', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 2, 8, 8])
      .node('Pad', ['x'], ['p'], { pads: [0, 0, 0, 1, 0, 0, 1, 2], mode: 'constant', value: 0 }, 'pad')
      .constant('w', randomTensor([3, 2, 3, 3], 1))
      .node('Conv', ['p', 'w'], ['y'], { strides: [2, 2], pads: [1, 0, 0, 0] }, 'conv')
      .output('y')
      .build();
    const h = runPure(mergePad, lower(g));
    expect(opsOf(h)).toEqual(['conv2d']);
    expect(h.nodes[0].inputs[0]).toBe('x');
    expect(h.nodes[0].attrs.pads).toEqual([1, 1, 1, 2]);
    expect(h.nodes[0].origin).toEqual(['pad', 'conv']);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('into an unpadded average pool it becomes count_include_pad = 1 (the zeros count)', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 2, 5, 5])
      .node('Pad', ['x'], ['p'], { pads: [0, 0, 1, 1, 0, 0, 1, 1], mode: 'constant', value: 0 }, 'pad')
      .node('AveragePool', ['p'], ['y'], { kernel_shape: [3, 3], strides: [2, 2], count_include_pad: 0 }, 'avg')
      .output('y')
      .build();
    const h = runPure(mergePad, lower(g));
    expect(opsOf(h)).toEqual(['average_pool']);
    expect(h.nodes[0].attrs.pads).toEqual([1, 1, 1, 1]);
    expect(h.nodes[0].attrs.count_include_pad).toBe(1);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('is kept for a non-zero value, channel padding, an excluding pool with its own pads, or a graph output', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 2, 5, 5])
      .node('Pad', ['x'], ['p1'], { pads: [0, 0, 1, 1, 0, 0, 1, 1], mode: 'constant', value: 1 }, 'pad_value')
      .constant('w', randomTensor([2, 2, 1, 1], 1))
      .node('Conv', ['p1', 'w'], ['c1'], {}, 'conv1')
      .node('Pad', ['c1'], ['p2'], { pads: [0, 1, 0, 0, 0, 0, 0, 0], mode: 'constant', value: 0 }, 'pad_channel')
      .constant('w3', randomTensor([2, 3, 1, 1], 2))
      .node('Conv', ['p2', 'w3'], ['c2'], {}, 'conv2')
      .node('Pad', ['c2'], ['p3'], { pads: [0, 0, 1, 1, 0, 0, 1, 1], mode: 'constant', value: 0 }, 'pad_pool')
      .node('AveragePool', ['p3'], ['y'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 0 }, 'avg')
      .output('y')
      .build();
    const h = runPure(mergePad, lower(g));
    expect(opsOf(h)).toEqual(['Pad', 'conv2d', 'Pad', 'conv2d', 'Pad', 'average_pool']);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });
});

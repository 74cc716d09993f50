import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import { floatTensor } from '../ir/tensor.js';
import type { Graph } from '../ir/graph.js';
import { lowerConv } from './lower_conv.js';
import { lowerPool } from './lower_pool.js';
import { lowerFullyConnected } from './lower_fully_connected.js';
import { fuseActivation } from './fuse_activation.js';
import { floatDisagreement, opsOf, randomTensor, runPure } from './testing.js';

const lower = (g: Graph): Graph => [lowerConv, lowerPool, lowerFullyConnected].reduce((h, p) => runPure(p, h), g);

describe('fuse_activation', () => {
  it('Clip(0,6) then Relu after a conv become act range [0, 6] on the conv, output name kept', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 2, 4, 4])
      .constant('w', randomTensor([3, 2, 3, 3], 1, -3, 3))
      .node('Conv', ['x', 'w'], ['c'], { pads: [1, 1, 1, 1] }, 'conv')
      .node('Clip', ['c'], ['r6'], { min: 0, max: 6 }, 'relu6')
      .node('Relu', ['r6'], ['y'], {}, 'relu')
      .output('y')
      .build();
    const h = runPure(fuseActivation, lower(g));
    expect(opsOf(h)).toEqual(['conv2d']);
    expect(h.nodes[0].attrs.act_min).toBe(0);
    expect(h.nodes[0].attrs.act_max).toBe(6);
    expect(h.nodes[0].outputs).toEqual(['y']);
    expect(h.nodes[0].origin).toEqual(['conv', 'relu6', 'relu']);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('Clip(a, b) on fully_connected and Relu on pools and channel-affine-free graphs; ranges intersect', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 4, 4, 4])
      .node('AveragePool', ['x'], ['a'], { kernel_shape: [2, 2], strides: [2, 2] }, 'avg')
      .node('Relu', ['a'], ['ar'], {}, 'relu_a')
      .node('GlobalAveragePool', ['ar'], ['p'], {}, 'gap')
      .node('Clip', ['p'], ['pc'], { min: -0.25, max: 0.5 }, 'clip_p')
      .node('Flatten', ['pc'], ['f'], { axis: 1 })
      .constant('fw', randomTensor([3, 4], 2, -4, 4))
      .node('Gemm', ['f', 'fw'], ['z'], { transB: 1 }, 'dense')
      .node('Clip', ['z'], ['z1'], { min: -1, max: 2 }, 'clip1')
      .node('Clip', ['z1'], ['y'], { min: -3, max: 1 }, 'clip2')
      .output('y')
      .build();
    const h = runPure(fuseActivation, lower(g));
    expect(opsOf(h)).toEqual(['average_pool', 'global_average_pool', 'Flatten', 'fully_connected']);
    expect([h.nodes[0].attrs.act_min, h.nodes[0].attrs.act_max]).toEqual([0, Infinity]);
    expect([h.nodes[1].attrs.act_min, h.nodes[1].attrs.act_max]).toEqual([-0.25, 0.5]);
    expect([h.nodes[3].attrs.act_min, h.nodes[3].attrs.act_max]).toEqual([-1, 1]);
    expect(floatDisagreement(g, h, [1, 2, 3, 4, 5])).toBeLessThan(1e-5);
  });

  it('clip bounds given as constant inputs (opset >= 11 style) fuse too', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 2, 3, 3])
      .constant('w', randomTensor([2, 2, 1, 1], 3, -4, 4))
      .constant('lo', floatTensor([], Float32Array.from([0])))
      .constant('hi', floatTensor([], Float32Array.from([6])))
      .node('Conv', ['x', 'w'], ['c'], {}, 'conv')
      .node('Clip', ['c', 'lo', 'hi'], ['y'], {}, 'clip')
      .output('y')
      .build();
    const h = runPure(fuseActivation, lower(g));
    expect(opsOf(h)).toEqual(['conv2d']);
    expect([h.nodes[0].attrs.act_min, h.nodes[0].attrs.act_max]).toEqual([0, 6]);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('does not fuse when the producer output is read elsewhere, is a graph output, or ranges are disjoint', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 2, 3, 3])
      .constant('w', randomTensor([2, 2, 1, 1], 4, -4, 4))
      .node('Conv', ['x', 'w'], ['c'], {}, 'conv')
      .node('Relu', ['c'], ['r'], {}, 'relu')
      .node('Add', ['c', 'r'], ['s'])
      .constant('w2', randomTensor([2, 2, 1, 1], 5, -4, 4))
      .node('Conv', ['s', 'w2'], ['c2'], {}, 'conv2')
      .node('Clip', ['c2'], ['k1'], { min: 0, max: 1 }, 'clip1')
      .node('Clip', ['k1'], ['y'], { min: 2, max: 3 }, 'clip2')
      .output('y')
      .output('c')
      .build();
    const h = runPure(fuseActivation, lower(g));
    expect(opsOf(h)).toEqual(['conv2d', 'Relu', 'Add', 'conv2d', 'Clip']);
    expect([h.nodes[3].attrs.act_min, h.nodes[3].attrs.act_max]).toEqual([0, 1]);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });
});

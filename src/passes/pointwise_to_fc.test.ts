import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../ir/graph.js';
import { int64Tensor } from '../ir/tensor.js';
import { lowerConv } from './lower_conv.js';
import { lowerPool } from './lower_pool.js';
import { lowerSoftmax } from './lower_softmax.js';
import { pointwiseToFc } from './pointwise_to_fc.js';
import { floatDisagreement, opsOf, randomTensor, runPure } from './testing.js';

const lower = (g: Graph): Graph => [lowerConv, lowerPool, lowerSoftmax].reduce((h, p) => runPure(p, h), g);

describe('pointwise_to_fc', () => {
  it('Keras head GAP → 1×1 conv → Flatten → Softmax becomes GAP → fully_connected → softmax, output still [1, classes]', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 8, 3, 3])
      .node('GlobalAveragePool', ['x'], ['p'], {}, 'gap')
      .constant('w', randomTensor([5, 8, 1, 1], 1))
      .constant('b', randomTensor([5], 2))
      .node('Conv', ['p', 'w', 'b'], ['c'], {}, 'conv_preds')
      .node('Flatten', ['c'], ['f'], { axis: 1 }, 'flatten')
      .node('Softmax', ['f'], ['y'], { axis: 1 }, 'sm')
      .output('y')
      .build();
    const h = runPure(pointwiseToFc, lower(g));
    expect(opsOf(h)).toEqual(['global_average_pool', 'fully_connected', 'softmax']);
    const fc = h.nodes[1];
    expect(fc.name).toBe('conv_preds');
    expect(fc.inputs[0]).toBe('p');
    expect(fc.inputs[2]).toBe('b');
    expect(h.constants.get(fc.inputs[1])!.shape).toEqual([5, 8]);
    expect(h.values.get(fc.outputs[0])!.shape).toEqual([1, 5]);
    expect(h.values.get('y')!.shape).toEqual([1, 5]);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('the classifier reshape as the graph output keeps the output name', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 8, 1, 1])
      .constant('w', randomTensor([5, 8, 1, 1], 1))
      .node('Conv', ['x', 'w'], ['c'], {}, 'conv')
      .constant('shape', int64Tensor([1, 5]))
      .node('Reshape', ['c', 'shape'], ['out'], {}, 'reshape')
      .output('out')
      .build();
    const h = runPure(pointwiseToFc, lower(g));
    expect(opsOf(h)).toEqual(['fully_connected']);
    expect(h.outputs).toEqual(['out']);
    expect(h.nodes[0].outputs).toEqual(['out']);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('left alone on a larger map, with padding, or when a reader needs the 4-D shape', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 8, 2, 2])
      .constant('w', randomTensor([8, 8, 1, 1], 1))
      .node('Conv', ['x', 'w'], ['c'], {}, 'on_2x2')
      .node('GlobalAveragePool', ['c'], ['p'], {}, 'gap')
      .constant('w2', randomTensor([8, 8, 1, 1], 2))
      .node('Conv', ['p', 'w2'], ['c2'], {}, 'read_as_4d')
      .node('Relu', ['c2'], ['y'], {}, 'relu')
      .output('y')
      .build();
    const h = runPure(pointwiseToFc, lower(g));
    expect(opsOf(h)).toEqual(['conv2d', 'global_average_pool', 'conv2d', 'Relu']);
  });
});

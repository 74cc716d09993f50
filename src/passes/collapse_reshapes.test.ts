import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import { int64Tensor, toNumbers } from '../ir/tensor.js';
import type { Graph } from '../ir/graph.js';
import { lowerConv } from './lower_conv.js';
import { lowerPool } from './lower_pool.js';
import { lowerSoftmax } from './lower_softmax.js';
import { collapseReshapes } from './collapse_reshapes.js';
import { pointwiseToFc } from './pointwise_to_fc.js';
import { floatDisagreement, opsOf, randomTensor, runPure } from './testing.js';

const lower = (g: Graph): Graph => [lowerConv, lowerPool, lowerSoftmax].reduce((h, p) => runPure(p, h), g);

describe('collapse_reshapes', () => {
  it('tf2onnx head Conv → Transpose(0,2,3,1) → Reshape → Softmax: one Reshape, then pointwise_to_fc removes it', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 8, 3, 3])
      .node('GlobalAveragePool', ['x'], ['p'], {}, 'gap')
      .constant('w', randomTensor([5, 8, 1, 1], 1))
      .node('Conv', ['p', 'w'], ['c'], {}, 'conv_preds')
      .node('Transpose', ['c'], ['t'], { perm: [0, 2, 3, 1] }, 'to_nhwc')
      .constant('shape', int64Tensor([-1, 5]))
      .node('Reshape', ['t', 'shape'], ['r'], {}, 'reshape')
      .node('Softmax', ['r'], ['y'], { axis: -1 }, 'sm')
      .output('y')
      .build();
    const collapsed = runPure(collapseReshapes, lower(g));
    expect(opsOf(collapsed)).toEqual(['global_average_pool', 'conv2d', 'Reshape', 'softmax']);
    const r = collapsed.nodes[2];
    expect(r.inputs[0]).toBe('c');
    expect(r.origin).toEqual(['to_nhwc', 'reshape']);
    expect(toNumbers(collapsed.constants.get(r.inputs[1])!)).toEqual([1, 5]);
    expect(floatDisagreement(g, collapsed)).toBeLessThan(1e-5);
    const h = runPure(pointwiseToFc, collapsed);
    expect(opsOf(h)).toEqual(['global_average_pool', 'fully_connected', 'softmax']);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('a Transpose that really moves data, or a chain link with another reader, stays', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 2, 3, 1])
      .node('Transpose', ['x'], ['t'], { perm: [0, 2, 1, 3] }, 'real_transpose')
      .node('Flatten', ['t'], ['f'], { axis: 1 }, 'flatten')
      .node('Squeeze', ['x'], ['s'], { axes: [3] }, 'squeeze')
      .node('Unsqueeze', ['s'], ['u'], { axes: [0] }, 'unsqueeze')
      .output('f')
      .output('s')
      .output('u')
      .build();
    const h = runPure(collapseReshapes, g);
    expect(opsOf(h)).toEqual(['Transpose', 'Flatten', 'Squeeze', 'Unsqueeze']);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });
});

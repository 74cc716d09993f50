import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import { floatTensor } from '../ir/tensor.js';
import type { Graph } from '../ir/graph.js';
import { lowerConv } from './lower_conv.js';
import { lowerFullyConnected } from './lower_fully_connected.js';
import { lowerMulAdd } from './lower_mul_add.js';
import { foldChannelAffine } from './fold_channel_affine.js';
import { floatDisagreement, opsOf, randomTensor, runPure } from './testing.js';

const f = (...v: number[]): Float32Array => Float32Array.from(v);
const lower = (g: Graph): Graph => [lowerConv, lowerFullyConnected, lowerMulAdd].reduce((h, p) => runPure(p, h), g);

describe('fold_channel_affine', () => {
  it('Conv → Mul(scale) → Add(shift) folds into the conv (hand-computed)', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 1, 2, 2])
      .constant('w', floatTensor([2, 1, 1, 1], f(2, 3)))
      .constant('b', floatTensor([2], f(1, -1)))
      .constant('s', floatTensor([2, 1, 1], f(0.5, 2)))
      .constant('t', floatTensor([2, 1, 1], f(10, 20)))
      .node('Conv', ['x', 'w', 'b'], ['c'], {}, 'conv')
      .node('Mul', ['c', 's'], ['m'], {}, 'mul')
      .node('Add', ['m', 't'], ['y'], {}, 'add')
      .output('y')
      .build();
    const h = runPure(foldChannelAffine, lower(g));
    expect(opsOf(h)).toEqual(['conv2d']);
    const n = h.nodes[0];
    expect(n.outputs).toEqual(['y']);
    expect(n.origin).toEqual(['conv', 'mul', 'add']);
    // w' = w·s = [1, 6]; b' = (b·s)·1 + t = [0.5 + 10, −2 + 20].
    expect(Array.from(h.constants.get(n.inputs[1])!.data as Float32Array)).toEqual([1, 6]);
    expect(Array.from(h.constants.get(n.inputs[2])!.data as Float32Array)).toEqual([10.5, 18]);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('a bias Add after a fully-connected folds into its bias; affines on a graph input compose into one', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 3, 2, 2])
      .constant('s', randomTensor([3, 1, 1], 1))
      .constant('t', randomTensor([3, 1, 1], 2))
      .node('Mul', ['x', 's'], ['m'], {}, 'mul')
      .node('Add', ['m', 't'], ['a'], {}, 'add')
      .node('Flatten', ['a'], ['flat'], { axis: 1 })
      .constant('W', randomTensor([5, 12], 3))
      .node('Gemm', ['flat', 'W'], ['z'], { transB: 1 }, 'fc')
      .constant('fb', randomTensor([5], 4))
      .node('Add', ['z', 'fb'], ['y'], {}, 'fc_bias')
      .output('y')
      .build();
    const h = runPure(foldChannelAffine, lower(g));
    expect(opsOf(h)).toEqual(['channel_affine', 'Flatten', 'fully_connected']);
    expect(h.nodes[0].origin).toEqual(['mul', 'add']);
    expect(h.nodes[2].origin).toEqual(['fc', 'fc_bias']);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('no fold when the conv output has another reader', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 2, 2, 2])
      .constant('w', randomTensor([2, 2, 1, 1], 1))
      .constant('s', randomTensor([2, 1, 1], 2))
      .node('Conv', ['x', 'w'], ['c'], {}, 'conv')
      .node('Mul', ['c', 's'], ['m'], {}, 'mul')
      .node('Add', ['c', 'm'], ['y'], {}, 'residual')
      .output('y')
      .build();
    const h = runPure(foldChannelAffine, lower(g));
    expect(opsOf(h)).toEqual(['conv2d', 'channel_affine', 'Add']);
  });
});

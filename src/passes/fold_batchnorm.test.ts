import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import { floatTensor } from '../ir/tensor.js';
import type { Graph } from '../ir/graph.js';
import { lowerConv } from './lower_conv.js';
import { lowerFullyConnected } from './lower_fully_connected.js';
import { foldBatchnorm } from './fold_batchnorm.js';
import { floatDisagreement, opsOf, randomTensor, runPure } from './testing.js';

const f = (...v: number[]): Float32Array => Float32Array.from(v);

/** BN with γ = [1, 2], β = [0.5, −1], μ = [1, 0], σ² = [3, 0], ε = 1 → s = γ/√(σ²+ε) = [0.5, 2]. */
function withBn(b: GraphBuilder, input: string, output: string, name = 'bn'): GraphBuilder {
  return b
    .constant(`${name}.g`, floatTensor([2], f(1, 2)))
    .constant(`${name}.b`, floatTensor([2], f(0.5, -1)))
    .constant(`${name}.m`, floatTensor([2], f(1, 0)))
    .constant(`${name}.v`, floatTensor([2], f(3, 0)))
    .node('BatchNormalization', [input, `${name}.g`, `${name}.b`, `${name}.m`, `${name}.v`], [output], { epsilon: 1 }, name);
}

const fold = (g: Graph): Graph => runPure(foldBatchnorm, runPure(lowerConv, g));

describe('fold_batchnorm', () => {
  it('folds into a conv without bias: hand-computed weights and bias', () => {
    const g = withBn(new GraphBuilder('t').input('x', [1, 1, 2, 2]).constant('w', floatTensor([2, 1, 1, 1], f(2, 3))).node('Conv', ['x', 'w'], ['c'], {}, 'conv'), 'c', 'y')
      .output('y')
      .build();
    const h = fold(g);
    expect(opsOf(h)).toEqual(['conv2d']);
    const n = h.nodes[0];
    expect(n.name).toBe('conv');
    expect(n.outputs).toEqual(['y']);
    expect(n.origin).toEqual(['conv', 'bn']);
    expect(n.inputs[1]).toBe('conv.weight_folded');
    expect(n.inputs[2]).toBe('conv.bias_folded');
    // w' = w·s = [1, 6]; b' = (0 − μ)·s + β = [−0.5 + 0.5, 0 − 1] = [0, −1].
    expect(Array.from(h.constants.get('conv.weight_folded')!.data as Float32Array)).toEqual([1, 6]);
    expect(Array.from(h.constants.get('conv.bias_folded')!.data as Float32Array)).toEqual([0, -1]);
    // The BN parameters and the unfolded weight are gone.
    expect([...h.constants.keys()].sort()).toEqual(['conv.bias_folded', 'conv.weight_folded']);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('folds into a conv with bias: b′ = (b − μ)·s + β', () => {
    const g = withBn(
      new GraphBuilder('t').input('x', [1, 1, 2, 2]).constant('w', floatTensor([2, 1, 1, 1], f(2, 3))).constant('b', floatTensor([2], f(2, 1))).node('Conv', ['x', 'w', 'b'], ['c'], {}, 'conv'),
      'c',
      'y',
    )
      .output('y')
      .build();
    const h = fold(g);
    expect(Array.from(h.constants.get('conv.bias_folded')!.data as Float32Array)).toEqual([1, 1]);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('folds into a depthwise conv and into a Gemm (fully_connected), outputs agree on random inputs', () => {
    const C = 6;
    const bnParams = (b: GraphBuilder, p: string, seed: number): GraphBuilder =>
      b
        .constant(`${p}.g`, randomTensor([C], seed, 0.5, 2))
        .constant(`${p}.b`, randomTensor([C], seed + 1))
        .constant(`${p}.m`, randomTensor([C], seed + 2))
        .constant(`${p}.v`, randomTensor([C], seed + 3, 0.1, 3));
    let b = new GraphBuilder('t').input('x', [1, C, 7, 7]).constant('dw', randomTensor([C, 1, 3, 3], 1)).node('Conv', ['x', 'dw'], ['d'], { group: C, pads: [1, 1, 1, 1], strides: [2, 2] }, 'dwconv');
    b = bnParams(b, 'bn1', 10).node('BatchNormalization', ['d', 'bn1.g', 'bn1.b', 'bn1.m', 'bn1.v'], ['d_bn'], { epsilon: 1e-3 }, 'bn1');
    b = b.node('GlobalAveragePool', ['d_bn'], ['p']).node('Flatten', ['p'], ['flat'], { axis: 1 });
    b = b.constant('fw', randomTensor([C, C], 2)).constant('fb', randomTensor([C], 3)).node('Gemm', ['flat', 'fw', 'fb'], ['z'], { transB: 1 }, 'dense');
    b = bnParams(b, 'bn2', 20).node('BatchNormalization', ['z', 'bn2.g', 'bn2.b', 'bn2.m', 'bn2.v'], ['y'], { epsilon: 1e-3 }, 'bn2');
    const g = b.output('y').build();
    const h = runPure(foldBatchnorm, runPure(lowerFullyConnected, runPure(lowerConv, g)));
    expect(opsOf(h)).toEqual(['depthwise_conv2d', 'GlobalAveragePool', 'Flatten', 'fully_connected']);
    expect(h.nodes[3].origin).toEqual(['dense', 'bn2']);
    expect(h.nodes[3].outputs).toEqual(['y']);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('a BN whose conv output is also read elsewhere, or on a graph input, becomes channel_affine', () => {
    const g = withBn(
      withBn(new GraphBuilder('t').input('x', [1, 2, 3, 3]).constant('w', randomTensor([2, 2, 1, 1], 4)).node('Conv', ['x', 'w'], ['c'], {}, 'conv'), 'c', 'y', 'bn'),
      'x',
      'z',
      'bn0',
    )
      .node('Add', ['c', 'y'], ['s'])
      .output('s')
      .output('z')
      .build();
    const h = fold(g);
    expect(opsOf(h)).toEqual(['conv2d', 'channel_affine', 'channel_affine', 'Add']);
    const affine = h.nodes.find((n) => n.name === 'bn')!;
    // scale s = [0.5, 2]; shift = β − μ·s = [0, −1].
    expect(Array.from(h.constants.get(affine.inputs[1])!.data as Float32Array)).toEqual([0.5, 2]);
    expect(Array.from(h.constants.get(affine.inputs[2])!.data as Float32Array)).toEqual([0, -1]);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('new constant names do not collide with existing ones', () => {
    const g = withBn(
      new GraphBuilder('t').input('x', [1, 1, 2, 2]).constant('w', floatTensor([2, 1, 1, 1], f(2, 3))).constant('conv.weight_folded', floatTensor([1], f(7))).node('Conv', ['x', 'w'], ['c'], {}, 'conv'),
      'c',
      'y',
    )
      .node('Add', ['y', 'conv.weight_folded'], ['out'])
      .output('out')
      .build();
    const h = fold(g);
    expect(h.nodes[0].inputs[1]).toBe('conv.weight_folded_2');
    expect(Array.from(h.constants.get('conv.weight_folded')!.data as Float32Array)).toEqual([7]);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });
});

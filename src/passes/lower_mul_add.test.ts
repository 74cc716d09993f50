import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import { floatTensor } from '../ir/tensor.js';
import { lowerMulAdd } from './lower_mul_add.js';
import { floatDisagreement, opsOf, randomTensor, runPure } from './testing.js';

const f = (...v: number[]): Float32Array => Float32Array.from(v);

describe('lower_mul_add', () => {
  it('Mul by [C,1,1] and Add of [1,C,1,1] / scalar become channel_affine with the right scale and shift', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 3, 2, 2])
      .constant('s', floatTensor([3, 1, 1], f(2, 3, 4)))
      .constant('b', floatTensor([1, 3, 1, 1], f(-1, 0, 1)))
      .constant('k', floatTensor([], f(0.5)))
      .node('Mul', ['x', 's'], ['m'], {}, 'mul')
      .node('Add', ['b', 'm'], ['a'], {}, 'add')
      .node('Add', ['a', 'k'], ['y'], {}, 'add_scalar')
      .output('y')
      .build();
    const h = runPure(lowerMulAdd, g);
    expect(opsOf(h)).toEqual(['channel_affine', 'channel_affine', 'channel_affine']);
    const values = (i: number, k: number): number[] => Array.from(h.constants.get(h.nodes[i].inputs[k])!.data as Float32Array);
    expect([values(0, 1), values(0, 2)]).toEqual([[2, 3, 4], [0, 0, 0]]);
    expect([values(1, 1), values(1, 2)]).toEqual([[1, 1, 1], [-1, 0, 1]]);
    expect([values(2, 1), values(2, 2)]).toEqual([[1, 1, 1], [0.5, 0.5, 0.5]]);
    expect(h.nodes[1].inputs[0]).toBe('m');
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('[C] on an [N, C] tensor is per channel; [W] on NCHW, per-pixel constants and two runtime inputs are not', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 4, 4, 4])
      .input('z', [1, 4, 4, 4])
      .input('v', [1, 4])
      .constant('w4', randomTensor([4], 1))
      .constant('px', randomTensor([1, 1, 4, 4], 2))
      .node('Mul', ['x', 'w4'], ['a'], {}, 'along_w')
      .node('Add', ['a', 'px'], ['b'], {}, 'per_pixel')
      .node('Add', ['b', 'z'], ['y'], {}, 'two_runtime')
      .node('Mul', ['v', 'w4'], ['u'], {}, 'fc_like')
      .output('y')
      .output('u')
      .build();
    const h = runPure(lowerMulAdd, g);
    expect(opsOf(h)).toEqual(['Mul', 'Add', 'Add', 'channel_affine']);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });
});

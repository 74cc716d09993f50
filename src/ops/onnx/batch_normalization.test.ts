import { describe, expect, it } from 'vitest';
import { UserError } from '../../util/errors.js';
import { GraphBuilder } from '../../graph/builder.js';
import { floatTensor } from '../../ir/tensor.js';
import { f32, iota, opGraph, runOp, values } from './testing.js';

describe('BatchNormalization', () => {
  it('y = (x − mean)/sqrt(var + ε)·scale + B per channel', () => {
    // channel 0: scale 2, B 1, mean 1, var 3, ε 1 → (x−1)/2·2+1 = x; channel 1: scale 1, B 0, mean 0, var 0 (ε 1) → x
    // then channel 1 with var 15: x/4
    const x = f32([1, 2, 1, 2], [1, 3, 4, 8]);
    const { y } = runOp('BatchNormalization', {
      inputs: { x },
      constants: { s: f32([2], [2, 1]), b: f32([2], [1, 0]), m: f32([2], [1, 0]), v: f32([2], [3, 15]) },
      order: ['x', 's', 'b', 'm', 'v'],
      attrs: { epsilon: 1 },
    });
    expect(values(y)).toEqual([1, 3, 1, 2]);
  });

  it('default epsilon 1e-5 on a rank-2 input', () => {
    const { y } = runOp('BatchNormalization', {
      inputs: { x: f32([2, 1], [1, -1]) },
      constants: { s: f32([1], [1]), b: f32([1], [0]), m: f32([1], [0]), v: f32([1], [1]) },
      order: ['x', 's', 'b', 'm', 'v'],
    });
    expect(y.data[0]).toBeCloseTo(1 / Math.sqrt(1 + 1e-5), 7);
    expect(y.data[1]).toBeCloseTo(-1 / Math.sqrt(1 + 1e-5), 7);
  });

  it('a parameter of the wrong length names the node, the parameter and the input it should match', () => {
    const b = new GraphBuilder('bn')
      .input('x', [1, 3, 4, 4])
      .constant('w', floatTensor([32, 3, 1, 1]))
      .constant('s', floatTensor([16]))
      .constant('b', floatTensor([32]))
      .constant('m', floatTensor([32]))
      .constant('v', floatTensor([32]))
      .node('Conv', ['x', 'w'], ['conv_3'], {}, 'conv_3')
      .node('BatchNormalization', ['conv_3', 's', 'b', 'm', 'v'], ['y'], {}, 'bn_3')
      .output('y');
    expect(() => b.build()).toThrow(UserError);
    expect(() => b.build()).toThrow("node 'bn_3' (BatchNormalization): scale has 16 values, expected 32 (channels of 'conv_3')");
  });

  it('training outputs are rejected', () => {
    const c = { inputs: { x: iota([1, 1, 2, 2]) }, constants: { s: f32([1], [1]), b: f32([1], [0]), m: f32([1], [0]), v: f32([1], [1]) }, order: ['x', 's', 'b', 'm', 'v'] };
    expect(() => opGraph('BatchNormalization', { ...c, outputs: ['y', 'running_mean'] })).toThrow(/training/);
    expect(() => opGraph('BatchNormalization', { ...c, attrs: { training_mode: 1 } })).toThrow(/training/);
  });
});

import { describe, expect, it } from 'vitest';
import { GraphBuilder } from './builder.js';
import { inferShapes } from './infer.js';
import { floatTensor, int64Tensor } from '../ir/tensor.js';
import { UserError } from '../util/errors.js';

describe('inferShapes', () => {
  it('fills values for inputs, constants and every node output of a small MobileNet-style block', () => {
    const g = new GraphBuilder('block')
      .input('x', [1, 3, 8, 8])
      .constant('w', floatTensor([4, 3, 3, 3]))
      .constant('dw', floatTensor([4, 1, 3, 3]))
      .constant('shape', int64Tensor([1, -1]))
      .node('Conv', ['x', 'w'], ['c1'], { strides: [2, 2], pads: [0, 0, 1, 1] })
      .node('Clip', ['c1'], ['r1'], { min: 0, max: 6 })
      .node('Conv', ['r1', 'dw'], ['c2'], { group: 4, pads: [1, 1, 1, 1] })
      .node('GlobalAveragePool', ['c2'], ['p'])
      .node('Reshape', ['p', 'shape'], ['flat'])
      .node('Softmax', ['flat'], ['y'], { axis: -1 })
      .output('y')
      .build();
    expect(g.values.get('c1')).toEqual({ dtype: 'float32', shape: [1, 4, 4, 4] });
    expect(g.values.get('c2')!.shape).toEqual([1, 4, 4, 4]);
    expect(g.values.get('p')!.shape).toEqual([1, 4, 1, 1]);
    expect(g.values.get('flat')!.shape).toEqual([1, 4]);
    expect(g.values.get('y')!.shape).toEqual([1, 4]);
    expect(g.values.get('shape')).toEqual({ dtype: 'int64', shape: [2] });
    expect(g.values.size).toBe(10); // 1 input + 3 constants + 6 node outputs
  });

  it('unknown op, undefined input and missing output are UserErrors naming them', () => {
    const unknown = new GraphBuilder('u').input('x', [1, 4]).node('Gelu', ['x'], ['y'], {}, 'act').output('y');
    expect(() => unknown.build()).toThrow(UserError);
    expect(() => unknown.build()).toThrow("node 'act': unsupported op 'Gelu'");
    const undef = new GraphBuilder('u').input('x', [1, 4]).node('Relu', ['nope'], ['y'], {}, 'r').output('y');
    expect(() => undef.build()).toThrow("node 'r' (Relu): input 'nope' is not defined before it is used");
    const noOut = new GraphBuilder('u').input('x', [1, 4]).node('Relu', ['x'], ['y']).output('z');
    expect(() => noOut.build()).toThrow("graph 'u': output 'z' is not produced by any node");
  });

  it('attribute errors from the readers become UserErrors naming the node', () => {
    const g = new GraphBuilder('a').input('x', [1, 1, 4, 4]).node('MaxPool', ['x'], ['y'], { kernel_shape: 'big' }, 'pool').output('y');
    expect(() => g.build()).toThrow(UserError);
    expect(() => g.build()).toThrow(/node 'pool' \(MaxPool\): attribute 'kernel_shape' is not a list of numbers/);
  });

  it('does not mutate the graph it is given', () => {
    const raw = new GraphBuilder('m').input('x', [2, 2]).node('Relu', ['x'], ['y']).output('y').buildUnchecked();
    const before = raw.values.size;
    const g = inferShapes(raw);
    expect(raw.values.size).toBe(before);
    expect(g.values.get('y')!.shape).toEqual([2, 2]);
  });
});

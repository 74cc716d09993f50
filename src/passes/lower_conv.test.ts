import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import { lowerConv } from './lower_conv.js';
import { floatDisagreement, opsOf, randomTensor, runPure } from './testing.js';

describe('lower_conv', () => {
  it('group 1 → conv2d with a zero bias; group = C → depthwise_conv2d; auto_pad resolved', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 3, 9, 9])
      .constant('w1', randomTensor([4, 3, 3, 3], 1))
      .node('Conv', ['x', 'w1'], ['a'], { auto_pad: 'SAME_UPPER', strides: [2, 2] }, 'c1')
      .constant('w2', randomTensor([8, 1, 3, 3], 2))
      .constant('b2', randomTensor([8], 3))
      .node('Conv', ['a', 'w2', 'b2'], ['y'], { group: 4, pads: [0, 1, 2, 1], dilations: [2, 1] }, 'c2')
      .output('y')
      .build();
    const h = runPure(lowerConv, g);
    expect(opsOf(h)).toEqual(['conv2d', 'depthwise_conv2d']);
    const [c1, c2] = h.nodes;
    // SAME_UPPER, in 9, stride 2, kernel 3: out 5, total pad (5−1)·2+3−9 = 2 → 1 each side.
    expect(c1.attrs).toEqual({ strides: [2, 2], pads: [1, 1, 1, 1], dilations: [1, 1], act_min: -Infinity, act_max: Infinity });
    expect(c1.inputs[2]).toBe('c1.bias');
    expect(Array.from(h.constants.get('c1.bias')!.data as Float32Array)).toEqual([0, 0, 0, 0]);
    expect(c1.origin).toEqual(['c1']);
    expect(c2.attrs).toEqual({ strides: [1, 1], pads: [0, 1, 2, 1], dilations: [2, 1], act_min: -Infinity, act_max: Infinity, depth_multiplier: 2 });
    expect(c2.inputs).toEqual(['a', 'w2', 'b2']);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('SAME_LOWER puts the odd pad at the start', () => {
    const g = new GraphBuilder('t')
      .input('x', [1, 1, 8, 8])
      .constant('w', randomTensor([1, 1, 2, 2], 1))
      .node('Conv', ['x', 'w'], ['y'], { auto_pad: 'SAME_LOWER' }, 'c')
      .output('y')
      .build();
    const h = runPure(lowerConv, g);
    expect(h.nodes[0].attrs.pads).toEqual([1, 1, 0, 0]);
    expect(floatDisagreement(g, h)).toBeLessThan(1e-5);
  });

  it('refuses other groupings and runtime weights with a UserError naming the node', () => {
    const grouped = new GraphBuilder('t')
      .input('x', [1, 4, 3, 3])
      .constant('w', randomTensor([4, 2, 1, 1], 1))
      .node('Conv', ['x', 'w'], ['y'], { group: 2 }, 'grouped')
      .output('y')
      .build();
    expect(() => lowerConv.run(grouped)).toThrow(/node 'grouped' \(Conv\): grouped convolution with group 2/);
    const runtimeW = new GraphBuilder('t')
      .input('x', [1, 1, 3, 3])
      .input('w', [1, 1, 1, 1])
      .node('Conv', ['x', 'w'], ['y'], {}, 'cw')
      .output('y')
      .build();
    expect(() => lowerConv.run(runtimeW)).toThrow(/node 'cw' \(Conv\): weight 'w' is not a constant/);
  });
});

import { describe, expect, it } from 'vitest';
import { channel_affine } from './channel_affine.js';
import { floatTensor } from '../ir/tensor.js';
import { node } from '../passes/testing.js';

describe('channel_affine', () => {
  it('y = x·scale[c] + bias[c] along axis 1, then the clamp', () => {
    const x = floatTensor([1, 2, 1, 2], Float32Array.from([1, 2, 3, 4]));
    const s = floatTensor([2], Float32Array.from([2, -1]));
    const b = floatTensor([2], Float32Array.from([0.5, 1]));
    const n = node('channel_affine', ['x', 's', 'b'], ['y'], { act_min: -2.5, act_max: 4 });
    expect(channel_affine.inferShapes(n, [x, s, b], [])[0].shape).toEqual([1, 2, 1, 2]);
    expect(Array.from(channel_affine.evalFloat(n, [x, s, b])[0].data as Float32Array)).toEqual([2.5, 4, -2, -2.5]);
  });
});

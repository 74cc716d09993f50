import { describe, expect, it } from 'vitest';
import { global_average_pool } from './global_average_pool.js';
import { floatTensor } from '../ir/tensor.js';
import { node } from '../passes/testing.js';

describe('global_average_pool', () => {
  it('means each plane to [N,C,1,1] and clamps', () => {
    const x2 = floatTensor([1, 2, 2, 2], Float32Array.from([1, 2, 3, 4, -1, -2, -3, -6]));
    const n = node('global_average_pool', ['x'], ['y'], { act_min: -2, act_max: Infinity });
    expect(global_average_pool.inferShapes(n, [x2], [])[0].shape).toEqual([1, 2, 1, 1]);
    const [y] = global_average_pool.evalFloat(n, [x2]);
    expect(y.shape).toEqual([1, 2, 1, 1]);
    expect(Array.from(y.data as Float32Array)).toEqual([2.5, -2]);
  });
});

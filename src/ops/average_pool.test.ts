import { describe, expect, it } from 'vitest';
import { average_pool } from './average_pool.js';
import { floatTensor } from '../ir/tensor.js';
import { node } from '../passes/testing.js';

// x = 0..15 on one 4×4 plane.
const x = floatTensor([1, 1, 4, 4], Float32Array.from({ length: 16 }, (_, i) => i));

describe('average_pool', () => {
  it('2x2 stride 2 without padding (hand-computed)', () => {
    const n = node('average_pool', ['x'], ['y'], { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], count_include_pad: 0 });
    expect(average_pool.inferShapes(n, [x], [])[0].shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(average_pool.evalFloat(n, [x])[0].data as Float32Array)).toEqual([2.5, 4.5, 10.5, 12.5]);
  });

  it('padding counted or not according to count_include_pad', () => {
    const attrs = { kernel: [2, 2], strides: [2, 2], pads: [1, 1, 0, 0] };
    // Top-left window covers only x[0,0] = 0 plus three pads; window (0,1) covers x[0,1], x[0,2] = 1, 2.
    const excl = average_pool.evalFloat(node('average_pool', ['x'], ['y'], { ...attrs, count_include_pad: 0 }), [x])[0].data as Float32Array;
    const incl = average_pool.evalFloat(node('average_pool', ['x'], ['y'], { ...attrs, count_include_pad: 1 }), [x])[0].data as Float32Array;
    expect(excl[0]).toBe(0);
    expect(excl[1]).toBe(1.5);
    expect(incl[1]).toBe(0.75);
    // Output is 2×2; its last window (rows 1-2, cols 1-2) has no padding: 5, 6, 9, 10.
    expect(excl.length).toBe(4);
    expect(excl[3]).toBe(7.5);
    expect(incl[3]).toBe(7.5);
  });

  it('clamps to the activation range', () => {
    const n = node('average_pool', ['x'], ['y'], { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], count_include_pad: 0, act_min: 3, act_max: 11 });
    expect(Array.from(average_pool.evalFloat(n, [x])[0].data as Float32Array)).toEqual([3, 4.5, 10.5, 11]);
  });
});

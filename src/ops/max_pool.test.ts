import { describe, expect, it } from 'vitest';
import { floatTensor } from '../ir/tensor.js';
import { node } from '../passes/testing.js';
import { max_pool, type MaxPoolLayer } from './max_pool.js';

describe('max_pool', () => {
  it('float: the largest value per window, padding never chosen, then the clamp (hand-computed)', () => {
    // 3×3 input, kernel 2 stride 2 pads [1, 1, 0, 0]: windows {−5}, {−4, −3}, {−2, 1}, {0, 2, 3, 4}.
    const x = floatTensor([1, 1, 3, 3], Float32Array.of(-5, -4, -3, -2, 0, 2, 1, 3, 4));
    const n = node('max_pool', ['x'], ['y'], { kernel: [2, 2], strides: [2, 2], pads: [1, 1, 0, 0], act_min: -3.5, act_max: 3 });
    expect(max_pool.inferShapes(n, [{ dtype: 'float32', shape: [1, 1, 3, 3] }], [])[0].shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(max_pool.evalFloat(n, [x])[0].data as Float32Array)).toEqual([-3.5, -3, 1, 3]);
  });

  it('int8: the same windows on raw values, clamped in int8 units (hand-computed)', () => {
    const q = { scale: 0.1, zeroPoint: 7 };
    const l: MaxPoolLayer = {
      name: 'p', op: 'max_pool', origin: [], inputs: ['x'], output: 'y', inputShapes: [[1, 1, 3, 3]], outputShape: [1, 1, 2, 2],
      inputQ: [q], outputQ: q, actMin: -100, actMax: 30, kernel: [2, 2], strides: [2, 2], pads: [1, 1, 0, 0],
    };
    const x = Int8Array.of(-120, -90, -60, -30, 0, 20, 10, 31, 40);
    expect(Array.from(max_pool.int8!.run(l, [x]))).toEqual([-100, -60, 10, 30]);
  });

  it('refuses pads as large as the kernel, naming the node', () => {
    const n = node('max_pool', ['x'], ['y'], { kernel: [2, 2], strides: [1, 1], pads: [2, 0, 0, 0] });
    expect(() => max_pool.inferShapes(n, [{ dtype: 'float32', shape: [1, 1, 3, 3] }], [])).toThrow(/node '\w+' \(max_pool\): pads \[2, 0, 0, 0\] must be non-negative and smaller than the kernel/);
  });
});

import { describe, expect, it } from 'vitest';
import { conv2d } from './conv2d.js';
import { clampAll, maxAbsDiff, naiveConv, node, randomTensor } from '../passes/testing.js';
import { floatTensor } from '../ir/tensor.js';
import type { ValueInfo } from '../ir/graph.js';

const info = (t: { shape: readonly number[] }): ValueInfo => ({ dtype: 'float32', shape: t.shape });

describe('conv2d', () => {
  it('matches a direct convolution with asymmetric pads, stride 2, dilation and a clamp', () => {
    const x = randomTensor([2, 3, 9, 8], 1);
    const w = randomTensor([4, 3, 3, 3], 2);
    const b = randomTensor([4], 3);
    const attrs = { strides: [2, 1], pads: [0, 1, 1, 2], dilations: [1, 2], act_min: -0.5, act_max: 1.5 };
    const n = node('conv2d', ['x', 'w', 'b'], ['y'], attrs);
    const [shape] = conv2d.inferShapes(n, [info(x), info(w), info(b)], [undefined, w, b]);
    const ref = naiveConv(x, w, b.data as Float32Array, { ...attrs, group: 1 });
    expect(shape.shape).toEqual(ref.shape);
    const [y] = conv2d.evalFloat(n, [x, w, b]);
    expect(y.shape).toEqual(ref.shape);
    expect(maxAbsDiff(y.data as Float32Array, clampAll(ref.data, -0.5, 1.5))).toBeLessThan(1e-5);
    // The clamp actually bites on this data.
    expect(Math.min(...(y.data as Float32Array))).toBe(-0.5);
    expect(Math.max(...(y.data as Float32Array))).toBe(1.5);
  });

  it('hand-computed 1x1 example and cost', () => {
    const x = floatTensor([1, 2, 1, 2], Float32Array.from([1, 2, 3, 4]));
    const w = floatTensor([1, 2, 1, 1], Float32Array.from([10, 100]));
    const b = floatTensor([1], Float32Array.from([0.5]));
    const n = node('conv2d', ['x', 'w', 'b'], ['y'], { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], act_min: 0, act_max: Infinity });
    const [y] = conv2d.evalFloat(n, [x, w, b]);
    expect(Array.from(y.data as Float32Array)).toEqual([310.5, 420.5]);
    expect(conv2d.cost!(n, [info(x), info(w), info(b)], [{ dtype: 'float32', shape: [1, 1, 1, 2] }])).toEqual({ macs: 4, params: 3 });
  });

  it('rejects a weight whose input channels do not match', () => {
    const n = node('conv2d', ['x', 'w', 'b'], ['y'], { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1] });
    expect(() => conv2d.inferShapes(n, [{ dtype: 'float32', shape: [1, 3, 4, 4] }, { dtype: 'float32', shape: [2, 4, 1, 1] }, { dtype: 'float32', shape: [2] }], [])).toThrow(/input channels/);
  });
});

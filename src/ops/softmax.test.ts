import { describe, expect, it } from 'vitest';
import { softmax } from './softmax.js';
import { floatTensor } from '../ir/tensor.js';
import { node } from '../passes/testing.js';

describe('softmax', () => {
  it('normalizes each row of the last axis (hand-computed)', () => {
    const x = floatTensor([2, 3], Float32Array.from([0, Math.log(2), Math.log(5), 1000, 1000, 1000]));
    const n = node('softmax', ['x'], ['y'], { axis: -1 });
    expect(softmax.inferShapes(n, [x], [])[0].shape).toEqual([2, 3]);
    const y = softmax.evalFloat(n, [x])[0].data as Float32Array;
    const want = [1 / 8, 2 / 8, 5 / 8, 1 / 3, 1 / 3, 1 / 3];
    want.forEach((v, i) => expect(y[i]).toBeCloseTo(v, 6));
  });

  it('rejects an axis outside the rank', () => {
    expect(() => softmax.inferShapes(node('softmax', ['x'], ['y'], { axis: 2 }), [{ dtype: 'float32', shape: [1, 5] }], [])).toThrow(/axis 2/);
  });
});

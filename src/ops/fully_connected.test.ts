import { describe, expect, it } from 'vitest';
import { fully_connected } from './fully_connected.js';
import { floatTensor } from '../ir/tensor.js';
import { maxAbsDiff, node, randomTensor } from '../passes/testing.js';

describe('fully_connected', () => {
  it('flattens x [N,C,1,1] and computes x·wᵀ + b (hand-computed)', () => {
    const x = floatTensor([2, 3, 1, 1], Float32Array.from([1, 2, 3, 4, 5, 6]));
    const w = floatTensor([2, 3], Float32Array.from([1, 0, -1, 0.5, 0.5, 0.5]));
    const b = floatTensor([2], Float32Array.from([10, -1]));
    const n = node('fully_connected', ['x', 'w', 'b'], ['y']);
    expect(fully_connected.inferShapes(n, [x, w, b], [])[0].shape).toEqual([2, 2]);
    const [y] = fully_connected.evalFloat(n, [x, w, b]);
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.data as Float32Array)).toEqual([10 - 2, -1 + 3, 10 - 2, -1 + 7.5]);
    expect(fully_connected.cost!(n, [x, w, b], [y])).toEqual({ macs: 12, params: 8 });
  });

  it('applies the activation range and matches a naive dot product', () => {
    const x = randomTensor([1, 20], 1);
    const w = randomTensor([7, 20], 2);
    const b = randomTensor([7], 3);
    const n = node('fully_connected', ['x', 'w', 'b'], ['y'], { act_min: 0, act_max: 0.5 });
    const [y] = fully_connected.evalFloat(n, [x, w, b]);
    const ref = Array.from({ length: 7 }, (_, o) => {
      let s = (b.data as Float32Array)[o];
      for (let k = 0; k < 20; k++) s += (x.data as Float32Array)[k] * (w.data as Float32Array)[o * 20 + k];
      return Math.min(Math.max(s, 0), 0.5);
    });
    expect(maxAbsDiff(y.data as Float32Array, ref)).toBeLessThan(1e-6);
  });

  it('rejects a feature count that does not match the weight', () => {
    const n = node('fully_connected', ['x', 'w', 'b'], ['y']);
    expect(() => fully_connected.inferShapes(n, [{ dtype: 'float32', shape: [1, 4, 2, 2] }, { dtype: 'float32', shape: [3, 8] }, { dtype: 'float32', shape: [3] }], [])).toThrow(/16 features/);
  });
});

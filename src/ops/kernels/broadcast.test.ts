import { describe, expect, it } from 'vitest';
import { broadcastBinary, broadcastShapes } from './broadcast.js';

describe('broadcasting', () => {
  it('shapes follow numpy rules', () => {
    expect(broadcastShapes([2, 3, 4], [4])).toEqual([2, 3, 4]);
    expect(broadcastShapes([2, 1, 4], [3, 1])).toEqual([2, 3, 4]);
    expect(broadcastShapes([], [5])).toEqual([5]);
    expect(broadcastShapes([2, 3], [3, 2])).toBeUndefined();
  });
  it('per-channel [C,1,1] against [N,C,H,W]', () => {
    const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]); // [1,2,2,2]
    const { data, shape } = broadcastBinary(x, [1, 2, 2, 2], Float32Array.from([100, 200]), [2, 1, 1], (a, b) => a + b);
    expect(shape).toEqual([1, 2, 2, 2]);
    expect(Array.from(data)).toEqual([101, 102, 103, 104, 205, 206, 207, 208]);
  });
  it('both operands broadcast: [2,1] × [1,3]', () => {
    const { data, shape } = broadcastBinary(Float32Array.from([1, 2]), [2, 1], Float32Array.from([10, 20, 30]), [1, 3], (a, b) => a * b);
    expect(shape).toEqual([2, 3]);
    expect(Array.from(data)).toEqual([10, 20, 30, 20, 40, 60]);
  });
});

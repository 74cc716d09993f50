import { describe, expect, it } from 'vitest';
import { gemmFloat } from './gemm.js';

describe('gemmFloat', () => {
  const A = Float32Array.from([1, 2, 3, 4, 5, 6]); // [[1,2,3],[4,5,6]]
  const B = Float32Array.from([1, 0, 0, 1, 1, 1]); // [[1,0],[0,1],[1,1]]  (3×2)
  const plain = { alpha: 1, beta: 1, transA: false, transB: false };

  it('A·B', () => {
    // [[1+3, 2+3],[4+6, 5+6]]
    expect(Array.from(gemmFloat(A, [2, 3], B, [3, 2], undefined, undefined, plain))).toEqual([4, 5, 10, 11]);
  });
  it('transA and transB read the stored transposes', () => {
    const At = Float32Array.from([1, 4, 2, 5, 3, 6]); // [3,2]
    const Bt = Float32Array.from([1, 0, 1, 0, 1, 1]); // [2,3]
    expect(Array.from(gemmFloat(At, [3, 2], Bt, [2, 3], undefined, undefined, { ...plain, transA: true, transB: true }))).toEqual([4, 5, 10, 11]);
  });
  it('alpha, beta and C broadcast as row, column and scalar', () => {
    const p = { ...plain, alpha: 2, beta: 0.5 };
    expect(Array.from(gemmFloat(A, [2, 3], B, [3, 2], Float32Array.from([10, 20]), [2], p))).toEqual([13, 20, 25, 32]);
    expect(Array.from(gemmFloat(A, [2, 3], B, [3, 2], Float32Array.from([10, 20]), [2, 1], p))).toEqual([13, 15, 30, 32]);
    expect(Array.from(gemmFloat(A, [2, 3], B, [3, 2], Float32Array.from([4]), [], p))).toEqual([10, 12, 22, 24]);
  });
});

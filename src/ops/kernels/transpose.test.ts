import { describe, expect, it } from 'vitest';
import { transposeData, transposeShape } from './transpose.js';

describe('transpose', () => {
  it('NHWC → NCHW', () => {
    // [1, 2, 2, 3]: pixel p has channels (p*3, p*3+1, p*3+2)
    const x = Float32Array.from({ length: 12 }, (_, i) => i);
    const perm = [0, 3, 1, 2];
    expect(transposeShape([1, 2, 2, 3], perm)).toEqual([1, 3, 2, 2]);
    expect(Array.from(transposeData(x, [1, 2, 2, 3], perm))).toEqual([0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11]);
  });
  it('keeps the element type (int64)', () => {
    const x = BigInt64Array.from([1n, 2n, 3n, 4n, 5n, 6n]);
    const y = transposeData(x, [2, 3], [1, 0]);
    expect(y).toBeInstanceOf(BigInt64Array);
    expect(Array.from(y)).toEqual([1n, 4n, 2n, 5n, 3n, 6n]);
  });
});

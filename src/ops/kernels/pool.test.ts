import { describe, expect, it } from 'vitest';
import { globalAveragePoolFloat, poolFloat, poolOutputShape, forEachPoolWindow } from './pool.js';

const x4 = Float32Array.from({ length: 16 }, (_, i) => i); // 4×4: rows 0..3, 4..7, 8..11, 12..15

describe('poolFloat', () => {
  it('2×2 stride 2 max and average', () => {
    const p = { kernel: [2, 2] as [number, number], strides: [2, 2] as [number, number], pads: [0, 0, 0, 0] as [number, number, number, number], countIncludePad: false };
    expect(Array.from(poolFloat('max', x4, [1, 1, 4, 4], p))).toEqual([5, 7, 13, 15]);
    expect(Array.from(poolFloat('avg', x4, [1, 1, 4, 4], p))).toEqual([2.5, 4.5, 10.5, 12.5]);
  });

  it('count_include_pad changes the divisor at the border only', () => {
    // 3×3 window, stride 1, pads 1: corner (0,0) covers x[0..1][0..1] = 0+1+4+5 = 10
    const base = { kernel: [3, 3] as [number, number], strides: [1, 1] as [number, number], pads: [1, 1, 1, 1] as [number, number, number, number] };
    const excl = poolFloat('avg', x4, [1, 1, 4, 4], { ...base, countIncludePad: false });
    const incl = poolFloat('avg', x4, [1, 1, 4, 4], { ...base, countIncludePad: true });
    expect(excl[0]).toBeCloseTo(10 / 4, 6);
    expect(incl[0]).toBeCloseTo(10 / 9, 6);
    // interior (1,1): 0+1+2+4+5+6+8+9+10 = 45 over 9 either way
    expect(excl[5]).toBeCloseTo(5, 6);
    expect(incl[5]).toBeCloseTo(5, 6);
    // edge (0,1): rows 0-1, cols 0-2 = 0+1+2+4+5+6 = 18 → 18/6 vs 18/9
    expect(excl[1]).toBeCloseTo(3, 6);
    expect(incl[1]).toBeCloseTo(2, 6);
  });

  it('max pool with padding never picks the pad (all-negative input)', () => {
    const neg = Float32Array.from(x4, (v) => -1 - v);
    const p = { kernel: [2, 2] as [number, number], strides: [2, 2] as [number, number], pads: [1, 1, 1, 1] as [number, number, number, number], countIncludePad: false };
    expect(poolOutputShape([1, 1, 4, 4], p)).toEqual([1, 1, 3, 3]);
    // window (0,0) covers only x[0][0] = -1
    const y = poolFloat('max', neg, [1, 1, 4, 4], p);
    expect(y[0]).toBe(-1);
    expect(y[4]).toBe(-1 - 5); // window rows 1-2, cols 1-2: max of -6,-7,-10,-11
  });

  it('ceil_mode rounds the output size up', () => {
    // 5 wide, k 2, s 2: floor → 2, ceil → 3 (last window covers column 4 alone)
    const p = { kernel: [2, 2] as [number, number], strides: [2, 2] as [number, number], pads: [0, 0, 0, 0] as [number, number, number, number], countIncludePad: false };
    expect(poolOutputShape([1, 1, 5, 5], p)).toEqual([1, 1, 2, 2]);
    expect(poolOutputShape([1, 1, 5, 5], { ...p, ceilMode: true })).toEqual([1, 1, 3, 3]);
    const x5 = Float32Array.from({ length: 25 }, (_, i) => i);
    const y = poolFloat('avg', x5, [1, 1, 5, 5], { ...p, ceilMode: true });
    expect(y[2]).toBeCloseTo((4 + 9) / 2, 6); // rows 0-1, column 4 only
    expect(y[8]).toBe(24);
  });

  it('global average pool', () => {
    expect(Array.from(globalAveragePoolFloat(Float32Array.from([1, 2, 3, 4, 10, 20, 30, 40]), 1, 2, 4))).toEqual([2.5, 25]);
  });
});

describe('forEachPoolWindow', () => {
  it('clips each window to the input (rows, columns) and to the padded input (padded count), in output order', () => {
    // Rows: H 5, kernel 3, stride 2, pads 1 / 2 (padded rows −1 … 6). Window o starts at 2o − 1:
    // o=0 [−1, 2) → input rows [0, 2), 3 padded rows; o=1 [1, 4), 3; o=2 [3, 6) → [3, 5), 3; and a
    // 4th window (more than the shape rules produce, to show the clipping) [5, 8) that runs past
    // the end pad: input [5, 5) (empty), 7 − 5 = 2 rows.
    // Columns: W 3, kernel 2, stride 1, no padding → [0, 2), [1, 3), 2 columns each. Two planes of 15.
    const seen: number[][] = [];
    forEachPoolWindow([1, 2, 5, 3], [1, 2, 4, 2], [3, 2], [2, 1], [1, 0, 2, 0], (w) => seen.push([w.out, w.plane, w.h0, w.h1, w.w0, w.w1, w.padded]));
    const rows = [[0, 2, 3], [1, 4, 3], [3, 5, 3], [5, 5, 2]];
    const cols = [[0, 2, 2], [1, 3, 2]];
    const expected = [0, 1].flatMap((c) => rows.flatMap(([h0, h1, hn], oh) => cols.map(([w0, w1, wn], ow) => [c * 8 + oh * 2 + ow, c * 15, h0, h1, w0, w1, hn * wn])));
    expect(seen).toEqual(expected);
  });
});

import { describe, expect, it } from 'vitest';
import { GlobalAveragePool } from './global_average_pool.js';
import { iota, opGraph, runOp, values } from './testing.js';

describe('AveragePool, MaxPool, GlobalAveragePool', () => {
  const x = iota([1, 1, 4, 4]); // rows 0..3, 4..7, 8..11, 12..15

  it('AveragePool 3×3 stride 1 pads 1: count_include_pad 0 vs 1 at the corner', () => {
    const excl = runOp('AveragePool', { inputs: { x }, order: ['x'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] } });
    const incl = runOp('AveragePool', { inputs: { x }, order: ['x'], attrs: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 1 } });
    expect(excl.y.shape).toEqual([1, 1, 4, 4]);
    expect(excl.y.data[0]).toBeCloseTo(10 / 4, 6); // 0+1+4+5
    expect(incl.y.data[0]).toBeCloseTo(10 / 9, 6);
    expect(incl.y.data[15]).toBeCloseTo((10 + 11 + 14 + 15) / 9, 6);
  });

  it('AveragePool SAME_UPPER stride 2 (VWW-style 3×3) and MaxPool', () => {
    // in 4, k 3, s 2 → out 2, pad bottom/right 1. (0,0): rows 0-2 cols 0-2 mean 45/9 = 5;
    // (1,1): rows 2-3, cols 2-3 → 10+11+14+15 = 50 over 4 real pixels
    const avg = runOp('AveragePool', { inputs: { x }, order: ['x'], attrs: { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' } });
    expect(values(avg.y)).toEqual([5, 39 / 6, 66 / 6, 12.5].map(Math.fround));
    const max = runOp('MaxPool', { inputs: { x }, order: ['x'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } });
    expect(values(max.y)).toEqual([5, 7, 13, 15]);
  });

  it('GlobalAveragePool keeps spatial dims as 1; its cost is zero', () => {
    const { y, graph } = runOp('GlobalAveragePool', { inputs: { x: iota([1, 2, 2, 2]) }, order: ['x'] });
    expect(y.shape).toEqual([1, 2, 1, 1]);
    expect(values(y)).toEqual([1.5, 5.5]);
    expect(GlobalAveragePool.cost).toBeUndefined();
    expect(graph.values.get('y')!.shape).toEqual([1, 2, 1, 1]);
  });

  it('pool errors: pads not smaller than the kernel, dilations, the Indices output', () => {
    expect(() => opGraph('MaxPool', { inputs: { x }, order: ['x'], attrs: { kernel_shape: [2, 2], pads: [2, 0, 0, 0] } })).toThrow(/node 'n0' \(MaxPool\): pads/);
    expect(() => opGraph('MaxPool', { inputs: { x }, order: ['x'], attrs: { kernel_shape: [2, 2], dilations: [2, 2] } })).toThrow(/dilations/);
    expect(() => opGraph('MaxPool', { inputs: { x }, order: ['x'], attrs: { kernel_shape: [2, 2] }, outputs: ['y', 'idx'] })).toThrow(/Indices/);
    expect(() => opGraph('AveragePool', { inputs: { x }, order: ['x'], attrs: {} })).toThrow(/kernel_shape/);
  });
});

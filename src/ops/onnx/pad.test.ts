import { describe, expect, it } from 'vitest';
import { iota, opGraph, runOp, values } from './testing.js';

describe('Pad (constant)', () => {
  it('pads H by (1 top, 0 bottom) and W by (0 left, 1 right), the TF "SAME" stride-2 pattern', () => {
    const x = iota([1, 1, 2, 2], 1); // [[1,2],[3,4]]
    const { y } = runOp('Pad', { inputs: { x }, order: ['x'], attrs: { pads: [0, 0, 1, 0, 0, 0, 0, 1], mode: 'constant', value: 0 } });
    expect(y.shape).toEqual([1, 1, 3, 3]);
    expect(values(y)).toEqual([0, 0, 0, 1, 2, 0, 3, 4, 0]);
  });
  it('a fill value and padding of the channel dim', () => {
    const x = iota([1, 1, 1, 2], 1);
    const { y } = runOp('Pad', { inputs: { x }, order: ['x'], attrs: { pads: [0, 1, 0, 0, 0, 0, 0, 0], value: -1 } });
    expect(y.shape).toEqual([1, 2, 1, 2]);
    expect(values(y)).toEqual([-1, -1, 1, 2]);
  });
  it('negative pads and non-constant modes are rejected naming the node', () => {
    const x = iota([1, 1, 2, 2]);
    expect(() => opGraph('Pad', { inputs: { x }, order: ['x'], attrs: { pads: [0, 0, -1, 0, 0, 0, 0, 0] } })).toThrow(/node 'n0' \(Pad\): negative pads/);
    expect(() => opGraph('Pad', { inputs: { x }, order: ['x'], attrs: { pads: [0, 0, 1, 0, 0, 0, 0, 0], mode: 'reflect' } })).toThrow(/mode 'reflect'/);
    expect(() => opGraph('Pad', { inputs: { x }, order: ['x'], attrs: { pads: [1, 1] } })).toThrow(/need 8 values/);
  });
});

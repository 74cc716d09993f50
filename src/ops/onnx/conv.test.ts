import { describe, expect, it } from 'vitest';
import { UserError } from '../../util/errors.js';
import { floatTensor } from '../../ir/tensor.js';
import { Conv } from './conv.js';
import { f32, iota, opGraph, runOp, values } from './testing.js';

const ones = (shape: number[]) => floatTensor(shape, new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(1));

describe('Conv', () => {
  it('stride-2 SAME_UPPER vs SAME_LOWER on a 4×4 input put the extra pad at different ends', () => {
    // in 4, k 3, s 2 → out 2, total pad 1. UPPER: pad bottom/right; windows start at rows 0 and 2.
    // LOWER: pad top/left; windows start at rows -1 and 1. x = 0..15 row-major, all-ones kernel.
    const x = iota([1, 1, 4, 4]);
    const upper = runOp('Conv', { inputs: { x }, constants: { w: ones([1, 1, 3, 3]) }, order: ['x', 'w'], attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] } });
    const lower = runOp('Conv', { inputs: { x }, constants: { w: ones([1, 1, 3, 3]) }, order: ['x', 'w'], attrs: { auto_pad: 'SAME_LOWER', strides: [2, 2] } });
    expect(upper.y.shape).toEqual([1, 1, 2, 2]);
    // UPPER (0,0): rows 0-2, cols 0-2: 0+1+2+4+5+6+8+9+10 = 45; (0,1): cols 2-3: 2+3+6+7+10+11 = 39
    // (1,0): rows 2-3 cols 0-2: 8+9+10+12+13+14 = 66; (1,1): 10+11+14+15 = 50
    expect(values(upper.y)).toEqual([45, 39, 66, 50]);
    // LOWER (0,0): rows 0-1 cols 0-1: 0+1+4+5 = 10; (0,1): rows 0-1 cols 1-3: 1+2+3+5+6+7 = 24
    // (1,0): rows 1-3 cols 0-1: 4+5+8+9+12+13 = 51; (1,1): rows 1-3 cols 1-3: 5+6+7+9+10+11+13+14+15 = 90
    expect(values(lower.y)).toEqual([10, 24, 51, 90]);
  });

  it('VALID and explicit asymmetric pads', () => {
    const x = iota([1, 1, 3, 3]);
    const valid = runOp('Conv', { inputs: { x }, constants: { w: ones([1, 1, 2, 2]) }, order: ['x', 'w'], attrs: { auto_pad: 'VALID', pads: [5, 5, 5, 5] } });
    expect(values(valid.y)).toEqual([8, 12, 20, 24]); // 0+1+3+4, 1+2+4+5, 3+4+6+7, 4+5+7+8
    // pads t=0 l=1 b=0 r=0 → 2×3 output; column -1 is zero
    const asym = runOp('Conv', { inputs: { x }, constants: { w: ones([1, 1, 2, 2]) }, order: ['x', 'w'], attrs: { pads: [0, 1, 0, 0] } });
    expect(asym.y.shape).toEqual([1, 1, 2, 3]);
    expect(values(asym.y)).toEqual([3, 8, 12, 9, 20, 24]);
  });

  it('depthwise (group = C) with bias and dilation 2', () => {
    // 2 channels 5×5 of constant 1 and 2, 3×3 kernels of 1 dilated 2 (reach 5): output 1×1 per channel
    const x = floatTensor([1, 2, 5, 5], Float32Array.from({ length: 50 }, (_, i) => (i < 25 ? 1 : 2)));
    const { y } = runOp('Conv', { inputs: { x }, constants: { w: ones([2, 1, 3, 3]), b: f32([2], [0.5, -1]) }, order: ['x', 'w', 'b'], attrs: { group: 2, dilations: [2, 2] } });
    expect(y.shape).toEqual([1, 2, 1, 1]);
    expect(values(y)).toEqual([9.5, 17]);
  });

  it('cost: MACs Ho·Wo·Cout·(Cin/group)·Kh·Kw, params weights + one bias per Cout even without bias', () => {
    const g = opGraph('Conv', { inputs: { x: iota([1, 8, 10, 10]) }, constants: { w: ones([8, 1, 3, 3]) }, order: ['x', 'w'], attrs: { group: 8, strides: [2, 2], pads: [1, 1, 1, 1] } });
    const n = g.nodes[0];
    const cost = Conv.cost!(n, n.inputs.map((i) => g.values.get(i)), n.outputs.map((o) => g.values.get(o)!));
    expect(cost).toEqual({ macs: 5 * 5 * 8 * 1 * 9, params: 72 + 8 });
  });

  it('shape errors are UserErrors naming the node', () => {
    const bad = () => opGraph('Conv', { inputs: { x: iota([1, 3, 8, 8]) }, constants: { w: ones([4, 2, 3, 3]) }, order: ['x', 'w'] });
    expect(bad).toThrow(UserError);
    expect(bad).toThrow(/node 'n0' \(Conv\): weight 'w' \[4, 2, 3, 3\] expects 2 input channels, input 'x' has 3/);
    expect(() => opGraph('Conv', { inputs: { x: iota([1, 4, 8, 8]) }, constants: { w: ones([4, 1, 3, 3]) }, order: ['x', 'w'], attrs: { group: 3 } })).toThrow(/group 3/);
    expect(() => opGraph('Conv', { inputs: { x: iota([1, 1, 8, 8]) }, constants: { w: ones([4, 1, 3, 3]), b: ones([3]) }, order: ['x', 'w', 'b'] })).toThrow(/bias 'b' has shape \[3\], expected \[4\]/);
    expect(() => opGraph('Conv', { inputs: { x: iota([1, 1, 2, 2]) }, constants: { w: ones([1, 1, 3, 3]) }, order: ['x', 'w'] })).toThrow(/empty/);
    expect(() => opGraph('Conv', { inputs: { x: iota([1, 1, 4, 4]) }, constants: { w: ones([1, 1, 3, 3]) }, order: ['x', 'w'], attrs: { auto_pad: 'SAME' } })).toThrow(/auto_pad 'SAME'/);
  });
});

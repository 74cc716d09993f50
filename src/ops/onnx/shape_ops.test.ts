import { describe, expect, it } from 'vitest';
import { int64Tensor } from '../../ir/tensor.js';
import { UserError } from '../../util/errors.js';
import { iota, opGraph, runOp, values } from './testing.js';

describe('Flatten, Reshape, Squeeze, Unsqueeze, Transpose', () => {
  const x = iota([2, 3, 1, 2]);

  it('Flatten at axis 1 (default), 0, negative and rank', () => {
    expect(runOp('Flatten', { inputs: { x }, order: ['x'] }).y.shape).toEqual([2, 6]);
    expect(runOp('Flatten', { inputs: { x }, order: ['x'], attrs: { axis: 0 } }).y.shape).toEqual([1, 12]);
    expect(runOp('Flatten', { inputs: { x }, order: ['x'], attrs: { axis: -1 } }).y.shape).toEqual([6, 2]);
    expect(runOp('Flatten', { inputs: { x }, order: ['x'], attrs: { axis: 4 } }).y.shape).toEqual([12, 1]);
    expect(() => opGraph('Flatten', { inputs: { x }, order: ['x'], attrs: { axis: 5 } })).toThrow(/axis 5/);
  });

  it('Reshape: 0 copies the input dim, -1 is inferred; values keep row-major order', () => {
    const { y } = runOp('Reshape', { inputs: { x }, constants: { s: int64Tensor([0, -1]) }, order: ['x', 's'] });
    expect(y.shape).toEqual([2, 6]);
    expect(values(y)).toEqual(values(x));
    expect(runOp('Reshape', { inputs: { x }, constants: { s: int64Tensor([-1, 0, 2]) }, order: ['x', 's'] }).y.shape).toEqual([2, 3, 2]); // 12 / (3·2)
    // allowzero = 1: a 0 is a real zero-size dim (only valid for empty tensors), so this mismatches
    expect(() => opGraph('Reshape', { inputs: { x }, constants: { s: int64Tensor([0, -1]) }, order: ['x', 's'], attrs: { allowzero: 1 } })).toThrow(UserError);
  });

  it('Reshape errors: two -1, wrong count, non-constant shape', () => {
    expect(() => opGraph('Reshape', { inputs: { x }, constants: { s: int64Tensor([-1, -1]) }, order: ['x', 's'] })).toThrow(/more than one -1/);
    expect(() => opGraph('Reshape', { inputs: { x }, constants: { s: int64Tensor([5, 2]) }, order: ['x', 's'] })).toThrow(/cannot reshape \[2, 3, 1, 2\] \(12 values\) to \[5, 2\]/);
    expect(() => opGraph('Reshape', { inputs: { x, s: int64Tensor([12]) }, order: ['x', 's'] })).toThrow(/shape 's' must be a constant/);
  });

  it('Squeeze with axes (negative allowed) and without', () => {
    const y = iota([1, 3, 1, 1]);
    expect(runOp('Squeeze', { inputs: { y }, order: ['y'], attrs: { axes: [-1, 2] }, outputs: ['z'] }).y.shape).toEqual([1, 3]);
    expect(runOp('Squeeze', { inputs: { y }, order: ['y'], outputs: ['z'] }).y.shape).toEqual([3]);
    expect(() => opGraph('Squeeze', { inputs: { y }, order: ['y'], attrs: { axes: [1] }, outputs: ['z'] })).toThrow(/size is not 1/);
  });

  it('Unsqueeze with negative axes counts from the end of the output', () => {
    const y = iota([3, 4]);
    expect(runOp('Unsqueeze', { inputs: { y }, order: ['y'], attrs: { axes: [0, -1] }, outputs: ['z'] }).y.shape).toEqual([1, 3, 4, 1]);
    expect(runOp('Unsqueeze', { inputs: { y }, order: ['y'], attrs: { axes: [1] }, outputs: ['z'] }).y.shape).toEqual([3, 1, 4]);
    expect(() => opGraph('Unsqueeze', { inputs: { y }, order: ['y'], attrs: { axes: [4] }, outputs: ['z'] })).toThrow(/out of range/);
  });

  it('Transpose NHWC → NCHW and the default (reverse) perm', () => {
    const nhwc = iota([1, 2, 2, 3]);
    const { y } = runOp('Transpose', { inputs: { nhwc }, order: ['nhwc'], attrs: { perm: [0, 3, 1, 2] } });
    expect(y.shape).toEqual([1, 3, 2, 2]);
    expect(values(y)).toEqual([0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11]);
    const t = runOp('Transpose', { inputs: { m: iota([2, 3]) }, order: ['m'] });
    expect(values(t.y)).toEqual([0, 3, 1, 4, 2, 5]);
    expect(() => opGraph('Transpose', { inputs: { m: iota([2, 3]) }, order: ['m'], attrs: { perm: [0, 0] } })).toThrow(/not a permutation/);
  });
});

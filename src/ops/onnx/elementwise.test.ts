import { describe, expect, it } from 'vitest';
import { f32, iota, opGraph, runOp, values } from './testing.js';

describe('Add and Mul broadcast like numpy', () => {
  it('per-channel constants [C,1,1] on NCHW', () => {
    const x = iota([1, 2, 1, 2]);
    expect(values(runOp('Add', { inputs: { x }, constants: { c: f32([2, 1, 1], [10, 20]) }, order: ['x', 'c'] }).y)).toEqual([10, 11, 22, 23]);
    expect(values(runOp('Mul', { inputs: { x }, constants: { c: f32([2, 1, 1], [10, 20]) }, order: ['x', 'c'] }).y)).toEqual([0, 10, 40, 60]);
  });
  it('scalar and row broadcasts, constant on the left', () => {
    expect(values(runOp('Mul', { inputs: { x: iota([2, 2]) }, constants: { s: f32([], [3]) }, order: ['s', 'x'] }).y)).toEqual([0, 3, 6, 9]);
    const { y } = runOp('Add', { inputs: { a: iota([2, 1]), b: iota([1, 3]) }, order: ['a', 'b'] });
    expect(y.shape).toEqual([2, 3]);
    expect(values(y)).toEqual([0, 1, 2, 1, 2, 3]);
  });
  it('incompatible shapes name both tensors', () => {
    expect(() => opGraph('Add', { inputs: { a: iota([2, 3]), b: iota([2]) }, order: ['a', 'b'] })).toThrow(/node 'n0' \(Add\): 'a' \[2, 3\] and 'b' \[2\] do not broadcast/);
  });
});

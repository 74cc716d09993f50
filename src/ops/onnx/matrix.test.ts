import { describe, expect, it } from 'vitest';
import { Gemm } from './gemm.js';
import { MatMul } from './matmul.js';
import { f32, iota, opGraph, runOp, values } from './testing.js';

function costOf(g: ReturnType<typeof opGraph>, def: typeof Gemm) {
  const n = g.nodes[0];
  return def.cost!(n, n.inputs.map((i) => (i ? g.values.get(i) : undefined)), n.outputs.map((o) => g.values.get(o)!));
}

describe('Gemm', () => {
  const a = f32([1, 3], [1, 2, 3]);
  it('Keras/PyTorch head: transB = 1 with weights [N, K] and bias', () => {
    // w rows: [1,0,0], [0,1,1]; y = [1, 2+3] + [10, 20]
    const g = { inputs: { a }, constants: { w: f32([2, 3], [1, 0, 0, 0, 1, 1]), c: f32([2], [10, 20]) }, order: ['a', 'w', 'c'], attrs: { transB: 1 } };
    expect(values(runOp('Gemm', g).y)).toEqual([11, 25]);
    expect(costOf(opGraph('Gemm', g), Gemm)).toEqual({ macs: 6, params: 8 });
  });
  it('alpha, beta, transA', () => {
    // A stored [3,1] with transA → [1,3]; B [3,2]; y = 0.5·[1·1+3·1, 2·1+3·1] + 2·[1, 1]
    const g = { inputs: { at: f32([3, 1], [1, 2, 3]) }, constants: { b: f32([3, 2], [1, 0, 0, 1, 1, 1]), c: f32([1, 1], [1]) }, order: ['at', 'b', 'c'], attrs: { transA: 1, alpha: 0.5, beta: 2 } };
    expect(values(runOp('Gemm', g).y)).toEqual([4, 4.5]);
  });
  it('mismatched inner dims name both operands', () => {
    expect(() => opGraph('Gemm', { inputs: { a }, constants: { w: f32([2, 3], [1, 0, 0, 0, 1, 1]) }, order: ['a', 'w'] })).toThrow(/A 'a' \[1, 3\] and B 'w' \[2, 3\] have inner dims 3 and 2/);
    expect(() => opGraph('Gemm', { inputs: { a }, constants: { w: iota([3, 2]), c: iota([3]) }, order: ['a', 'w', 'c'] })).toThrow(/C 'c' \[3\] does not broadcast to \[1, 2\]/);
  });
});

describe('MatMul', () => {
  it('2-D, with cost in·out and params in·out + out', () => {
    const g = { inputs: { a: f32([1, 2], [1, 2]) }, constants: { w: f32([2, 3], [1, 2, 3, 4, 5, 6]) }, order: ['a', 'w'] };
    expect(values(runOp('MatMul', g).y)).toEqual([9, 12, 15]);
    expect(costOf(opGraph('MatMul', g), MatMul)).toEqual({ macs: 6, params: 9 });
  });
  it('batched with broadcast batch dims and 1-D operands', () => {
    // a [2,1,2] (two 1×2 rows), b [2,1] shared across the batch → [2,1,1]
    const { y } = runOp('MatMul', { inputs: { a: f32([2, 1, 2], [1, 2, 3, 4]) }, constants: { b: f32([2, 1], [10, 1]) }, order: ['a', 'b'] });
    expect(y.shape).toEqual([2, 1, 1]);
    expect(values(y)).toEqual([12, 34]);
    // a [2] · b [2,3] → [3]; a [2,3] · b [3] → [2]
    expect(runOp('MatMul', { inputs: { a: f32([2], [1, 1]) }, constants: { b: iota([2, 3]) }, order: ['a', 'b'] }).y.shape).toEqual([3]);
    const v = runOp('MatMul', { inputs: { a: iota([2, 3]) }, constants: { b: f32([3], [1, 1, 1]) }, order: ['a', 'b'] });
    expect(v.y.shape).toEqual([2]);
    expect(values(v.y)).toEqual([3, 12]);
    // batch broadcast [2,1,1,2] × [3,2,1] → [2,3,1,1]
    const bb = runOp('MatMul', { inputs: { a: f32([2, 1, 1, 2], [1, 0, 0, 1]) }, constants: { b: f32([3, 2, 1], [1, 2, 3, 4, 5, 6]) }, order: ['a', 'b'] });
    expect(bb.y.shape).toEqual([2, 3, 1, 1]);
    expect(values(bb.y)).toEqual([1, 3, 5, 2, 4, 6]);
  });
});

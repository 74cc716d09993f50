import { describe, expect, it } from 'vitest';
import { f32, opGraph, runOp } from './testing.js';

describe('Softmax axis semantics', () => {
  // x [1, 2, 2]: logits [[0, ln 3], [ln 3, 0]]
  const x = f32([1, 2, 2], [0, Math.log(3), Math.log(3), 0]);

  it('opset ≥ 13: axis −1 normalizes each innermost row', () => {
    const { y } = runOp('Softmax', { inputs: { x }, order: ['x'], attrs: { axis: -1 } });
    [0.25, 0.75, 0.75, 0.25].forEach((v, i) => expect(y.data[i]).toBeCloseTo(v, 6));
  });

  it('opset ≥ 13: axis 1 normalizes down the columns only', () => {
    const { y } = runOp('Softmax', { inputs: { x }, order: ['x'], attrs: { axis: 1 } });
    // columns (0, ln3) and (ln3, 0)
    [0.25, 0.75, 0.75, 0.25].forEach((v, i) => expect(y.data[i]).toBeCloseTo(v, 6));
    const z = runOp('Softmax', { inputs: { x: f32([1, 2, 2], [0, 0, Math.log(3), 0]) }, order: ['x'], attrs: { axis: 1 } }).y;
    [0.25, 0.5, 0.75, 0.5].forEach((v, i) => expect(z.data[i]).toBeCloseTo(v, 6));
  });

  it('opset < 13 (legacy_2d, axis 1): everything from axis 1 on is one row', () => {
    // flattened to [1, 4]: exps 1, 3, 3, 1 over 8
    const { y } = runOp('Softmax', { inputs: { x }, order: ['x'], attrs: { axis: 1, legacy_2d: 1 } });
    [1 / 8, 3 / 8, 3 / 8, 1 / 8].forEach((v, i) => expect(y.data[i]).toBeCloseTo(v, 6));
  });

  it('defaults: −1 without legacy_2d, 1 with it; a bad axis is a UserError', () => {
    const d13 = runOp('Softmax', { inputs: { x }, order: ['x'] }).y;
    expect(d13.data[1]).toBeCloseTo(0.75, 6);
    const d11 = runOp('Softmax', { inputs: { x }, order: ['x'], attrs: { legacy_2d: 1 } }).y;
    expect(d11.data[1]).toBeCloseTo(3 / 8, 6);
    expect(() => opGraph('Softmax', { inputs: { x }, order: ['x'], attrs: { axis: 3 } })).toThrow(/node 'n0' \(Softmax\): axis 3 out of range/);
  });
});

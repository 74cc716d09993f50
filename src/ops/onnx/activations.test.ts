import { describe, expect, it } from 'vitest';
import { f32, runOp, values } from './testing.js';

describe('Relu, Clip, Identity, Dropout', () => {
  const x = f32([1, 6], [-3, -0.5, 0, 0.5, 6, 7.5]);
  it('Relu', () => {
    expect(values(runOp('Relu', { inputs: { x }, order: ['x'] }).y)).toEqual([0, 0, 0, 0.5, 6, 7.5]);
  });
  it('Clip with normalized attributes (Relu6)', () => {
    expect(values(runOp('Clip', { inputs: { x }, order: ['x'], attrs: { min: 0, max: 6 } }).y)).toEqual([0, 0, 0, 0.5, 6, 6]);
  });
  it('Clip with only a max, and with bounds still given as constant inputs (opset ≥ 11 form)', () => {
    expect(values(runOp('Clip', { inputs: { x }, order: ['x'], attrs: { max: 1 } }).y)).toEqual([-3, -0.5, 0, 0.5, 1, 1]);
    const viaInputs = runOp('Clip', { inputs: { x }, constants: { lo: f32([], [-1]), hi: f32([], [2]) }, order: ['x', 'lo', 'hi'] });
    expect(values(viaInputs.y)).toEqual([-1, -0.5, 0, 0.5, 2, 2]);
    const onlyMax = runOp('Clip', { inputs: { x }, constants: { hi: f32([], [2]) }, order: ['x', '', 'hi'] });
    expect(values(onlyMax.y)).toEqual([-3, -0.5, 0, 0.5, 2, 2]);
  });
  it('Identity and Dropout pass the input through; the Dropout mask is all true', () => {
    expect(values(runOp('Identity', { inputs: { x }, order: ['x'] }).y)).toEqual(values(x));
    expect(values(runOp('Dropout', { inputs: { x }, constants: { r: f32([], [0.5]) }, order: ['x', 'r'] }).y)).toEqual(values(x));
    const { y, graph } = runOp('Dropout', { inputs: { x }, order: ['x'], outputs: ['y', 'mask'] });
    expect(values(y)).toEqual(values(x));
    expect(graph.values.get('mask')).toEqual({ dtype: 'bool', shape: [1, 6] });
  });
});

import { describe, expect, it } from 'vitest';
import { runFloatPasses } from '../../../pipeline/index.js';
import { GraphBuilder } from '../../graph/builder.js';
import { runFloat } from '../../graph/interpret.js';
import { exportOnnx } from '../../onnx/export.js';
import { runOrt, seededUniform } from '../../onnx/ort_reference.js';
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

describe('Clip with min > max (ONNX: min(max(x, min), max), so max everywhere)', () => {
  it('gives max for every x, like onnxruntime; also after fuse_activation folds it into a conv', async () => {
    const x = f32([1, 6], [-3, -0.5, 0, 0.5, 6, 7.5]);
    expect(values(runOp('Clip', { inputs: { x }, order: ['x'], attrs: { min: 4, max: -1 } }).y)).toEqual([-1, -1, -1, -1, -1, -1]);

    // conv → Clip(min 0.25, max -0.5): onnxruntime on the file, our interpreter before and after the passes.
    const b = new GraphBuilder('clip_min_gt_max', { opset: 13 });
    b.input('x', [1, 2, 3, 3]);
    b.constant('w', f32([2, 2, 1, 1], [0.5, -1, 2, 0.25]));
    b.constant('bias', f32([2], [0.1, -0.2]));
    b.node('Conv', ['x', 'w', 'bias'], ['c'], { kernel_shape: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 }, 'conv');
    b.node('Clip', ['c'], ['y'], { min: 0.25, max: -0.5 }, 'clip');
    b.output('y');
    const g = b.build();
    const input = { shape: [1, 2, 3, 3], data: seededUniform(18, 14, -2, 2) };
    const ort = (await runOrt(exportOnnx(g), { x: input })).get('y')!.data;
    const folded = runFloatPasses(g);
    expect(folded.nodes.map((n) => n.op)).toEqual(['conv2d']); // the Clip was fused
    const ours = runFloat(g, { x: { dtype: 'float32', ...input } }).get('y')!.data as Float32Array;
    const oursFolded = runFloat(folded, { x: { dtype: 'float32', ...input } }).get('y')!.data as Float32Array;
    expect(Array.from(ort)).toEqual(new Array(18).fill(-0.5));
    expect(Array.from(ours)).toEqual(Array.from(ort));
    expect(Array.from(oursFolded)).toEqual(Array.from(ort));
  });
});

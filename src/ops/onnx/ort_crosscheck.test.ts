/**
 * Cross-check of the float references against onnxruntime-node: small graphs exercising each op's
 * edge cases are written to ONNX (exportOnnx, at the opset under test), run by onnxruntime with
 * optimizations disabled, and compared with runFloat on the same seeded inputs.
 */
import { describe, expect, it } from 'vitest';
import type { Attr, Graph } from '../../ir/graph.js';
import { GraphBuilder } from '../../graph/builder.js';
import { runFloat } from '../../graph/interpret.js';
import type { Tensor } from '../../ir/tensor.js';
import { floatTensor, int64Tensor, sizeOf } from '../../ir/tensor.js';
import { exportOnnx } from '../../onnx/export.js';
import { maxAbsDiff, runOrt, seededUniform } from '../../onnx/ort_reference.js';

let seed = 100;
const rnd = (shape: number[], lo = -1, hi = 1): Tensor => floatTensor(shape, seededUniform(sizeOf(shape), seed++, lo, hi));

interface Case {
  name: string;
  opset: number;
  input: number[];
  build: (b: GraphBuilder) => GraphBuilder;
}

async function compare(c: Case): Promise<void> {
  const b = new GraphBuilder(c.name.replace(/\W+/g, '_'), { opset: c.opset }).input('x', c.input);
  const g: Graph = c.build(b).output('y').build();
  const x = rnd(c.input);
  const ours = runFloat(g, { x }).get('y')!;
  const theirs = (await runOrt(exportOnnx(g, { opset: c.opset }), { x: { shape: x.shape, data: x.data as Float32Array } })).get('y')!;
  expect(ours.shape).toEqual(theirs.shape);
  expect(maxAbsDiff(ours.data as Float32Array, theirs.data)).toBeLessThan(1e-5);
}

const node = (op: string, inputs: string[], outputs: string[], attrs: Record<string, Attr> = {}) => (b: GraphBuilder) => b.node(op, inputs, outputs, attrs);

const cases: Case[] = [
  {
    name: 'Conv stride 2 SAME_UPPER, even input',
    opset: 13,
    input: [1, 3, 10, 10],
    build: (b) => b.constant('w', rnd([4, 3, 3, 3])).constant('bias', rnd([4])).node('Conv', ['x', 'w', 'bias'], ['y'], { strides: [2, 2], auto_pad: 'SAME_UPPER' }),
  },
  {
    name: 'Conv stride 2 SAME_LOWER, odd input, 4×4 kernel',
    opset: 13,
    input: [1, 2, 9, 9],
    build: (b) => b.constant('w', rnd([3, 2, 4, 4])).node('Conv', ['x', 'w'], ['y'], { strides: [2, 2], auto_pad: 'SAME_LOWER' }),
  },
  {
    name: 'depthwise Conv dilation 2, asymmetric pads, bias',
    opset: 11,
    input: [1, 4, 9, 8],
    build: (b) => b.constant('w', rnd([4, 1, 3, 3])).constant('bias', rnd([4])).node('Conv', ['x', 'w', 'bias'], ['y'], { group: 4, dilations: [2, 2], pads: [2, 1, 0, 3] }),
  },
  {
    name: 'grouped Conv (group 2) with depth multiplier and stride (2, 1)',
    opset: 9,
    input: [1, 4, 7, 7],
    build: (b) => b.constant('w', rnd([6, 2, 3, 2])).node('Conv', ['x', 'w'], ['y'], { group: 2, strides: [2, 1], pads: [1, 0, 1, 1] }),
  },
  {
    name: 'AveragePool count_include_pad 1 and 0, MaxPool, ceil_mode',
    opset: 13,
    input: [1, 2, 7, 7],
    build: (b) =>
      b
        .node('AveragePool', ['x'], ['a'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 })
        .node('AveragePool', ['x'], ['c'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })
        .node('MaxPool', ['x'], ['m'], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 })
        .node('AveragePool', ['x'], ['d'], { kernel_shape: [3, 3], strides: [3, 3], ceil_mode: 1, count_include_pad: 1 })
        .node('Add', ['a', 'c'], ['s'])
        .node('Flatten', ['s'], ['sf'])
        .node('Flatten', ['m'], ['mf'])
        .node('Flatten', ['d'], ['df'])
        .constant('w1', rnd([32, 5]))
        .constant('w2', rnd([32, 5]))
        .node('MatMul', ['sf', 'w1'], ['p1'])
        .node('Gemm', ['mf', 'w2'], ['p2'])
        .node('Add', ['p1', 'p2'], ['p3'])
        .constant('w3', rnd([18, 5]))
        .node('Gemm', ['df', 'w3'], ['p4'])
        .node('Mul', ['p3', 'p4'], ['y']),
  },
  {
    name: 'AveragePool SAME_UPPER stride 2 (count_include_pad 0)',
    opset: 13,
    input: [1, 3, 6, 6],
    build: node('AveragePool', ['x'], ['y'], { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }),
  },
  {
    name: 'Gemm transA, transB, alpha, beta, C row broadcast',
    opset: 13,
    input: [5, 3],
    build: (b) => b.constant('B', rnd([4, 5])).constant('C', rnd([4])).node('Gemm', ['x', 'B', 'C'], ['y'], { transA: 1, transB: 1, alpha: 0.7, beta: -1.5 }),
  },
  {
    name: 'MatMul batched with broadcast batch dims',
    opset: 13,
    input: [2, 1, 3, 4],
    build: (b) => b.constant('w', rnd([3, 4, 2])).node('MatMul', ['x', 'w'], ['y']),
  },
  {
    name: 'Softmax opset 11 (legacy 2-D at axis 1)',
    opset: 11,
    input: [2, 3, 4],
    build: (b) => b.constant('k', floatTensor([], Float32Array.of(3))).node('Mul', ['x', 'k'], ['s']).node('Softmax', ['s'], ['y'], { axis: 1, legacy_2d: 1 }),
  },
  {
    name: 'Softmax opset 13 axis 1',
    opset: 13,
    input: [2, 3, 4],
    build: (b) => b.constant('k', floatTensor([], Float32Array.of(3))).node('Mul', ['x', 'k'], ['s']).node('Softmax', ['s'], ['y'], { axis: 1 }),
  },
  {
    name: 'tf2onnx-style head: Transpose, Pad, Reshape 0/-1, Squeeze, Unsqueeze (opset 11)',
    opset: 11,
    input: [1, 4, 4, 3],
    build: (b) =>
      b
        .node('Transpose', ['x'], ['t'], { perm: [0, 3, 1, 2] })
        .node('Pad', ['t'], ['p'], { pads: [0, 0, 1, 0, 0, 0, 0, 1], mode: 'constant', value: 0.5 })
        .node('GlobalAveragePool', ['p'], ['g'])
        .node('Squeeze', ['g'], ['sq'], { axes: [-1, 2] })
        .node('Unsqueeze', ['sq'], ['us'], { axes: [0] })
        .constant('shape', int64Tensor([0, -1]))
        .node('Reshape', ['us', 'shape'], ['y']),
  },
  {
    name: 'the same head at opset 13 (axes as inputs)',
    opset: 13,
    input: [1, 4, 4, 3],
    build: (b) =>
      b
        .node('Transpose', ['x'], ['t'], { perm: [0, 3, 1, 2] })
        .node('Pad', ['t'], ['p'], { pads: [0, 0, 1, 0, 0, 0, 0, 1], mode: 'constant', value: 0 })
        .node('Squeeze', ['p'], ['sq'], { axes: [0] })
        .node('Unsqueeze', ['sq'], ['y'], { axes: [-4] }),
  },
  {
    name: 'BatchNormalization, Clip(0, 6), Relu, Identity, Dropout, per-channel Add/Mul',
    opset: 13,
    input: [1, 3, 4, 4],
    build: (b) =>
      b
        .constant('s', rnd([3], 0.5, 2))
        .constant('bb', rnd([3]))
        .constant('m', rnd([3]))
        .constant('v', rnd([3], 0.1, 1))
        .constant('k', rnd([3, 1, 1]))
        .node('BatchNormalization', ['x', 's', 'bb', 'm', 'v'], ['bn'], { epsilon: 1e-3 })
        .node('Mul', ['bn', 'k'], ['mk'])
        .node('Clip', ['mk'], ['c'], { min: -0.2, max: 0.6 })
        .node('Identity', ['c'], ['i'])
        .node('Dropout', ['i'], ['d'])
        .node('Add', ['d', 'k'], ['a'])
        .node('Relu', ['a'], ['y']),
  },
  {
    name: 'Clip with attributes at opset 9, Flatten axis 2',
    opset: 9,
    input: [2, 3, 2, 2],
    build: (b) => b.node('Clip', ['x'], ['c'], { min: 0, max: 0.5 }).node('Flatten', ['c'], ['y'], { axis: 2 }),
  },
];

describe('ONNX ops against onnxruntime-node', () => {
  for (const c of cases) it(`${c.name} (opset ${c.opset})`, () => compare(c));
});

/**
 * Every TF op the importer maps, in small hand-made graph models run by tfjs-converter and by our
 * float interpreter on the imported graph (and on the canonical graph when the case is a network
 * the float passes accept). Shapes are odd on purpose (7×9 inputs, stride 2 SAME) so that layout
 * and padding mistakes show.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFloatPasses } from '../../pipeline/index.js';
import type { Graph } from '../ir/graph.js';
import { runFloat } from '../graph/interpret.js';
import { floatTensor } from '../ir/tensor.js';
import { importTfjs } from './import.js';
import { NHWC_TO_NCHW } from './layout.js';
import type { NodeJson, WeightJson } from './testing.js';
import { attr, constNode, convAttrs, floatWeight, intWeight, loadReferenceModel, placeholder, runReference, seededValues, tfNode, writeGraphModel } from './testing.js';
import { transposeData } from '../ops/kernels/transpose.js';

const tmp = mkdtempSync(join(tmpdir(), 'onnx2mcu-tfjs-ops-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const F = { T: attr.type('DT_FLOAT') };
const NHWC = { data_format: attr.s('NHWC'), ...F };

/** A case: nodes after the Placeholder 'x' (the last node is the output) and their weights. */
interface Case {
  readonly name: string;
  readonly input: number[];
  readonly nodes: NodeJson[];
  readonly weights: WeightJson[];
  /** The float passes turn it into canonical ops (so the canonical graph is checked too). */
  readonly canonical?: boolean;
  /** Ops the imported graph must contain (checks the mapping, not only the numbers). */
  readonly ops?: string[];
  /** Run tfjs on this other model instead (an op tfjs cannot run, written the long way). */
  readonly reference?: { nodes: NodeJson[]; weights: WeightJson[] };
}

function consts(weights: readonly WeightJson[]): NodeJson[] {
  return weights.map((w) => constNode(w.name, w.dtype, w.shape));
}

const conv33x3x8 = floatWeight('w1', [3, 3, 3, 8], 1);
const bias8 = floatWeight('b1', [8], 2);
const bn8 = ['gamma', 'beta', 'mean'].map((n, i) => floatWeight(n, [8], 10 + i)).concat([floatWeight('var', [8], 13, 0.2, 2)]);

const CASES: Case[] = [
  {
    name: 'Conv2D SAME stride 2 + BiasAdd (taken into the Conv) + FusedBatchNormV3 + Relu6',
    input: [1, 7, 9, 3],
    weights: [conv33x3x8, bias8, ...bn8],
    nodes: [
      tfNode('conv', 'Conv2D', ['x', 'w1'], convAttrs('SAME', 2)),
      tfNode('bias', 'BiasAdd', ['conv', 'b1'], NHWC),
      tfNode('bn', 'FusedBatchNormV3', ['bias', 'gamma', 'beta', 'mean', 'var'], { epsilon: attr.f(0.001), is_training: attr.b(false), ...NHWC }),
      tfNode('y', 'Relu6', ['bn'], F),
    ],
    ops: ['Transpose', 'Conv', 'BatchNormalization', 'Clip'],
  },
  {
    name: 'DepthwiseConv2dNative multiplier 2; a BiasAdd whose input has another reader stays an Add',
    input: [1, 7, 9, 3],
    weights: [floatWeight('dw', [3, 3, 3, 2], 3), floatWeight('b6', [6], 4)],
    nodes: [
      tfNode('dw_out', 'DepthwiseConv2dNative', ['x', 'dw'], convAttrs('SAME', 1)),
      tfNode('bias', 'BiasAdd', ['dw_out', 'b6'], NHWC),
      tfNode('relu', 'Relu', ['dw_out'], F),
      tfNode('y', 'AddV2', ['bias', 'relu'], F),
    ],
    ops: ['Transpose', 'Conv', 'Add', 'Relu', 'Add'],
  },
  {
    name: '_FusedConv2D [BiasAdd, Relu] and FusedDepthwiseConv2dNative [BiasAdd, Relu6], VALID and SAME',
    input: [1, 9, 7, 3],
    weights: [conv33x3x8, bias8, floatWeight('dw', [3, 3, 8, 1], 5), floatWeight('b2', [8], 6)],
    nodes: [
      tfNode('c1', '_FusedConv2D', ['x', 'w1', 'b1'], convAttrs('VALID', 2, { fused_ops: attr.strs(['BiasAdd', 'Relu']), num_args: attr.i(1), epsilon: attr.f(0) })),
      tfNode('y', 'FusedDepthwiseConv2dNative', ['c1', 'dw', 'b2'], convAttrs('SAME', 2, { fused_ops: attr.strs(['BiasAdd', 'Relu6']), num_args: attr.i(1) })),
    ],
    canonical: true,
  },
  {
    name: '_FusedConv2D [FusedBatchNorm, Relu] (tfjs cannot run it: compared with Conv2D + FusedBatchNormV3 + Relu)',
    input: [1, 7, 9, 3],
    weights: [conv33x3x8, ...bn8],
    nodes: [
      tfNode('y', '_FusedConv2D', ['x', 'w1', 'gamma', 'beta', 'mean', 'var'], convAttrs('SAME', 1, { fused_ops: attr.strs(['FusedBatchNorm', 'Relu']), num_args: attr.i(4), epsilon: attr.f(0.001) })),
    ],
    ops: ['Transpose', 'Conv', 'BatchNormalization', 'Relu'],
    reference: {
      weights: [conv33x3x8, ...bn8],
      nodes: [
        tfNode('conv', 'Conv2D', ['x', 'w1'], convAttrs('SAME', 1)),
        tfNode('bn', 'FusedBatchNormV3', ['conv', 'gamma', 'beta', 'mean', 'var'], { epsilon: attr.f(0.001), is_training: attr.b(false), ...NHWC }),
        tfNode('y', 'Relu', ['bn'], F),
      ],
    },
    canonical: true,
  },
  {
    name: 'Pad [[0,0],[0,1],[0,1],[0,0]] + VALID stride-2 depthwise (Keras ZeroPadding2D), PadV2 with a value',
    input: [1, 8, 6, 3],
    weights: [intWeight('pads', [4, 2], [0, 0, 0, 1, 0, 1, 0, 0]), floatWeight('dw', [3, 3, 3, 1], 7), intWeight('pads2', [4, 2], [0, 0, 1, 0, 2, 1, 0, 0]), { name: 'pv', shape: [], dtype: 'float32', values: [0.75] }],
    nodes: [
      tfNode('pad', 'Pad', ['x', 'pads'], F),
      tfNode('dw_out', 'DepthwiseConv2dNative', ['pad', 'dw'], convAttrs('VALID', 2)),
      tfNode('y', 'PadV2', ['dw_out', 'pads2', 'pv'], F),
    ],
  },
  {
    name: 'AvgPool SAME 3×3 stride 2 (padding not counted) and VALID, ClipByValue',
    input: [1, 7, 9, 3],
    weights: [{ name: 'lo', shape: [], dtype: 'float32', values: [-0.25] }, { name: 'hi', shape: [], dtype: 'float32', values: [0.3] }],
    nodes: [
      tfNode('p1', 'AvgPool', ['x'], { ksize: attr.ints([1, 3, 3, 1]), strides: attr.ints([1, 2, 2, 1]), padding: attr.s('SAME'), ...NHWC }),
      tfNode('p2', 'AvgPool', ['p1'], { ksize: attr.ints([1, 2, 2, 1]), strides: attr.ints([1, 1, 1, 1]), padding: attr.s('VALID'), ...NHWC }),
      tfNode('y', 'ClipByValue', ['p2', 'lo', 'hi'], F),
    ],
  },
  {
    name: 'Mul and Add by constants broadcast along C, [W, C] and [1, 1, 1, C]; Add of two runtime tensors',
    input: [1, 4, 5, 3],
    weights: [floatWeight('m', [3], 8), floatWeight('a', [5, 3], 9), floatWeight('a4', [1, 1, 1, 3], 10)],
    nodes: [
      tfNode('mul', 'Mul', ['x', 'm'], F),
      tfNode('add', 'Add', ['a', 'mul'], F),
      tfNode('add2', 'AddV2', ['add', 'a4'], F),
      tfNode('y', 'AddV2', ['add2', 'x'], F),
    ],
  },
  {
    name: 'Reshape of a 3×4 map to [1, -1] (NHWC order) + MatMul + BiasAdd + Softmax',
    input: [1, 3, 4, 2],
    weights: [intWeight('shape', [2], [1, -1]), floatWeight('w', [24, 5], 11), floatWeight('b', [5], 12)],
    nodes: [
      tfNode('flat', 'Reshape', ['x', 'shape'], F),
      tfNode('mm', 'MatMul', ['flat', 'w'], { transpose_a: attr.b(false), transpose_b: attr.b(false), ...F }),
      tfNode('logits', 'BiasAdd', ['mm', 'b'], NHWC),
      tfNode('y', 'Softmax', ['logits'], F),
    ],
    ops: ['Transpose', 'Transpose', 'Reshape', 'Gemm', 'Softmax'],
  },
  {
    name: 'Reshape to rank 4 (back to NCHW) + Conv2D, _FusedMatMul [BiasAdd, Relu] with transpose_b',
    input: [1, 2, 3, 4],
    weights: [intWeight('shape4', [4], [1, 4, 3, 2]), floatWeight('w', [1, 1, 2, 3], 13), intWeight('shape2', [2], [1, 36]), floatWeight('fc', [6, 36], 14), floatWeight('fb', [6], 15)],
    nodes: [
      tfNode('r4', 'Reshape', ['x', 'shape4'], F),
      tfNode('conv', 'Conv2D', ['r4', 'w'], convAttrs('VALID', 1)),
      tfNode('r2', 'Reshape', ['conv', 'shape2'], F),
      tfNode('y', '_FusedMatMul', ['r2', 'fc', 'fb'], { transpose_a: attr.b(false), transpose_b: attr.b(true), fused_ops: attr.strs(['BiasAdd', 'Relu']), num_args: attr.i(1), epsilon: attr.f(0), ...F }),
    ],
  },
  {
    name: 'Mean over H, W keep_dims + 1×1 conv + tf.keras Reshape (Shape → StridedSlice → Pack) + Softmax',
    input: [1, 5, 5, 3],
    weights: [intWeight('axes', [2], [1, 2]), floatWeight('w', [1, 1, 3, 4], 16), floatWeight('b', [4], 17), intWeight('begin', [1], [0]), intWeight('end', [1], [1]), intWeight('step', [1], [1]), intWeight('classes', [], [4])],
    nodes: [
      tfNode('mean', 'Mean', ['x', 'axes'], { keep_dims: attr.b(true), Tidx: attr.type('DT_INT32'), ...F }),
      tfNode('preds', '_FusedConv2D', ['mean', 'w', 'b'], convAttrs('SAME', 1, { fused_ops: attr.strs(['BiasAdd']), num_args: attr.i(1) })),
      tfNode('shape', 'Shape', ['preds'], { out_type: attr.type('DT_INT32'), ...F }),
      tfNode('batch', 'StridedSlice', ['shape', 'begin', 'end', 'step'], { shrink_axis_mask: attr.i(1), begin_mask: attr.i(0), end_mask: attr.i(0), ellipsis_mask: attr.i(0), new_axis_mask: attr.i(0), Index: attr.type('DT_INT32'), T: attr.type('DT_INT32') }),
      tfNode('target', 'Pack', ['batch', 'classes'], { N: attr.i(2), axis: attr.i(0), T: attr.type('DT_INT32') }),
      tfNode('flat', 'Reshape', ['preds', 'target'], F),
      tfNode('sm', 'Softmax', ['flat'], F),
      tfNode('y', 'Identity', ['sm'], F),
    ],
    canonical: true,
  },
  {
    name: 'Mean without keep_dims, Squeeze of a rank-4 and a rank-3 tensor, Softmax of a rank-4 tensor',
    input: [1, 3, 1, 4],
    weights: [intWeight('axes', [2], [-3, 2]), intWeight('shape3', [3], [1, 3, 4])],
    nodes: [
      tfNode('sq4', 'Squeeze', ['x'], { squeeze_dims: attr.ints([2]), ...F }),
      tfNode('r4', 'Reshape', ['sq4', 'shape3'], F),
      tfNode('sq3', 'Squeeze', ['r4'], { squeeze_dims: attr.ints([]), ...F }),
      tfNode('sm', 'Softmax', ['x'], F),
      tfNode('mean', 'Mean', ['sm', 'axes'], { keep_dims: attr.b(false), ...F }),
      tfNode('y', 'Add', ['sq3', 'mean'], F),
    ],
  },
];

function writeCase(dir: string, nodes: NodeJson[], weights: WeightJson[], input: number[]): void {
  writeGraphModel(dir, {
    nodes: [placeholder('x', [-1, ...input.slice(1)]), ...consts(weights), ...nodes],
    groups: [{ weights }],
    inputs: { x: 'x:0' },
    outputs: { y: `${nodes[nodes.length - 1].name}:0` },
  });
}

function run(g: Graph, nhwc: Float32Array, shape: readonly number[]): Float32Array {
  return runFloat(g, { [g.inputs[0]]: floatTensor(shape, nhwc) }).get(g.outputs[0])!.data as Float32Array;
}

describe('each TF op against tfjs-converter', () => {
  CASES.forEach((c, i) => {
    it(c.name, async () => {
      const dir = join(tmp, `case${i}`);
      writeCase(dir, c.nodes, c.weights, c.input);
      let refDir = dir;
      if (c.reference) {
        refDir = join(tmp, `case${i}_reference`);
        writeCase(refDir, c.reference.nodes, c.reference.weights, c.input);
      }
      const g = importTfjs(dir);
      if (c.ops) expect(g.nodes.map((n) => n.op).filter((op) => op !== 'Identity')).toEqual(c.ops);
      const x = Float32Array.from(seededValues(c.input.reduce((a, b) => a * b, 1), 100 + i, -2, 2));
      const want = await runReference(await loadReferenceModel(refDir), x, c.input);
      const got = run(g, x, c.input);
      // Our rank-4 outputs are NCHW; TF's are NHWC.
      const wantIr = want.shape.length === 4 ? transposeData(want.data, want.shape, NHWC_TO_NCHW) : want.data;
      expect(got.length).toBe(wantIr.length);
      let worst = 0;
      got.forEach((v, k) => { worst = Math.max(worst, Math.abs(v - wantIr[k])); });
      expect(worst).toBeLessThan(1e-5);
      if (c.canonical) {
        const canonical = runFloatPasses(g);
        const nchw = floatTensor(c.input, x);
        const xc = transposeData(nchw.data as Float32Array, c.input, NHWC_TO_NCHW);
        const [n, h, w, ch] = c.input;
        const y = run(canonical, xc, [n, ch, h, w]);
        let worstCanonical = 0;
        y.forEach((v, k) => { worstCanonical = Math.max(worstCanonical, Math.abs(v - wantIr[k])); });
        expect(worstCanonical).toBeLessThan(1e-5);
      }
    });
  });
});

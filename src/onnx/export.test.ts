import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Graph } from '../ir/graph.js';
import { floatTensor } from '../ir/tensor.js';
import { HAVE_SHARED, sharedModels, skipMessage } from '../util/shared.js';
import { exportOnnx, exportOnnxWithExternalData, graphToModelProto } from './export.js';
import { importOnnx, importOnnxBytes } from './import.js';
import { maxAbsDiff, runOrt, seededUniform } from './ort_reference.js';
import { AttributeType, DataType, onnx } from './proto/proto.js';
import { floatInit, int64Init, modelBytes, node, valueInfo } from './proto/proto_builder.js';

const tmp = mkdtempSync(join(tmpdir(), 'onnx2mcu-export-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const rnd = (n: number, seed: number, lo = -1, hi = 1): number[] => Array.from(seededUniform(n, seed, lo, hi));

/** Every op the importer knows, in one shape-consistent chain, written at opset 13 by hand. */
const everyOp = modelBytes({
  opset: 13,
  nodes: [
    node('Transpose', ['x'], ['t'], { perm: [0, 1, 3, 2] }, 'transpose'),
    node('Pad', ['t', 'pad_pads', 'pad_value'], ['p'], { mode: 'constant' }, 'pad'),
    node('Conv', ['p', 'w1', 'b1'], ['c1'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 0, 1, 1] }, 'conv'),
    node('BatchNormalization', ['c1', 'bn_s', 'bn_b', 'bn_m', 'bn_v'], ['bn'], { epsilon: 0 }, 'bn'),
    node('Clip', ['bn', 'lo', 'hi'], ['clip'], {}, 'clip'),
    node('Conv', ['clip', 'w2'], ['c2'], { group: 4, kernel_shape: [3, 3], pads: [2, 2, 2, 2], dilations: [2, 2] }, 'dwconv'),
    node('Relu', ['c2'], ['r'], {}, 'relu'),
    node('MaxPool', ['r'], ['mp'], { kernel_shape: [2, 2] }, 'maxpool'),
    node('AveragePool', ['mp'], ['ap'], { kernel_shape: [2, 2], pads: [0, 0, 1, 1], count_include_pad: 1 }, 'avgpool'),
    node('GlobalAveragePool', ['ap'], ['gap'], {}, 'gap'),
    node('Squeeze', ['gap', 'sq_axes'], ['sq'], {}, 'squeeze'),
    node('Unsqueeze', ['sq', 'unsq_axes'], ['unsq'], {}, 'unsqueeze'),
    node('Flatten', ['unsq'], ['flat'], { axis: 1 }, 'flatten'),
    node('Gemm', ['flat', 'gw', 'gb'], ['gemm'], { transB: 1, alpha: 0.5, beta: 2 }, 'gemm'),
    node('Mul', ['gemm', 'mul_k'], ['mul'], {}, 'mul'),
    node('Add', ['mul', 'add_k'], ['add'], {}, 'add'),
    node('MatMul', ['add', 'mm'], ['matmul'], {}, 'matmul'),
    node('Dropout', ['matmul'], ['drop'], {}, 'dropout'),
    node('Identity', ['drop'], ['id'], {}, 'identity'),
    node('Reshape', ['id', 'shape'], ['resh'], {}, 'reshape'),
    node('Softmax', ['resh'], ['y'], { axis: 1 }, 'softmax'),
  ],
  initializers: [
    int64Init('pad_pads', [0, 0, 1, 0, 0, 0, 0, 1]),
    floatInit('pad_value', [], [0.25]),
    floatInit('w1', [4, 3, 3, 3], rnd(108, 1)),
    floatInit('b1', [4], rnd(4, 2)),
    floatInit('bn_s', [4], rnd(4, 3, 0.5, 2)),
    floatInit('bn_b', [4], rnd(4, 4)),
    floatInit('bn_m', [4], rnd(4, 5)),
    floatInit('bn_v', [4], rnd(4, 6, 0.5, 2)),
    floatInit('lo', [], [0]),
    floatInit('hi', [], [6]),
    floatInit('w2', [4, 1, 3, 3], rnd(36, 7)),
    int64Init('sq_axes', [2, 3]),
    int64Init('unsq_axes', [2]),
    floatInit('gw', [3, 4], rnd(12, 8)),
    floatInit('gb', [3], rnd(3, 9)),
    floatInit('mul_k', [3], rnd(3, 10)),
    floatInit('add_k', [3], rnd(3, 11)),
    floatInit('mm', [3, 3], rnd(9, 12)),
    int64Init('shape', [1, -1]),
  ],
  inputs: [valueInfo('x', [1, 3, 8, 8])],
  outputs: [valueInfo('y', [1, 3])],
});

function expectSameGraph(a: Graph, b: Graph, skipNodes: readonly string[] = []): void {
  expect(b.inputs).toEqual(a.inputs);
  expect(b.outputs).toEqual(a.outputs);
  const strip = (g: Graph) => g.nodes.map((n) => ({ name: n.name, op: n.op, inputs: n.inputs, outputs: n.outputs, attrs: skipNodes.includes(n.name) ? {} : n.attrs }));
  expect(strip(b)).toEqual(strip(a));
  expect([...b.constants.keys()].sort()).toEqual([...a.constants.keys()].sort());
  for (const [name, t] of a.constants) {
    const u = b.constants.get(name)!;
    expect(u.dtype).toBe(t.dtype);
    expect(u.shape).toEqual(t.shape);
    expect(u.data).toEqual(t.data);
  }
  expect(new Map([...b.values].sort())).toEqual(new Map([...a.values].sort()));
}

describe('exportOnnx on a graph with every supported op', () => {
  const g = importOnnxBytes(everyOp, { source: 'every_op.onnx' });
  const x = { shape: [1, 3, 8, 8], data: seededUniform(192, 42, -2, 2) };

  it('the hand-written model runs in onnxruntime (sanity of the fixture)', async () => {
    const y = (await runOrt(everyOp, { x })).get('y')!;
    expect(y.shape).toEqual([1, 3]);
  });

  it.each([9, 10, 11, 12, 13, 14, 17, 18, 19, 21])('opset %i: onnxruntime gives the same output as on the original, and it imports back to the same graph', async (opset) => {
    const bytes = exportOnnx(g, { opset });
    const want = (await runOrt(everyOp, { x })).get('y')!;
    const got = (await runOrt(bytes, { x })).get('y')!;
    expect(got.shape).toEqual(want.shape);
    expect(maxAbsDiff(got.data, want.data)).toBeLessThanOrEqual(1e-6);
    const back = importOnnxBytes(bytes, { source: 'exported.onnx' });
    expect(back.meta.opset).toBe(opset);
    // Softmax is written as opset < 13 wants it (axis semantics differ), so its attributes differ below 13.
    expectSameGraph(g, back, opset < 13 ? ['softmax'] : []);
    if (opset < 13) expect(back.nodes.at(-1)!.attrs).toEqual({ axis: 1, legacy_2d: 1 });
  });

  it('writes Clip/Pad/Squeeze/Unsqueeze in the target opset form', () => {
    const ops = (opset: number) => {
      const m = onnx.ModelProto.decode(exportOnnx(g, { opset }));
      return Object.fromEntries(m.graph!.node!.map((n) => [n.opType, { inputs: n.input!.length, attrs: n.attribute!.map((a) => a.name).sort() }]));
    };
    const o9 = ops(9);
    expect(o9.Clip).toEqual({ inputs: 1, attrs: ['max', 'min'] });
    expect(o9.Pad).toEqual({ inputs: 1, attrs: ['mode', 'pads', 'value'] });
    expect(o9.Squeeze).toEqual({ inputs: 1, attrs: ['axes'] });
    expect(o9.MaxPool.attrs).not.toContain('ceil_mode'); // not in the opset-9 schema
    const o11 = ops(11);
    expect(o11.Clip).toEqual({ inputs: 3, attrs: [] });
    expect(o11.Pad).toEqual({ inputs: 3, attrs: ['mode'] });
    expect(o11.Unsqueeze).toEqual({ inputs: 1, attrs: ['axes'] });
    const o13 = ops(13);
    expect(o13.Squeeze).toEqual({ inputs: 2, attrs: [] });
    expect(o13.Unsqueeze).toEqual({ inputs: 2, attrs: [] });
    expect(o13.Softmax.attrs).toEqual(['axis']); // legacy_2d is IR-only
  });

  it('types attributes: integral floats stay FLOAT (epsilon 0, Clip min 0), ints INT/INTS, strings STRING', () => {
    const m = onnx.ModelProto.decode(exportOnnx(g, { opset: 9 }));
    const attr = (op: string, name: string) => m.graph!.node!.find((n) => n.opType === op)!.attribute!.find((a) => a.name === name)!;
    expect(attr('BatchNormalization', 'epsilon').type).toBe(AttributeType.FLOAT);
    expect(attr('Clip', 'min').type).toBe(AttributeType.FLOAT);
    expect(attr('Clip', 'max')).toMatchObject({ type: AttributeType.FLOAT, f: 6 });
    expect(attr('Gemm', 'alpha')).toMatchObject({ type: AttributeType.FLOAT, f: 0.5 });
    expect(attr('Gemm', 'transB').type).toBe(AttributeType.INT);
    expect(attr('Conv', 'strides').type).toBe(AttributeType.INTS);
    expect(attr('Conv', 'auto_pad').type).toBe(AttributeType.STRING);
    expect(attr('Pad', 'value')).toMatchObject({ type: AttributeType.FLOAT, f: 0.25 });
  });

  it('options: symbolic batch dim, initializers in the typed fields, producer', () => {
    const m = graphToModelProto(g, { batchDim: 'N', storage: 'typed', producer: 'me' });
    expect(m.producerName).toBe('me');
    expect(m.graph.input![0].type!.tensorType!.shape!.dim![0]).toEqual({ dimParam: 'N' });
    expect(m.graph.output![0].type!.tensorType!.shape!.dim![0]).toEqual({ dimParam: 'N' });
    const w1 = m.graph.initializer!.find((t) => t.name === 'w1')!;
    expect(w1.rawData).toBeUndefined();
    expect(w1.floatData!.length).toBe(108);
    const back = importOnnxBytes(onnx.ModelProto.encode(m).finish());
    expectSameGraph(g, back);
  });

  it('external data: weights in a side file that both importOnnx and onnxruntime read', async () => {
    const { model, data } = exportOnnxWithExternalData(g, 'every_op.weights', { minBytes: 400 });
    const path = join(tmp, 'every_op.onnx');
    writeFileSync(path, model);
    writeFileSync(join(tmp, 'every_op.weights'), data);
    const decoded = onnx.ModelProto.decode(model);
    const inits = decoded.graph!.initializer!;
    // w1 (432 bytes) is the largest tensor here: with minBytes 400 it alone goes to the side file.
    expect(inits.filter((t) => t.dataLocation === 1).map((t) => t.name)).toEqual(['w1']);
    expect(inits.find((t) => t.name === 'w1')!.rawData!.length).toBe(0);
    expectSameGraph(g, importOnnx(path));
    const want = (await runOrt(everyOp, { x })).get('y')!;
    expect(maxAbsDiff((await runOrt(path, { x })).get('y')!.data, want.data)).toBeLessThanOrEqual(1e-6);
  });
});

describe('exportOnnx writes ops the registry does not know, generically', () => {
  it('QuantizeLinear → DequantizeLinear (per-channel, axis attribute) runs in onnxruntime with the hand-computed result', async () => {
    const scale = Float32Array.of(0.5, 0.1);
    const zp = Int8Array.of(3, -2);
    const g: Graph = {
      name: 'qdq',
      inputs: ['x'],
      outputs: ['y'],
      nodes: [
        { name: 'q', op: 'QuantizeLinear', inputs: ['x', 's', 'z'], outputs: ['xq'], attrs: { axis: 1 } },
        { name: 'dq', op: 'DequantizeLinear', inputs: ['xq', 's', 'z'], outputs: ['y'], attrs: { axis: 1 } },
      ],
      constants: new Map([
        ['s', floatTensor([2], scale)],
        ['z', { dtype: 'int8', shape: [2], data: zp }],
      ]),
      values: new Map([
        ['x', { dtype: 'float32', shape: [1, 2, 3] }],
        ['s', { dtype: 'float32', shape: [2] }],
        ['z', { dtype: 'int8', shape: [2] }],
        ['xq', { dtype: 'int8', shape: [1, 2, 3] }],
        ['y', { dtype: 'float32', shape: [1, 2, 3] }],
      ]),
      meta: {},
    };
    const x = Float32Array.of(0.7, -100, 61.4, 0.33, -0.26, 20);
    const y = (await runOrt(exportOnnx(g, { opset: 13 }), { x: { shape: [1, 2, 3], data: x } })).get('y')!;
    // q = clamp(round(x / s) + zp, -128, 127) (no ties among these values); y = (q - zp) * s
    const expected = [0.7, -100, 61.4, 0.33, -0.26, 20].map((v, i) => {
      const c = i < 3 ? 0 : 1;
      const q = Math.min(127, Math.max(-128, Math.round(v / scale[c]) + zp[c]));
      return (q - zp[c]) * scale[c];
    });
    expect(maxAbsDiff(y.data, expected)).toBeLessThanOrEqual(1e-6);
    expect(Array.from(y.data).map((v) => Math.round(v * 100) / 100)).toEqual([0.5, -65.5, 61.5, 0.3, -0.3, 12.9]);
  });
});

describe.skipIf(!HAVE_SHARED)('exportOnnx on the real models', () => {
  skipMessage('real-model export tests');
  it.each(sharedModels().map((m) => [m.file, m] as const))('%s: opsets 9/11/13/21 give onnxruntime the same output; opset 13 imports back identically', async (_f, m) => {
    const g = importOnnx(m.path);
    const shape = [1, 3, m.resolution, m.resolution];
    const x = { shape, data: seededUniform(3 * m.resolution * m.resolution, 5, -1, 1) };
    const want = (await runOrt(m.path, { input: x })).get('output')!;
    for (const opset of [9, 11, 13, 21]) {
      const bytes = exportOnnx(g, { opset });
      const got = (await runOrt(bytes, { input: x })).get('output')!;
      expect(got.shape).toEqual(want.shape);
      expect(maxAbsDiff(got.data, want.data), `opset ${opset}`).toBeLessThanOrEqual(1e-6);
      if (opset === 13) expectSameGraph(g, importOnnxBytes(bytes));
    }
  });
});

// Keep the DataType import meaningful for readers: the exported input is FLOAT.
it('exported graph inputs carry dtype and shape', () => {
  const g = importOnnxBytes(everyOp);
  const m = graphToModelProto(g);
  expect(m.graph.input![0].type!.tensorType).toMatchObject({ elemType: DataType.FLOAT, shape: { dim: [{ dimValue: 1 }, { dimValue: 3 }, { dimValue: 8 }, { dimValue: 8 }] } });
});

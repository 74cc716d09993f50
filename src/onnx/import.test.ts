import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Graph } from '../ir/graph.js';
import { runFloat } from '../graph/interpret.js';
import { floatTensor, toNumbers } from '../ir/tensor.js';
import { HAVE_SHARED, sharedModels, skipMessage } from '../util/shared.js';
import { UserError } from '../util/errors.js';
import { importOnnx, importOnnxBytes } from './import.js';
import { maxAbsDiff, runOrt, seededUniform } from './ort_reference.js';
import { floatInit, int64Init, modelBytes, node, valueInfo } from './proto/proto_builder.js';
import type { ModelSpec } from './proto/proto_builder.js';
import { DataType } from './proto/proto.js';

const tmp = mkdtempSync(join(tmpdir(), 'onnx2mcu-import-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The UserError thrown by `f`; checks it is one line and contains every fragment. */
function userError(f: () => unknown, ...fragments: string[]): string {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a UserError').toBeInstanceOf(UserError);
  const msg = (caught as Error).message;
  expect(msg).not.toContain('\n');
  for (const f of fragments) expect(msg).toContain(f);
  return msg;
}

function importSpec(spec: ModelSpec, source = 'test.onnx'): Graph {
  return importOnnxBytes(modelBytes(spec), { source });
}

/** x [1,2,2,2] → Relu → y: the smallest valid model, for tests that vary one thing. */
const relu: ModelSpec = {
  nodes: [node('Relu', ['x'], ['y'], {}, 'relu')],
  inputs: [valueInfo('x', [1, 2, 2, 2])],
  outputs: [valueInfo('y', [1, 2, 2, 2])],
};

/** ONNX via onnxruntime and our import + runFloat agree on `bytes` (proves the normalization kept the meaning). */
async function expectSameAsOrt(bytes: Uint8Array, inputShape: number[], seed = 1): Promise<Graph> {
  const x = seededUniform(inputShape.reduce((a, b) => a * b, 1), seed, -3, 3);
  const g = importOnnxBytes(bytes, { source: 'case.onnx' });
  const ref = await runOrt(bytes, { [g.inputs[0]]: { shape: inputShape, data: x } });
  const ours = runFloat(g, { [g.inputs[0]]: floatTensor(inputShape, x) });
  const want = ref.get(g.outputs[0])!;
  const got = ours.get(g.outputs[0])!;
  expect(got.shape).toEqual(want.shape);
  expect(maxAbsDiff(got.data as Float32Array, want.data)).toBeLessThanOrEqual(1e-6);
  return g;
}

describe('initializers', () => {
  const values = [0.5, -1.25, 3, 1e-20, -0, 7.75];
  const spec = (storage: 'raw' | 'typed'): ModelSpec => ({
    nodes: [node('Add', ['x', 'c'], ['y'])],
    initializers: [floatInit('c', [2, 3], values, storage)],
    inputs: [valueInfo('x', [2, 3])],
    outputs: [valueInfo('y', [2, 3])],
  });

  it('reads float raw_data and float_data to the same values', () => {
    for (const storage of ['raw', 'typed'] as const) {
      const g = importSpec(spec(storage));
      const c = g.constants.get('c')!;
      expect(c.dtype).toBe('float32');
      expect(c.shape).toEqual([2, 3]);
      expect(Array.from(c.data as Float32Array)).toEqual(Array.from(Float32Array.from(values)));
      expect(g.values.get('c')).toEqual({ dtype: 'float32', shape: [2, 3] });
    }
  });

  it('reads int64 shapes from raw_data and int64_data', () => {
    for (const storage of ['raw', 'typed'] as const) {
      const g = importSpec({
        nodes: [node('Reshape', ['x', 's'], ['y'])],
        initializers: [int64Init('s', [1, -1], storage)],
        inputs: [valueInfo('x', [1, 2, 3, 4])],
        outputs: [valueInfo('y', [1, 24])],
      });
      expect(g.constants.get('s')!.data).toEqual(BigInt64Array.of(1n, -1n));
      expect(g.values.get('y')!.shape).toEqual([1, 24]);
    }
  });

  it('treats graph inputs that are also initializers as constants (older exporters list weights as inputs)', () => {
    const g = importSpec({ ...spec('raw'), inputs: [valueInfo('x', [2, 3]), valueInfo('c', [2, 3])] });
    expect(g.inputs).toEqual(['x']);
    expect(g.constants.has('c')).toBe(true);
  });

  it('rejects an initializer whose dims claim far more data than raw_data holds, naming it', () => {
    const huge = { name: 'w', dims: [1_000_000, 1_000_000], dataType: DataType.FLOAT, rawData: new Uint8Array(8) };
    const t0 = Date.now();
    userError(() => importSpec({ ...spec('raw'), initializers: [huge] }), "test.onnx: initializer 'w'", '[1000000, 1000000]', '4000000000000 bytes', 'raw_data has 8');
    expect(Date.now() - t0).toBeLessThan(1000); // nothing of that size was allocated
  });

  it('rejects dims that claim more values than float_data / int64_data carry', () => {
    userError(
      () => importSpec({ ...spec('raw'), initializers: [{ name: 'c', dims: [2, 3, 1_000_000_000], dataType: DataType.FLOAT, floatData: [1, 2] }] }),
      "initializer 'c'", 'need 6000000000 values', 'float_data has 2',
    );
    userError(
      () => importSpec({ ...spec('raw'), initializers: [{ name: 'c', dims: [4], dataType: DataType.INT64, int64Data: [1] }] }),
      "initializer 'c'", 'int64_data has 1',
    );
  });

  it('rejects unsupported data types by name', () => {
    userError(
      () => importSpec({ ...spec('raw'), initializers: [{ name: 'c', dims: [2, 3], dataType: DataType.FLOAT16, rawData: new Uint8Array(12) }] }),
      "initializer 'c'", 'unsupported data type FLOAT16',
    );
    userError(() => importSpec({ ...relu, inputs: [valueInfo('x', [1, 2, 2, 2], DataType.DOUBLE)] }), "graph input 'x'", 'DOUBLE');
  });
});

describe('Constant nodes', () => {
  it('become constants: value tensor, value_float(s), value_int(s)', () => {
    const g = importSpec({
      nodes: [
        node('Constant', [], ['t'], {}, 'const_t'),
        node('Constant', [], ['f'], { value_float: 2.5 }),
        node('Constant', [], ['fs'], { value_floats: [1, 2, 3] }),
        node('Constant', [], ['shape'], { value_ints: [1, 3] }),
        node('Add', ['x', 'f'], ['a']),
        node('Mul', ['a', 'fs'], ['m']),
        node('Add', ['m', 't'], ['s']),
        node('Reshape', ['s', 'shape'], ['y']),
      ].map((n, i) =>
        i === 0
          ? { ...n, attribute: [{ name: 'value', type: 4, t: floatInit('', [3], [10, 20, 30]) }] }
          : n,
      ),
      inputs: [valueInfo('x', [3])],
      outputs: [valueInfo('y', [1, 3])],
    });
    expect(g.nodes.map((n) => n.op)).toEqual(['Add', 'Mul', 'Add', 'Reshape']);
    expect(Array.from(g.constants.get('t')!.data as Float32Array)).toEqual([10, 20, 30]);
    expect(g.constants.get('f')!.shape).toEqual([]);
    expect(Array.from(g.constants.get('f')!.data as Float32Array)).toEqual([2.5]);
    expect(Array.from(g.constants.get('fs')!.data as Float32Array)).toEqual([1, 2, 3]);
    expect(toNumbers(g.constants.get('shape')!)).toEqual([1, 3]);
    expect(g.values.get('y')!.shape).toEqual([1, 3]);
    const y = runFloat(g, { x: floatTensor([3], Float32Array.of(1, 2, 3)) }).get('y')!;
    // (x + 2.5) * [1,2,3] + [10,20,30]
    expect(Array.from(y.data as Float32Array)).toEqual([13.5, 29, 46.5]);
  });

  it('a Constant whose output is already an initializer is an error', () => {
    userError(
      () =>
        importSpec({
          nodes: [node('Constant', [], ['c'], { value_float: 1 }, 'k'), node('Add', ['x', 'c'], ['y'])],
          initializers: [floatInit('c', [], [2])],
          inputs: [valueInfo('x', [1])],
          outputs: [valueInfo('y', [1])],
        }),
      "test.onnx: node 'k' (Constant) output 'c' is already defined",
    );
  });

  it('value_int becomes a scalar int64', () => {
    const g = importSpec({
      nodes: [node('Constant', [], ['ax'], { value_ints: [0] }), node('Unsqueeze', ['x', 'ax'], ['y'])],
      inputs: [valueInfo('x', [3])],
      outputs: [valueInfo('y', [1, 3])],
    });
    expect(g.nodes[0].attrs.axes).toEqual([0]);
    expect(g.values.get('y')!.shape).toEqual([1, 3]);
  });
});

describe('external data', () => {
  const weights = Float32Array.from({ length: 24 }, (_, i) => i * 0.5 - 3);
  function externalModel(dir: string, location: string, offset = 16, length: number | undefined = 96): string {
    mkdirSync(dir, { recursive: true });
    const extra: { key: string; value: string }[] = [{ key: 'location', value: location }, { key: 'offset', value: String(offset) }];
    if (length !== undefined) extra.push({ key: 'length', value: String(length) });
    const bytes = modelBytes({
      nodes: [node('Add', ['x', 'w'], ['y'])],
      initializers: [{ name: 'w', dims: [2, 3, 4], dataType: DataType.FLOAT, dataLocation: 1, externalData: extra }],
      inputs: [valueInfo('x', [2, 3, 4])],
      outputs: [valueInfo('y', [2, 3, 4])],
    });
    const path = join(dir, 'model.onnx');
    writeFileSync(path, bytes);
    return path;
  }
  const side = new Uint8Array(16 + 96);
  side.set(new Uint8Array(weights.buffer), 16);

  it('reads weights from a side file relative to the model folder', () => {
    const dir = join(tmp, 'ext_ok');
    const path = externalModel(dir, 'data/weights.bin');
    mkdirSync(join(dir, 'data'));
    writeFileSync(join(dir, 'data', 'weights.bin'), side);
    const g = importOnnx(path);
    expect(Array.from(g.constants.get('w')!.data as Float32Array)).toEqual(Array.from(weights));
    // Without a stated length the tensor's own size is read.
    const path2 = externalModel(join(tmp, 'ext_nolen'), 'w.bin', 16, undefined);
    writeFileSync(join(tmp, 'ext_nolen', 'w.bin'), side);
    expect(Array.from(importOnnx(path2).constants.get('w')!.data as Float32Array)).toEqual(Array.from(weights));
  });

  it('refuses locations outside the model folder: ../, absolute, symlink leading out', () => {
    writeFileSync(join(tmp, 'outside.bin'), side);
    userError(() => importOnnx(externalModel(join(tmp, 'ext_up'), '../outside.bin')), "initializer 'w'", "'../outside.bin' is outside the model's folder");
    userError(() => importOnnx(externalModel(join(tmp, 'ext_abs'), join(tmp, 'outside.bin'))), "initializer 'w'", 'is absolute');
    const dir = join(tmp, 'ext_link');
    const path = externalModel(dir, 'link.bin');
    symlinkSync(join(tmp, 'outside.bin'), join(dir, 'link.bin'));
    userError(() => importOnnx(path), "'link.bin' leads outside the model's folder");
  });

  it('rejects a length that disagrees with the dims, a file too short, a missing file, and bytes without a folder', () => {
    const dir = join(tmp, 'ext_bad');
    writeFileSync(join(mkdirSync(dir, { recursive: true }) ?? dir, 'w.bin'), side.subarray(0, 50));
    userError(() => importOnnx(externalModel(dir, 'w.bin', 0, 4_000_000_000)), "initializer 'w'", 'length 4000000000 bytes', 'need 96 bytes');
    userError(() => importOnnx(externalModel(dir, 'w.bin', 16, 96)), "'w.bin' has 50 bytes", 'offset 16 + 96 bytes');
    userError(() => importOnnx(externalModel(dir, 'nothere.bin', 0, 96)), "external data location 'nothere.bin': cannot read", 'ENOENT');
    const bytes = readFileSync(externalModel(dir, 'w.bin', 0, 96));
    userError(() => importOnnxBytes(bytes, { source: 'mem.onnx' }), 'mem.onnx', 'without a folder');
  });
});

describe('opset normalization (each checked against onnxruntime on the same file)', () => {
  const clipModel = (opset: number, min?: number, max?: number): Uint8Array => {
    const inits = [];
    const inputs = ['x'];
    const attrs: Record<string, number> = {};
    if (opset < 11) {
      if (min !== undefined) attrs.min = min;
      if (max !== undefined) attrs.max = max;
    } else {
      inputs.push(min !== undefined ? 'lo' : '', max !== undefined ? 'hi' : '');
      if (min !== undefined) inits.push(floatInit('lo', [], [min]));
      if (max !== undefined) inits.push(floatInit('hi', [], [max]));
    }
    return modelBytes({ opset, nodes: [node('Clip', inputs, ['y'], attrs, 'clip')], initializers: inits, inputs: [valueInfo('x', [1, 4, 3, 3])], outputs: [valueInfo('y', [1, 4, 3, 3])] });
  };

  it.each([
    [9, 0, 6], [11, 0, 6], [13, -1, 1.5], [21, 0, 6], [11, 0, undefined], [13, undefined, 2], [9, undefined, undefined],
  ])('Clip opset %i min %s max %s → attrs', async (opset, min, max) => {
    const g = await expectSameAsOrt(clipModel(opset, min, max), [1, 4, 3, 3]);
    expect(g.nodes[0].inputs).toEqual(['x']);
    expect(g.nodes[0].attrs).toEqual({ min: min ?? -Infinity, max: max ?? Infinity });
    expect([...g.constants.keys()]).toEqual([]); // the bound initializers are no longer referenced
  });

  it('Clip bounds from Constant nodes (opset 11+)', async () => {
    const bytes = modelBytes({
      opset: 12,
      nodes: [node('Constant', [], ['lo'], { value_float: 0 }), node('Constant', [], ['hi'], { value_float: 6 }), node('Clip', ['x', 'lo', 'hi'], ['y'])],
      inputs: [valueInfo('x', [1, 2, 3, 3])],
      outputs: [valueInfo('y', [1, 2, 3, 3])],
    });
    const g = await expectSameAsOrt(bytes, [1, 2, 3, 3]);
    expect(g.nodes[0].attrs).toEqual({ min: 0, max: 6 });
  });

  it('Clip with a runtime bound is an error naming the node and input', () => {
    const bytes = modelBytes({
      opset: 13,
      nodes: [node('Relu', ['x'], ['r'], {}, 'r'), node('Clip', ['x', 'r'], ['y'], {}, 'clip')],
      inputs: [valueInfo('x', [1, 2])],
      outputs: [valueInfo('y', [1, 2])],
    });
    userError(() => importOnnxBytes(bytes, { source: 'c.onnx' }), "c.onnx: node 'clip' (Clip)", "input 1 'r' (min) must be a constant");
  });

  const padModel = (opset: number): Uint8Array => {
    const pads = [0, 0, 1, 2, 0, 0, 3, 0];
    const shape = [1, 2, 4, 5];
    const out = [1, 2, 8, 7];
    if (opset < 11) {
      return modelBytes({ opset, nodes: [node('Pad', ['x'], ['y'], { mode: 'constant', pads, value: 0.5 })], inputs: [valueInfo('x', shape)], outputs: [valueInfo('y', out)] });
    }
    if (opset < 18) {
      return modelBytes({
        opset,
        nodes: [node('Pad', ['x', 'p', 'v'], ['y'], { mode: 'constant' })],
        initializers: [int64Init('p', pads), floatInit('v', [], [0.5])],
        inputs: [valueInfo('x', shape)],
        outputs: [valueInfo('y', out)],
      });
    }
    // Opset 18: pad only axes 2 and 3 (-1 counts from the end).
    return modelBytes({
      opset,
      nodes: [node('Pad', ['x', 'p', 'v', 'axes'], ['y'], { mode: 'constant' })],
      initializers: [int64Init('p', [1, 2, 3, 0]), floatInit('v', [], [0.5]), int64Init('axes', [2, -1])],
      inputs: [valueInfo('x', shape)],
      outputs: [valueInfo('y', out)],
    });
  };

  it.each([9, 11, 13, 18, 21])('Pad opset %i → attrs pads/mode/value', async (opset) => {
    const g = await expectSameAsOrt(padModel(opset), [1, 2, 4, 5]);
    expect(g.nodes[0].inputs).toEqual(['x']);
    expect(g.nodes[0].attrs).toEqual({ pads: [0, 0, 1, 2, 0, 0, 3, 0], mode: 'constant', value: 0.5 });
    expect(g.values.get('y')!.shape).toEqual([1, 2, 8, 7]);
  });

  it('Pad modes other than constant are refused', () => {
    const bytes = modelBytes({ opset: 9, nodes: [node('Pad', ['x'], ['y'], { mode: 'reflect', pads: [0, 1, 0, 1] }, 'pad')], inputs: [valueInfo('x', [2, 3])], outputs: [valueInfo('y', [2, 5])] });
    userError(() => importOnnxBytes(bytes, { source: 'p.onnx' }), "p.onnx: node 'pad' (Pad)", "mode 'reflect'");
  });

  it.each([11, 13, 21])('Squeeze/Unsqueeze opset %i → attr axes', async (opset) => {
    const axesAsInput = opset >= 13;
    const bytes = modelBytes({
      opset,
      nodes: [
        node('Squeeze', axesAsInput ? ['x', 'sa'] : ['x'], ['s'], axesAsInput ? {} : { axes: [2, 3] }),
        node('Unsqueeze', axesAsInput ? ['s', 'ua'] : ['s'], ['y'], axesAsInput ? {} : { axes: [0, -1] }),
      ],
      initializers: axesAsInput ? [int64Init('sa', [2, 3]), int64Init('ua', [0, -1])] : [],
      inputs: [valueInfo('x', [1, 6, 1, 1])],
      outputs: [valueInfo('y', [1, 1, 6, 1])],
    });
    const g = await expectSameAsOrt(bytes, [1, 6, 1, 1]);
    expect(g.nodes.map((n) => [n.inputs.length, n.attrs.axes])).toEqual([[1, [2, 3]], [1, [0, -1]]]);
    expect(g.values.get('y')!.shape).toEqual([1, 1, 6, 1]);
  });

  it('Squeeze without axes (opset 13, input absent) keeps no axes attribute and squeezes every 1', async () => {
    const bytes = modelBytes({ opset: 13, nodes: [node('Squeeze', ['x'], ['y'])], inputs: [valueInfo('x', [1, 6, 1, 1])], outputs: [valueInfo('y', [6])] });
    const g = await expectSameAsOrt(bytes, [1, 6, 1, 1]);
    expect(g.nodes[0].attrs.axes).toBeUndefined();
    expect(g.values.get('y')!.shape).toEqual([6]);
  });

  it('Softmax: opset < 13 is the 2-D legacy form (axis 1), opset 13 defaults to the last axis', async () => {
    const bytes = (opset: number): Uint8Array =>
      modelBytes({ opset, nodes: [node('Softmax', ['x'], ['y'])], inputs: [valueInfo('x', [2, 3, 4])], outputs: [valueInfo('y', [2, 3, 4])] });
    const g11 = await expectSameAsOrt(bytes(11), [2, 3, 4]);
    expect(g11.nodes[0].attrs).toEqual({ axis: 1, legacy_2d: 1 });
    const g13 = await expectSameAsOrt(bytes(13), [2, 3, 4]);
    expect(g13.nodes[0].attrs).toEqual({ axis: -1 });
  });

  it('Dropout: ratio input and unused mask output dropped; a used mask is refused', async () => {
    const model = (useMask: boolean): Uint8Array =>
      modelBytes({
        opset: 13,
        nodes: [node('Dropout', ['x', 'ratio'], ['d', 'mask'], {}, 'drop'), node('Relu', ['d'], ['y'])],
        initializers: [floatInit('ratio', [], [0.25])],
        inputs: [valueInfo('x', [1, 5])],
        outputs: useMask ? [valueInfo('y', [1, 5]), valueInfo('mask', [1, 5], DataType.BOOL)] : [valueInfo('y', [1, 5])],
      });
    const g = await expectSameAsOrt(model(false), [1, 5]);
    expect(g.nodes[0]).toMatchObject({ op: 'Dropout', inputs: ['x'], outputs: ['d'], attrs: {} });
    userError(() => importOnnxBytes(model(true), { source: 'd.onnx' }), "d.onnx: node 'drop' (Dropout)", "output 1 'mask' is used");
  });

  it('fills in ONNX defaults: Conv, pools, Gemm, Flatten, BatchNormalization', () => {
    const g = importSpec({
      opset: 13,
      nodes: [
        node('Conv', ['x', 'w'], ['c'], {}, 'conv'),
        node('BatchNormalization', ['c', 's', 'b', 'm', 'v'], ['bn']),
        node('MaxPool', ['bn'], ['mp'], { kernel_shape: [2, 2] }),
        node('AveragePool', ['mp'], ['ap'], { kernel_shape: [1, 1], auto_pad: 'SAME_UPPER' }),
        node('Flatten', ['ap'], ['f']),
        node('Gemm', ['f', 'gw'], ['y']),
      ],
      initializers: [
        floatInit('w', [2, 3, 3, 3], new Array(54).fill(0.1)),
        ...['s', 'b', 'm', 'v'].map((n) => floatInit(n, [2], [1, 1])),
        floatInit('gw', [18, 4], new Array(72).fill(0.1)),
      ],
      inputs: [valueInfo('x', [1, 3, 6, 6])],
      outputs: [valueInfo('y', [1, 4])],
    });
    const attrs = Object.fromEntries(g.nodes.map((n) => [n.op, n.attrs]));
    expect(attrs.Conv).toEqual({ group: 1, auto_pad: 'NOTSET', kernel_shape: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0] });
    expect(attrs.BatchNormalization).toEqual({ epsilon: 1e-5 });
    expect(attrs.MaxPool).toEqual({ auto_pad: 'NOTSET', ceil_mode: 0, kernel_shape: [2, 2], strides: [1, 1], pads: [0, 0, 0, 0] });
    // ONNX forbids pads next to SAME_UPPER, so none are invented.
    expect(attrs.AveragePool).toEqual({ auto_pad: 'SAME_UPPER', ceil_mode: 0, count_include_pad: 0, kernel_shape: [1, 1], strides: [1, 1] });
    expect(attrs.Flatten).toEqual({ axis: 1 });
    expect(attrs.Gemm).toEqual({ alpha: 1, beta: 1, transA: 0, transB: 0 });
    expect(g.values.get('y')!.shape).toEqual([1, 4]);
  });
});

describe('graph structure', () => {
  it('takes a symbolic or unknown batch dimension as 1, and refuses other unknown dimensions', () => {
    for (const batch of ['N', null, 0]) {
      const g = importSpec({ ...relu, inputs: [valueInfo('x', [batch, 2, 2, 2])], outputs: [valueInfo('y', ['N', 2, 2, 2])] });
      expect(g.values.get('x')!.shape).toEqual([1, 2, 2, 2]);
      expect(g.values.get('y')!.shape).toEqual([1, 2, 2, 2]);
    }
    userError(() => importSpec({ ...relu, inputs: [valueInfo('x', [1, 2, 'H', 2])] }), "test.onnx: graph input 'x'", "dimension 2 is symbolic 'H'");
  });

  it('names unnamed nodes opType_index and records origin, meta.opset/producer/source', () => {
    const g = importSpec({
      opset: 12,
      producer: 'someexporter',
      nodes: [node('Relu', ['x'], ['a']), node('Relu', ['a'], ['b'], {}, 'named'), node('Identity', ['b'], ['y'])],
      inputs: [valueInfo('x', [2])],
      outputs: [valueInfo('y', [2])],
    });
    expect(g.nodes.map((n) => n.name)).toEqual(['Relu_0', 'named', 'Identity_2']);
    expect(g.nodes.map((n) => n.origin)).toEqual([['Relu_0'], ['named'], ['Identity_2']]);
    expect(g.meta).toMatchObject({ opset: 12, producer: 'someexporter', source: 'test.onnx' });
  });

  it('makes repeated node names unique, keeping the file name as origin', () => {
    const g = importSpec({
      nodes: [node('Relu', ['x'], ['a'], {}, 'act'), node('Relu', ['a'], ['y'], {}, 'act')],
      inputs: [valueInfo('x', [2])],
      outputs: [valueInfo('y', [2])],
    });
    expect(g.nodes.map((n) => n.name)).toEqual(['act', 'act_1']);
    expect(g.nodes.map((n) => n.origin)).toEqual([['act'], ['act']]);
  });

  it('sorts nodes listed out of order into a topological order', async () => {
    const bytes = modelBytes({
      nodes: [node('Add', ['b', 'a'], ['y'], {}, 'add'), node('Relu', ['a'], ['b'], {}, 'relu'), node('Mul', ['x', 'x'], ['a'], {}, 'mul')],
      inputs: [valueInfo('x', [3])],
      outputs: [valueInfo('y', [3])],
    });
    const g = await expectSameAsOrt(bytes, [3]);
    expect(g.nodes.map((n) => n.name)).toEqual(['mul', 'relu', 'add']);
  });

  it('detects a cycle and names its nodes', () => {
    userError(
      () =>
        importSpec({
          nodes: [node('Relu', ['x'], ['a'], {}, 'ok'), node('Add', ['a', 'c'], ['b'], {}, 'loop1'), node('Relu', ['b'], ['c'], {}, 'loop2'), node('Relu', ['c'], ['y'], {}, 'after')],
          inputs: [valueInfo('x', [3])],
          outputs: [valueInfo('y', [3])],
        }),
      'test.onnx: the graph has a cycle', "'loop1'", "'loop2'",
    );
  });

  it('names the node and input when an initializer is missing', () => {
    userError(
      () => importSpec({ nodes: [node('Conv', ['x', 'conv1.weight'], ['y'], {}, 'conv1')], inputs: [valueInfo('x', [1, 3, 4, 4])], outputs: [valueInfo('y', [1, 8, 2, 2])] }),
      "test.onnx: node 'conv1' (Conv) input 1 'conv1.weight' is not defined",
    );
    userError(() => importSpec({ ...relu, outputs: [valueInfo('nope', [1])] }), "graph output 'nope' is not produced by any node");
  });

  it('refuses a tensor produced twice', () => {
    userError(
      () => importSpec({ nodes: [node('Relu', ['x'], ['y'], {}, 'r1'), node('Relu', ['x'], ['y'], {}, 'r2')], inputs: [valueInfo('x', [1])], outputs: [valueInfo('y', [1])] }),
      "node 'r2' (Relu) output 'y' is already defined by node 'r1'",
    );
  });

  it('lists ALL unsupported ops with their node names in one line', () => {
    const msg = userError(
      () =>
        importSpec({
          nodes: [
            node('Relu', ['x'], ['a']),
            node('LeakyRelu', ['a'], ['b'], {}, 'leaky1'),
            node('Foo', ['b'], ['c'], {}, 'foo'),
            node('LeakyRelu', ['c'], ['d'], {}, 'leaky2'),
            { ...node('FusedConv', ['d'], ['y'], {}, 'fused'), domain: 'com.microsoft' },
          ],
          inputs: [valueInfo('x', [3])],
          outputs: [valueInfo('y', [3])],
        }),
      'test.onnx: unsupported ops:',
      "LeakyRelu (nodes 'leaky1', 'leaky2')",
      "Foo (node 'foo')",
      "com.microsoft.FusedConv (node 'fused')",
    );
    expect(msg).not.toMatch(/[:;] Relu \(/); // the supported Relu is not listed
  });

  it('refuses opsets outside 9..21', () => {
    userError(() => importSpec({ ...relu, opset: 8 }), 'opset 8 is too old');
    userError(() => importSpec({ ...relu, opset: 22 }), 'opset 22 is newer than the supported 9 to 21');
  });

  it('reports a BatchNormalization parameter of the wrong length with the file and node', () => {
    userError(
      () =>
        importSpec({
          nodes: [node('BatchNormalization', ['x', 's', 'b', 'm', 'v'], ['y'], { epsilon: 1e-3 }, 'bn1')],
          initializers: [floatInit('s', [4], [1, 1, 1, 1]), floatInit('b', [3], [0, 0, 0]), floatInit('m', [4], [0, 0, 0, 0]), floatInit('v', [4], [1, 1, 1, 1])],
          inputs: [valueInfo('x', [1, 4, 2, 2])],
          outputs: [valueInfo('y', [1, 4, 2, 2])],
        }),
      'test.onnx', "'bn1'", 'B has 3 values, expected 4',
    );
  });

  it('detects an NHWC input followed by Transpose to NCHW (tf2onnx style)', () => {
    const g = importSpec({
      nodes: [node('Transpose', ['x'], ['t'], { perm: [0, 3, 1, 2] }), node('Relu', ['t'], ['y'])],
      inputs: [valueInfo('x', [1, 4, 4, 3])],
      outputs: [valueInfo('y', [1, 3, 4, 4])],
    });
    expect(g.meta.inputLayout).toBe('nhwc');
    expect(importSpec(relu).meta.inputLayout).toBe('nchw');
  });
});

describe('files that are not ONNX models', () => {
  it('empty file', () => {
    const path = join(tmp, 'empty.onnx');
    writeFileSync(path, new Uint8Array());
    userError(() => importOnnx(path), `${path}: empty file`);
  });

  it('not protobuf: text and random bytes', () => {
    const text = join(tmp, 'notes.onnx');
    writeFileSync(text, 'This is a text file, not a model.\nSecond line.\n');
    userError(() => importOnnx(text), `${text}: not an ONNX model`);
    const rnd = join(tmp, 'random.onnx');
    writeFileSync(rnd, Uint8Array.from(seededUniform(4096, 7, 0, 256), (v) => Math.floor(v)));
    userError(() => importOnnx(rnd), `${rnd}: not an ONNX model`);
  });

  it('a missing file', () => {
    userError(() => importOnnx(join(tmp, 'nope.onnx')), 'nope.onnx: cannot read (ENOENT)');
  });
});

describe.skipIf(!HAVE_SHARED)('real models in ../shared/models', () => {
  skipMessage('real-model import tests');
  const models = sharedModels();

  it.each(models.map((m) => [m.file, m] as const))('%s imports with the expected input, output and ops', (_file, m) => {
    const g = importOnnx(m.path);
    expect(g.inputs).toEqual(['input']);
    expect(g.values.get('input')).toEqual({ dtype: 'float32', shape: [1, 3, m.resolution, m.resolution] });
    expect(g.outputs).toEqual(['output']);
    expect(g.values.get('output')).toEqual({ dtype: 'float32', shape: [1, m.classes] });
    expect(g.meta).toMatchObject({ opset: 13, producer: 'keras_h5_to_onnx.py', source: m.path, inputLayout: 'nchw' });
    const counts: Record<string, number> = {};
    for (const n of g.nodes) counts[n.op] = (counts[n.op] ?? 0) + 1;
    // From models.json's description of each graph: 27 conv/BN/activation triples, then the head.
    const head = m.file.includes('imagenet')
      ? { Conv: 28, GlobalAveragePool: 1, Flatten: 1, Softmax: 1 }
      : m.file.startsWith('vww')
        ? { Conv: 27, AveragePool: 1, Flatten: 1, Gemm: 1, Softmax: 1 }
        : { Conv: 27, GlobalAveragePool: 1, Flatten: 1, Gemm: 1, Softmax: 1 };
    const act = m.file.startsWith('vww') ? { Relu: 27 } : { Clip: 27 };
    expect(counts).toEqual({ BatchNormalization: 27, ...act, ...head });
    for (const n of g.nodes) {
      expect(n.origin).toEqual([n.name]);
      if (n.op === 'Clip') expect(n).toMatchObject({ inputs: [expect.any(String)], attrs: { min: 0, max: 6 } });
      if (n.op === 'Conv') expect((n.attrs.pads as number[]).length).toBe(4);
    }
    // Clip bound initializers are gone; every constant is read by some node.
    const read = new Set(g.nodes.flatMap((n) => n.inputs));
    for (const name of g.constants.keys()) expect(read.has(name)).toBe(true);
    // Depthwise convs have group = channels and weights (C,1,3,3).
    const dw = g.nodes.filter((n) => n.op === 'Conv' && (n.attrs.group as number) > 1);
    expect(dw.length).toBe(13);
    for (const n of dw) expect(g.constants.get(n.inputs[1])!.shape).toEqual([n.attrs.group, 1, 3, 3]);
  });

  it('truncated copies of a real model are reported as truncated, naming the file', () => {
    const m = models[0];
    const bytes = readFileSync(m.path);
    for (const frac of [0.01, 0.5, 0.999]) {
      const path = join(tmp, `truncated_${frac}.onnx`);
      writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length * frac)));
      userError(() => importOnnx(path), `${path}: truncated or corrupt ONNX file`);
    }
  });
});

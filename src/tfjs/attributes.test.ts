import { describe, expect, it } from 'vitest';
import { UserError } from '../util/errors.js';
import type { TfAttrValue } from './attributes.js';
import { attrBool, attrFloat, attrFloats, attrInt, attrInts, attrShape, attrString, attrStrings, attrTensor, attrType } from './attributes.js';

const W = "model.json: node 'n' (Op)";
type Attrs = Record<string, TfAttrValue>;

function userError(f: () => unknown, ...fragments: string[]): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(UserError);
  const msg = (caught as Error).message;
  expect(msg).not.toContain('\n');
  expect(msg.startsWith(W)).toBe(true);
  for (const s of fragments) expect(msg).toContain(s);
}

describe('AttrValue JSON as the TF.js converter writes it', () => {
  // Taken from the shared fixtures' model.json.
  const conv: Attrs = {
    padding: { s: 'U0FNRQ==' },
    data_format: { s: 'TkhXQw==' },
    fused_ops: { list: { s: ['Qmlhc0FkZA==', 'UmVsdTY='] } },
    strides: { list: { i: ['1', '2', '2', '1'] } },
    explicit_paddings: { list: {} },
    num_args: { i: '1' },
    num_host_args: { i: '0' },
    epsilon: { f: 0.001 },
    use_cudnn_on_gpu: { b: true },
    transpose_a: { b: false },
    T: { type: 'DT_FLOAT' },
    shape: { shape: { dim: [{ size: '-1' }, { size: '96' }, { size: '96' }, { size: '3' }] } },
  };

  it('decodes base64 strings and string lists', () => {
    expect(attrString(conv, 'padding', W)).toBe('SAME');
    expect(attrString(conv, 'data_format', W)).toBe('NHWC');
    expect(attrStrings(conv, 'fused_ops', W)).toEqual(['BiasAdd', 'Relu6']);
    expect(attrString(conv, 'absent', W, 'VALID')).toBe('VALID');
    expect(attrString({ empty: {} }, 'empty', W)).toBe(''); // MessageToDict drops an empty string
  });

  it('reads int64 written as strings (and as numbers), lists of them, empty lists', () => {
    expect(attrInt(conv, 'num_args', W)).toBe(1);
    expect(attrInt(conv, 'num_host_args', W)).toBe(0);
    expect(attrInt({ n: { i: 7 } }, 'n', W)).toBe(7);
    expect(attrInt({ n: { i: '-3' } }, 'n', W)).toBe(-3);
    expect(attrInts(conv, 'strides', W)).toEqual([1, 2, 2, 1]);
    expect(attrInts(conv, 'explicit_paddings', W)).toEqual([]);
    expect(attrInts(conv, 'dilations', W, [1, 1, 1, 1])).toEqual([1, 1, 1, 1]);
  });

  it('rounds floats to float32 as TF stores them (so epsilon equals the ONNX file’s)', () => {
    expect(attrFloat(conv, 'epsilon', W)).toBe(Math.fround(0.001));
    expect(attrFloat(conv, 'epsilon', W)).not.toBe(0.001);
    expect(attrFloats({ l: { list: { f: [0.1, 'NaN', 'Infinity', '-Infinity'] } } }, 'l', W)).toEqual([Math.fround(0.1), NaN, Infinity, -Infinity]);
    expect(attrFloat({ e: { f: '-Infinity' } }, 'e', W)).toBe(-Infinity);
  });

  it('reads booleans, types and shapes (-1 kept for an unknown dim, unknown rank undefined)', () => {
    expect(attrBool(conv, 'use_cudnn_on_gpu', W)).toBe(true);
    expect(attrBool(conv, 'transpose_a', W)).toBe(false);
    expect(attrBool(conv, 'absent', W, true)).toBe(true);
    expect(attrType(conv, 'T', W)).toBe('DT_FLOAT');
    expect(attrShape(conv, 'shape', W)).toEqual([-1, 96, 96, 3]);
    expect(attrShape({ s: { shape: { unknownRank: true } } }, 's', W)).toBeUndefined();
    expect(attrShape({ s: { shape: { dim: [{}, { size: '4' }] } } }, 's', W)).toEqual([0, 4]); // a zero size is omitted
  });

  it('names the attribute when it has the wrong kind or is missing', () => {
    userError(() => attrString(conv, 'strides', W), "attribute 'strides' is not a string");
    userError(() => attrString({ p: { s: 'not base64!' } }, 'p', W), "attribute 'p'", 'not base64');
    userError(() => attrInt(conv, 'padding', W), "attribute 'padding' is not an integer");
    userError(() => attrInt({ n: { i: '1.5' } }, 'n', W), "attribute 'n' '1.5' is not an integer");
    userError(() => attrInt({ n: { i: '99999999999999999999' } }, 'n', W), "attribute 'n'");
    userError(() => attrInts(conv, 'num_args', W), "attribute 'num_args' is not a list");
    userError(() => attrInts({ l: { list: { i: ['1', 'x'] } } }, 'l', W), "attribute 'l'[1] 'x'");
    userError(() => attrFloat({ e: { f: 'big' } }, 'e', W), "attribute 'e' 'big' is not a number");
    userError(() => attrBool(conv, 'strides', W), "attribute 'strides' is not a boolean");
    userError(() => attrInt(conv, 'absent', W), "missing attribute 'absent'");
    userError(() => attrShape({ s: { shape: { dim: [{ size: 'x' }] } } }, 's', W), "attribute 's'.dim[0].size 'x'");
  });
});

describe('Const tensors', () => {
  it('reads dtype and shape of a Const whose data moved to the shards (scalar: tensorShape {})', () => {
    const t = attrTensor({ value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: [{ size: '4' }, { size: '2' }] } } } }, 'value', W);
    expect(t).toEqual({ dtype: 'int32', shape: [4, 2] });
    expect(attrTensor({ value: { tensor: { dtype: 'DT_FLOAT', tensorShape: {} } } }, 'value', W)).toEqual({ dtype: 'float32', shape: [] });
  });

  it('decodes inline data: tensorContent (little-endian base64) and the *Val lists', () => {
    const bytes = Buffer.from(new Float32Array([1.5, -2, 0.25]).buffer).toString('base64');
    const t = attrTensor({ value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '3' }] }, tensorContent: bytes } } }, 'value', W);
    expect(Array.from(t.value!.data as Float32Array)).toEqual([1.5, -2, 0.25]);
    const ints = attrTensor({ value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: [{ size: '2' }] }, intVal: [-1, 1000] } } }, 'value', W);
    expect(Array.from(ints.value!.data as Int32Array)).toEqual([-1, 1000]);
    const i64 = attrTensor({ value: { tensor: { dtype: 'DT_INT64', tensorShape: {}, int64Val: ['-9007199254740991'] } } }, 'value', W);
    expect(Array.from(i64.value!.data as BigInt64Array)).toEqual([-9007199254740991n]);
  });

  it('repeats the last value when a *Val list is shorter than the tensor (TF’s fill rule)', () => {
    const t = attrTensor({ value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '2' }, { size: '2' }] }, floatVal: [3, 0.5] } } }, 'value', W);
    expect(Array.from(t.value!.data as Float32Array)).toEqual([3, 0.5, 0.5, 0.5]);
  });

  it('refuses unknown dtypes, unknown dims and data that does not fit the shape', () => {
    userError(() => attrTensor({ value: { tensor: { dtype: 'DT_STRING', tensorShape: {} } } }, 'value', W), 'DT_STRING is not supported');
    userError(() => attrTensor({ value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '-1' }] } } } }, 'value', W), 'fully known');
    const three = Buffer.from(new Float32Array(3).buffer).toString('base64');
    userError(() => attrTensor({ value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '4' }] }, tensorContent: three } } }, 'value', W), '12 bytes of data for float32 [4] (16 bytes needed)');
    userError(() => attrTensor({ value: { tensor: { dtype: 'DT_FLOAT', tensorShape: {}, floatVal: [1, 2] } } }, 'value', W), 'floatVal has 2 values');
    userError(() => attrTensor({ value: { s: 'eA==' } }, 'value', W), "attribute 'value' is not a tensor");
  });
});

import { describe, expect, it } from 'vitest';
import { UserError } from '../../util/errors.js';
import { DataType } from './proto.js';
import { tensorFromProto, tensorToProto } from './tensor_proto.js';

describe('tensorFromProto', () => {
  it('copies raw_data that sits at an odd byte offset into an aligned array (little-endian)', () => {
    const backing = new Uint8Array(1 + 8);
    // 1.5 = 0x3fc00000, -2 = 0xc0000000, little-endian byte order
    backing.set([0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0], 1);
    const t = tensorFromProto({ dims: [2], dataType: DataType.FLOAT, rawData: backing.subarray(1) }, 't');
    expect(t.data).toBeInstanceOf(Float32Array);
    expect(t.data.byteOffset % 4).toBe(0);
    expect(Array.from(t.data as Float32Array)).toEqual([1.5, -2]);
  });

  it('reads int32/int8/uint8/bool from int32_data and from raw_data', () => {
    const cases = [
      { type: DataType.INT32, values: [-70000, 5], raw: [0x90, 0xee, 0xfe, 0xff, 5, 0, 0, 0], dtype: 'int32' },
      { type: DataType.INT8, values: [-128, 127], raw: [0x80, 0x7f], dtype: 'int8' },
      { type: DataType.UINT8, values: [0, 255], raw: [0, 255], dtype: 'uint8' },
      { type: DataType.BOOL, values: [1, 0], raw: [1, 0], dtype: 'bool' },
    ];
    for (const c of cases) {
      const typed = tensorFromProto({ dims: [2], dataType: c.type, int32Data: c.values }, 't');
      const raw = tensorFromProto({ dims: [2], dataType: c.type, rawData: Uint8Array.from(c.raw) }, 't');
      expect(typed.dtype).toBe(c.dtype);
      expect(Array.from(typed.data as Int32Array)).toEqual(c.values);
      expect(Array.from(raw.data as Int32Array)).toEqual(c.values);
    }
  });

  it('reads int64 beyond 2^53 exactly', () => {
    const raw = new Uint8Array(8);
    new DataView(raw.buffer).setBigInt64(0, -(2n ** 62n) - 3n, true);
    const t = tensorFromProto({ dims: [1], dataType: DataType.INT64, rawData: raw }, 't');
    expect(t.data).toEqual(BigInt64Array.of(-(2n ** 62n) - 3n));
  });

  it('accepts an empty tensor and a scalar', () => {
    expect(tensorFromProto({ dims: [0, 3], dataType: DataType.FLOAT }, 't').data.length).toBe(0);
    const s = tensorFromProto({ dims: [], dataType: DataType.FLOAT, floatData: [4] }, 't');
    expect(s.shape).toEqual([]);
    expect(Array.from(s.data as Float32Array)).toEqual([4]);
  });

  it('rejects negative dims, too little data and a tensor with no data, naming it', () => {
    const expectError = (f: () => unknown, text: string): void => {
      expect(f).toThrow(UserError);
      expect(f).toThrow(text);
    };
    expectError(() => tensorFromProto({ dims: [-1, 2], dataType: DataType.FLOAT }, "init 'w'"), "init 'w': negative dimension -1");
    expectError(() => tensorFromProto({ dims: [3], dataType: DataType.FLOAT, rawData: new Uint8Array(8) }, "init 'w'"), 'need 12 bytes, but raw_data has 8');
    expectError(() => tensorFromProto({ dims: [3], dataType: DataType.FLOAT }, "init 'w'"), 'need 3 values, but float_data has 0');
    expectError(() => tensorFromProto({ dims: [3], dataType: DataType.DOUBLE, rawData: new Uint8Array(24) }, "init 'w'"), 'unsupported data type DOUBLE');
  });
});

describe('tensorToProto', () => {
  it('writes raw_data little-endian and the typed fields, both readable back', () => {
    const t = { dtype: 'float32' as const, shape: [3], data: Float32Array.of(1.5, -2, 0.25) };
    const raw = tensorToProto('a', t);
    expect(Array.from(raw.rawData!.subarray(0, 4))).toEqual([0x00, 0x00, 0xc0, 0x3f]);
    const typed = tensorToProto('a', t, 'typed');
    expect(typed.floatData).toEqual([1.5, -2, 0.25]);
    expect(Array.from(tensorFromProto(typed, 'a').data as Float32Array)).toEqual([1.5, -2, 0.25]);
    const i64 = { dtype: 'int64' as const, shape: [2], data: BigInt64Array.of(-1n, 7n) };
    expect(tensorFromProto(tensorToProto('s', i64, 'typed'), 's').data).toEqual(i64.data);
    expect(tensorFromProto(tensorToProto('s', i64), 's').data).toEqual(i64.data);
  });
});

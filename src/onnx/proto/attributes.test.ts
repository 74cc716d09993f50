import { describe, expect, it } from 'vitest';
import { UserError } from '../../util/errors.js';
import { attrFromProto, attrToProto } from './attributes.js';
import { AttributeType, DataType } from './proto.js';

describe('attributes', () => {
  it('round-trips every kind through AttributeProto', () => {
    const cases: [string, unknown][] = [
      ['group', 8],
      ['epsilon', 0.001],
      ['strides', [2, 2]],
      ['auto_pad', 'SAME_UPPER'],
      ['names', ['a', 'b']],
      ['scales', [0.5, 1]],
      ['ints_empty', []],
    ];
    for (const [name, v] of cases) {
      expect(attrFromProto(attrToProto(name, v as never), 'n')).toEqual(v);
    }
    const t = { dtype: 'float32' as const, shape: [2], data: Float32Array.of(1, 2) };
    expect(attrFromProto(attrToProto('value', t), 'n')).toEqual(t);
  });

  it('writes integral values of float attributes as FLOAT, other integral numbers as INT', () => {
    expect(attrToProto('epsilon', 0).type).toBe(AttributeType.FLOAT);
    expect(attrToProto('min', 0).type).toBe(AttributeType.FLOAT);
    expect(attrToProto('max', 6).type).toBe(AttributeType.FLOAT);
    expect(attrToProto('beta', 1).type).toBe(AttributeType.FLOAT);
    expect(attrToProto('axis', -1).type).toBe(AttributeType.INT);
    expect(attrToProto('unknown_attr', 0.5).type).toBe(AttributeType.FLOAT);
    expect(attrToProto('min', -Infinity)).toMatchObject({ type: AttributeType.FLOAT, f: -Infinity });
  });

  it('reads attributes whose type field old exporters left unset', () => {
    expect(attrFromProto({ name: 'pads', ints: [1, 1, 0, 0] }, 'n')).toEqual([1, 1, 0, 0]);
    expect(attrFromProto({ name: 'alpha', f: 0.2 }, 'n')).toBe(0.2);
    expect(attrFromProto({ name: 'mode', s: new TextEncoder().encode('constant') }, 'n')).toBe('constant');
    expect(attrFromProto({ name: 'value', t: { dims: [1], dataType: DataType.FLOAT, floatData: [3] } }, 'n')).toMatchObject({ dtype: 'float32', shape: [1] });
  });

  it('refuses graph attributes with a message naming the node and attribute', () => {
    const f = () => attrFromProto({ name: 'then_branch', type: AttributeType.GRAPH, g: {} }, "m.onnx: node 'if1' (If)");
    expect(f).toThrow(UserError);
    expect(f).toThrow("m.onnx: node 'if1' (If) attribute 'then_branch': unsupported attribute type GRAPH");
  });
});

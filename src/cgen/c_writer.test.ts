import { describe, expect, it } from 'vitest';
import { cArrayBody, cComment, cIdent, cInt, uniqueIdents } from './c_writer.js';

describe('C writer helpers', () => {
  it('turns layer names into safe, unique identifiers', () => {
    expect(cIdent('conv_pw_1/BatchNorm:0')).toBe('conv_pw_1_BatchNorm_0');
    expect(cIdent('1x1')).toBe('l_1x1');
    expect(cIdent('int')).toBe('l_int');
    expect(cIdent('model_flash')).toBe('l_model_flash'); // would collide with model_flash_weights
    // 'onnx2mcu' marks the runtime's symbols (renamed to the model's prefix on emit): never in a layer identifier
    expect(cIdent('onnx2mcu_conv')).toBe('onnx_2mcu_conv');
    expect(cIdent('my_onnx2mcu_x')).toBe('my_onnx_2mcu_x');
    // with another prefix, that prefix's namespace is the reserved one
    expect(cIdent('vww_conv', 'vww')).toBe('l_vww_conv');
    expect(cIdent('vww', 'vww')).toBe('l_vww');
    expect(cIdent('model_flash', 'vww')).toBe('model_flash');
    expect(cIdent('...')).toBe('l_');
    expect(uniqueIdents(['a.b', 'a/b', 'a_b'])).toEqual(['a_b', 'a_b_2', 'a_b_3']);
    const long = uniqueIdents(['x'.repeat(80), 'x'.repeat(81)]);
    expect(long.every((s) => s.length <= 36)).toBe(true);
    expect(long[0]).not.toBe(long[1]);
  });
  it('writes int32 literals (INT32_MIN as an expression) and rejects others', () => {
    expect(cInt(-2147483648)).toBe('(-2147483647 - 1)');
    expect(cInt(2147483647)).toBe('2147483647');
    expect(() => cInt(2147483648)).toThrow(/not an int32/);
    expect(() => cInt(1.5)).toThrow(/not an int32/);
    expect(cArrayBody([1, -2, 3], 2)).toBe('    1, -2,\n    3');
    expect(cComment('a */ b é')).toBe('a * / b ?');
  });
});

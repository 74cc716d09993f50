import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { availableCompilers, compileC } from '../verify/compile.js';
import { cArrayBody, cComment, cIdent, cInt, cString, uniqueIdents } from './c_writer.js';

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
  });
  it('breaks every sequence that acts inside a comment: */, /*, ?? (trigraphs), backslashes, non-ASCII', () => {
    expect(cComment('a */ b é')).toBe('a * / b ?');
    expect(cComment('x/*y')).toBe('x/ *y');
    expect(cComment('*/*')).toBe(' * / * ');
    expect(cComment('a??/b')).toBe('a? ?/b');
    expect(cComment('/x*')).toBe(' /x* ');
    expect(cComment('=???=')).toBe('=? ? ?=');
    expect(cComment('end\\')).toBe('end?');
    expect(cComment('two\nlines')).toBe('two?lines');
    expect(cString('say "hi" ??= \\')).toBe('"say \\"hi\\" \\?\\?= \\\\"');
  });
});

// Names biased towards the characters that matter in C comments and strings.
const hostileName = fc.string({
  unit: fc.oneof(fc.constantFrom('*', '/', '?', '\\', '"', "'", '=', '(', ')', '<', '>', '!', '-', '\n', '\r', '\t', '\0', 'é', '\u202e', ' ', 'a'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
  maxLength: 24,
});

describe.skipIf(availableCompilers().length === 0)('C writer output compiles under the strict flags, whatever the names', () => {
  it('random names in block comments, at line ends and in string literals: compiles with -Werror and the strings survive', () => {
    const names = fc.sample(hostileName, { seed: 14, numRuns: 400 });
    const printable = (s: string) => s.replace(/[^\x20-\x7e]/g, '?');
    const lines = ['#include <stdio.h>', '#include <string.h>', ''];
    names.forEach((n, i) => {
      lines.push(`/* ${cComment(n)} */`, '/*', ` * ${cComment(n)}`, ` * ${cComment(n)}*`, ' */');
      lines.push(`static const char *const s${i} = ${cString(n)};`);
    });
    lines.push('int main(void)', '{');
    names.forEach((n, i) => lines.push(`    puts(s${i});`));
    lines.push('    return 0;', '}', '');
    const dir = mkdtempSync(join(tmpdir(), 'onnx2mcu-cwriter-'));
    try {
      writeFileSync(join(dir, 'names.c'), lines.join('\n'));
      const exe = compileC({ compiler: availableCompilers()[0], sources: [join(dir, 'names.c')], out: join(dir, 'names'), optimize: '-O0' });
      // -Wall enables -Wtrigraphs and -Wcomment: a surviving '??/', '/*' or '*/' fails the build above.
      const out = execFileSync(exe, { encoding: 'latin1' }).split('\n').slice(0, -1);
      expect(out).toEqual(names.map(printable));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

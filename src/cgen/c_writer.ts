/** Small helpers for writing C source text: identifiers, literals and constant arrays. */

const C_KEYWORDS = new Set(
  'auto break case char const continue default do double else enum extern float for goto if inline int long register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while main'.split(' '),
);

/**
 * A C identifier from a layer name: [A-Za-z0-9_] only, not starting with a digit, not a keyword,
 * and not in the generated code's namespace `<prefix>_` (nor the runtime's 'onnx2mcu_').
 */
export function cIdent(name: string, prefix = 'model'): string {
  // 'onnx2mcu' marks the runtime's symbols, which the emitter renames to the model's prefix.
  let s = name.replace(/onnx2mcu/gi, 'onnx_2mcu').replace(/[^A-Za-z0-9_]/g, '_').replace(/_+/g, '_').replace(/^_+|_+$/g, '');
  const reserved = s.toLowerCase().startsWith(`${prefix.toLowerCase()}_`) || /^onnx2mcu_/i.test(s);
  if (s === '' || /^[0-9]/.test(s) || C_KEYWORDS.has(s) || s.toLowerCase() === prefix.toLowerCase() || reserved) s = `l_${s}`;
  return s;
}

/** A valid --prefix: a lower-case C identifier of at most 24 characters (its upper-case form names the macros). */
export function checkPrefix(prefix: string): string | undefined {
  if (!/^[a-z][a-z0-9_]{0,23}$/.test(prefix)) return `'${prefix}' must be a lower-case C identifier: a letter, then letters, digits or _, at most 24 characters`;
  if (C_KEYWORDS.has(prefix)) return `'${prefix}' is a C keyword`;
  if (prefix === 'onnx2mcu') return "'onnx2mcu' is the runtime's own namespace";
  return undefined;
}

/** Unique C identifiers for a list of names (suffix _2, _3 … on collisions), at most maxLength characters. */
export function uniqueIdents(names: readonly string[], prefix = 'model', maxLength = 36): string[] {
  const used = new Set<string>();
  return names.map((n) => {
    const base = cIdent(n, prefix).slice(0, maxLength - 4);
    let id = base;
    for (let k = 2; used.has(id); k++) id = `${base}_${k}`;
    used.add(id);
    return id;
  });
}

/** An int32 literal (INT32_MIN cannot be written as a single literal in C). */
export function cInt(v: number): string {
  if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647) throw new Error(`not an int32: ${v}`);
  return v === -2147483648 ? '(-2147483647 - 1)' : String(v);
}

/** Array body: values comma-separated, `perLine` to a line, indented by four spaces. */
export function cArrayBody(values: ArrayLike<number>, perLine: number): string {
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += perLine) {
    const chunk: string[] = [];
    for (let j = i; j < Math.min(values.length, i + perLine); j++) chunk.push(cInt(values[j]));
    lines.push(`    ${chunk.join(', ')}${i + perLine < values.length ? ',' : ''}`);
  }
  return lines.join('\n');
}

/**
 * A C string literal (quotes and backslashes escaped, anything but printable ASCII shown as '?').
 * A '?' is written '\?': C99 reads '??=', '??/' … as trigraphs (-std=c99 enables them), and
 * '??/' would turn the closing quote into an escape.
 */
export function cString(s: string): string {
  return `"${s.replace(/[^\x20-\x7e]/g, '?').replace(/[\\"?]/g, (c) => `\\${c}`)}"`;
}

/**
 * Text safe inside a C block comment, whatever a name holds. Printable ASCII only (anything else,
 * and the backslash, shown as '?'), and none of the sequences that act inside a comment: '*' '/'
 * ends it, '/' '*' is an error under -Wall -Werror (-Wcomment), and '??' may start a trigraph
 * ('??/' is a backslash, which before a line end splices the next line in). Each is broken
 * with a space, so what a name says stays readable; a '*' or '/' at either end gets a space
 * too, since the text around it (the comment's own '*' or '/') could complete one.
 */
export function cComment(s: string): string {
  return s
    .replace(/[^\x20-\x7e]|\\/g, '?')
    .replace(/\*(?=\/)|\/(?=\*)|\?(?=\?)/g, (c) => `${c} `)
    .replace(/^[*/]/, (c) => ` ${c}`)
    .replace(/[*/]$/, (c) => `${c} `);
}

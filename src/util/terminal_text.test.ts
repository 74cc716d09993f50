/** terminalSafe: no control character reaches the terminal, and a JSON line keeps its meaning. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { terminalSafe, terminalSafeLine } from './terminal_text.js';

/** Characters a terminal acts on (what terminalSafe must never let through). */
const ACTIVE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/;

describe('terminalSafe', () => {
  it('escapes an erase-line-and-recolour attack, C1 CSI, DEL and bidi overrides; keeps text, tabs and newlines', () => {
    const attack = "node '\x1b[2K\r\x1b[32mALL GOOD\x1b[0m' (Conv)";
    expect(terminalSafe(attack)).toBe("node '\\u001b[2K\\u000d\\u001b[32mALL GOOD\\u001b[0m' (Conv)");
    expect(terminalSafe('a\u009b31mb\u007fc\u202eevil')).toBe('a\\u009b31mb\\u007fc\\u202eevil');
    expect(terminalSafe('résumé\tconv_1 → 2\n')).toBe('résumé\tconv_1 → 2\n');
    expect(terminalSafeLine('two\nlines\there')).toBe('two\\u000alines\\u0009here');
  });

  it('leaves no active character, is idempotent, and a JSON text still parses to the same value', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const safe = terminalSafe(s);
        expect(ACTIVE.test(safe)).toBe(false);
        expect(terminalSafe(safe)).toBe(safe);
        expect(JSON.parse(terminalSafe(JSON.stringify({ name: s })))).toEqual({ name: s });
        expect(/[\n\t]/.test(terminalSafeLine(s))).toBe(false);
      }),
      { seed: 14, numRuns: 500 },
    );
  });
});

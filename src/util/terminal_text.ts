/**
 * The one place that makes text safe for a terminal. Everything the CLI prints passes through
 * here (src/cli/app.ts wraps its output streams), because messages quote what the user's files
 * contain — node and tensor names, CSV fields, paths — and those may carry control characters: an
 * escape sequence in a node name could erase the real error line and print anything in its place.
 *
 * Control characters are written as JSON-style escapes (`\u001b`), so a JSON line stays valid JSON
 * with the same meaning (JSON.stringify already escapes C0 controls, but not DEL, the C1 controls
 * or the bidirectional overrides, which terminals also act on), and a text line shows what was there.
 */

/**
 * C0 controls but tab and newline, DEL, C1 controls (U+0080–U+009F, e.g. U+009B, a one-character
 * CSI), the bidirectional embeddings, overrides and isolates (which reorder what the reader sees),
 * and the line/paragraph separators.
 */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

const escape = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** `text` with every terminal control character escaped; tabs and newlines are kept. */
export function terminalSafe(text: string): string {
  return text.replace(UNSAFE, escape);
}

/** One line of terminal-safe text: newlines and tabs escaped too (for a message quoting a name). */
export function terminalSafeLine(text: string): string {
  return terminalSafe(text).replace(/[\n\t]/g, escape);
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import { Progress } from './progress.js';

/** Captures what Progress writes to stderr, with stderr made to look like a terminal or not. */
function capture(isTTY: boolean, f: () => void): string[] {
  const writes: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    writes.push(String(chunk));
    return true;
  });
  const tty = Object.getOwnPropertyDescriptor(process.stderr, 'isTTY');
  const vitestEnv = process.env.VITEST;
  Object.defineProperty(process.stderr, 'isTTY', { value: isTTY, configurable: true });
  delete process.env.VITEST; // 'auto' is silenced under vitest; this test checks what users see
  try {
    f();
  } finally {
    spy.mockRestore();
    if (tty) Object.defineProperty(process.stderr, 'isTTY', tty);
    else delete (process.stderr as { isTTY?: boolean }).isTTY;
    if (vitestEnv !== undefined) process.env.VITEST = vitestEnv;
  }
  return writes;
}

const run = (n: number, mode: 'auto' | 'none') => () => {
  const p = new Progress('calibrating', n, mode);
  for (let i = 0; i < n; i++) p.tick();
  p.done();
};

describe('Progress (stderr)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('on a terminal: one bar redrawn in place (carriage returns), ending with a newline', () => {
    const w = capture(true, run(20, 'auto'));
    expect(w).toHaveLength(21);
    expect(w.slice(0, 20).every((s) => s.startsWith('\rcalibrating [') && !s.includes('\n'))).toBe(true);
    expect(w[9]).toMatch(/^\rcalibrating \[#{15}\.{15}\] 10\/20 \d+\.\ds$/);
    expect(w[19]).toMatch(/\[#{30}\] 20\/20 /);
    expect(w[20]).toBe('\n');
  });

  it('not a terminal: plain lines, at the first item and then one per tenth, no carriage returns', () => {
    const w = capture(false, run(100, 'auto'));
    expect(w).toHaveLength(11);
    expect(w.every((s) => /^calibrating: \d+\/100 \(\d+\.\ds\)\n$/.test(s))).toBe(true);
    expect(w.map((s) => Number(/: (\d+)\//.exec(s)![1]))).toEqual([1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
  });

  it("'none' writes nothing", () => {
    expect(capture(true, run(20, 'none'))).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { formatRate, formatSeconds, Progress, resolveProgressMode, type ProgressStream } from './progress.js';

/** A stream that records what is written, looking like a terminal or not. */
function recorder(isTTY: boolean): ProgressStream & { writes: string[] } {
  const writes: string[] = [];
  return {
    writes,
    isTTY,
    columns: 120,
    write(text: string) {
      writes.push(text);
      return true;
    },
    // cli-progress moves the cursor through readline on a TTY stream; these are what readline calls.
    ...(isTTY ? { cursorTo: () => true, clearLine: () => true, moveCursor: () => true, on: () => undefined, removeListener: () => undefined } : {}),
  } as ProgressStream & { writes: string[] };
}

const run = (n: number, mode: 'bar' | 'lines' | 'none', stream: ProgressStream, unit = 'images') => {
  const p = new Progress('calibrating', n, mode, { stream, unit });
  for (let i = 0; i < n; i++) p.tick();
  p.done();
};

describe('Progress', () => {
  it('not a terminal: a plain line at the first item and at each tenth, with rate and ETA, no carriage returns', () => {
    const s = recorder(false);
    run(100, 'lines', s);
    expect(s.writes).toHaveLength(11);
    expect(s.writes.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);
    expect(s.writes.map((w) => Number(/: (\d+)\//.exec(w)![1]))).toEqual([1, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(s.writes[0]).toMatch(/^calibrating: 1\/100 \(1%\), [\d.e+]+ images\/s, [\d.]+s, ETA \S+\n$/);
    // The last line has no ETA left to give.
    expect(s.writes[10]).toMatch(/^calibrating: 100\/100 \(100%\), [\d.e+]+ images\/s, [\d.]+s\n$/);
  });

  it('lines: done() writes the final figures when the work stopped short', () => {
    const s = recorder(false);
    const p = new Progress('verify', 40, 'lines', { stream: s });
    for (let i = 0; i < 3; i++) p.tick();
    p.done();
    p.done(); // once only
    expect(s.writes.at(-1)).toMatch(/^verify: 3\/40 \(7%\)/);
    expect(s.writes).toHaveLength(2);
  });

  it('on a terminal: a cli-progress bar with rate and ETA, redrawn in place', () => {
    const s = recorder(true);
    run(20, 'bar', s);
    const text = s.writes.join('');
    expect(text).toMatch(/calibrating \[#{30}\] 20\/20 \| [\d.]+ images\/s \| ETA \S+ \| \S+/);
    expect(text).toMatch(/calibrating \[[#.]{30}\] 0\/20/);
    expect(text.trimEnd().split('\n')).toHaveLength(1);
  });

  it("'none' writes nothing, and 'auto' is silent under vitest", () => {
    const s = recorder(true);
    run(20, 'none', s);
    expect(s.writes).toEqual([]);
    expect(resolveProgressMode('auto', s)).toBe('none');
  });

  it('formats durations and rates', () => {
    expect(formatSeconds(3.25)).toBe('3.3s');
    expect(formatSeconds(42.4)).toBe('42s');
    expect(formatSeconds(185)).toBe('3m05s');
    expect(formatSeconds(3720)).toBe('1h02m');
    expect(formatSeconds(Infinity)).toBe('?');
    expect(formatRate(250.4)).toBe('250');
    expect(formatRate(8.26)).toBe('8.3');
    expect(formatRate(0.0512)).toBe('0.051');
  });
});

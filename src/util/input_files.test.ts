/**
 * The one place that reads input files: regular files only (a FIFO never blocks), nothing under
 * /proc, a size limit checked before allocating, and the one policy for paths named inside a file.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from './errors.js';
import { checkImagePixels, checkTensorElements, INPUT_LIMITS, readInputFile, resolveInside } from './input_files.js';

const tmp = mkdtempSync(join(tmpdir(), 'onnx2mcu-input-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The UserError `f` throws: one line, containing every fragment. */
function userError(f: () => unknown, ...fragments: string[]): string {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(UserError);
  const msg = (caught as Error).message;
  expect(msg).not.toContain('\n');
  for (const s of fragments) expect(msg).toContain(s);
  return msg;
}

describe('readInputFile', () => {
  it('reads a regular file, or a range of it after checking the file holds it', () => {
    const p = join(tmp, 'ten.bin');
    writeFileSync(p, Uint8Array.from({ length: 10 }, (_, i) => i));
    expect([...readInputFile(p, 'model')]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect([...readInputFile(p, 'model', { offset: 4, length: 3 })]).toEqual([4, 5, 6]);
    userError(() => readInputFile(p, 'model', { offset: 8, length: 3, where: "initializer 'w': external data 'ten.bin'" }), "initializer 'w': external data 'ten.bin' has 10 bytes", 'offset 8 + 3');
  });

  it('refuses a FIFO at once (no blocking), a folder, a missing file and anything under /proc', () => {
    const fifo = join(tmp, 'fifo.onnx');
    execFileSync('mkfifo', [fifo]);
    userError(() => readInputFile(fifo, 'model'), fifo, 'is not a regular file (a FIFO)');
    userError(() => readInputFile(tmp, 'image'), 'is not a regular file (a directory)');
    userError(() => readInputFile(join(tmp, 'nope.png'), 'image'), 'nope.png: cannot read (ENOENT)');
    userError(() => readInputFile('/proc/self/status', 'csv'), 'refusing to read /proc/');
    // A symlink does not get around it.
    symlinkSync('/proc/self/environ', join(tmp, 'env.csv'));
    userError(() => readInputFile(join(tmp, 'env.csv'), 'csv'), 'refusing to read /proc/');
  });

  it('refuses a file over its kind\'s limit before reading it (a sparse file: nothing is allocated)', () => {
    const p = join(tmp, 'huge.csv');
    writeFileSync(p, '');
    truncateSync(p, INPUT_LIMITS.csvBytes + 1);
    userError(() => readInputFile(p, 'csv'), `is ${INPUT_LIMITS.csvBytes + 1} bytes, more than the 64 MiB a csv file may have`);
  });
});

describe('resolveInside (paths named inside a file)', () => {
  const dir = join(tmp, 'model');
  mkdirSync(join(dir, 'sub'), { recursive: true });
  writeFileSync(join(dir, 'sub', 'w.bin'), 'x');
  writeFileSync(join(tmp, 'secret.bin'), 'x');
  symlinkSync(join(tmp, 'secret.bin'), join(dir, 'link.bin'));
  symlinkSync(tmp, join(dir, 'out'));

  it('accepts a path inside the folder and refuses absolute, .. and symlinks leading out', () => {
    expect(resolveInside(dir, 'sub/w.bin', 'x')).toMatch(/sub\/w\.bin$/);
    userError(() => resolveInside(dir, '/etc/passwd', 'data'), "data '/etc/passwd' is absolute");
    userError(() => resolveInside(dir, '../secret.bin', 'data'), "data '../secret.bin' is outside the model's folder");
    userError(() => resolveInside(dir, 'link.bin', 'data'), "data 'link.bin' leads outside the model's folder");
    userError(() => resolveInside(dir, 'sub/nope.bin', 'data'), "data 'sub/nope.bin': cannot read (ENOENT)");
  });

  it('with mustExist false a missing file passes, but not one whose existing folder leads out', () => {
    expect(resolveInside(dir, 'sub/later.png', 'csv:2: image', "the CSV's folder", false)).toMatch(/sub\/later\.png$/);
    userError(() => resolveInside(dir, 'out/later.png', 'csv:2: image', "the CSV's folder", false), "'out/later.png' leads outside the CSV's folder");
  });
});

describe('size limits', () => {
  it('tensor elements and image pixels', () => {
    expect(() => checkTensorElements(2 ** 26, 't')).not.toThrow();
    userError(() => checkTensorElements(2 ** 26 + 1, "tensor 'y'"), "tensor 'y'", 'more than the 67108864');
    expect(() => checkImagePixels(8192, 8192, 'a.png')).not.toThrow();
    userError(() => checkImagePixels(16000, 16000, 'a.png'), 'a.png: 16000×16000 pixels');
  });
});

import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeDirAtomic, writeFileAtomic } from './atomic_write.js';

const tmp = mkdtempSync(join(tmpdir(), 'onnx2mcu-atomic-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('creates parent folders, replaces the file, leaves no temporary file', () => {
    const p = join(tmp, 'a', 'b', 'f.txt');
    writeFileAtomic(p, 'one');
    writeFileAtomic(p, new Uint8Array([116, 119, 111]));
    expect(readFileSync(p, 'utf8')).toBe('two');
    expect(readdirSync(join(tmp, 'a', 'b'))).toEqual(['f.txt']);
  });
});

describe('writeDirAtomic', () => {
  it('replaces the folder on success and leaves the old one untouched on error', async () => {
    const d = join(tmp, 'out', 'model');
    await writeDirAtomic(d, (t) => writeFileSync(join(t, 'x.c'), 'v1'));
    expect(readFileSync(join(d, 'x.c'), 'utf8')).toBe('v1');
    await expect(writeDirAtomic(d, (t) => {
      writeFileSync(join(t, 'x.c'), 'half');
      throw new Error('emit failed');
    })).rejects.toThrow('emit failed');
    expect(readFileSync(join(d, 'x.c'), 'utf8')).toBe('v1');
    expect(readdirSync(join(tmp, 'out'))).toEqual(['model']);
    await writeDirAtomic(d, (t) => writeFileSync(join(t, 'y.c'), 'v2'));
    expect(existsSync(join(d, 'x.c'))).toBe(false);
    expect(readFileSync(join(d, 'y.c'), 'utf8')).toBe('v2');
  });
});

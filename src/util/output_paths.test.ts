/**
 * The output-path policy: never replace what we did not write (unless --force), never an input of
 * the command, the working directory or the root (even with --force), nothing under /proc, /sys,
 * /dev. Also through the CLI: `convert --out <the model file>` and friends leave every file as it was.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/app.js';
import { checkOutputDir, checkOutputFile, checkOutputFolder } from './output_paths.js';
import { UserError } from './errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'onnx2mcu-out-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const models = join(tmp, 'models');
mkdirSync(models);
const model = join(models, 'm.onnx');
writeFileSync(model, 'model bytes');
const calib = join(tmp, 'calib');
mkdirSync(calib);
writeFileSync(join(calib, 'a.png'), 'png');
const c = { option: '--out', inputs: [model, calib] };

describe('checkOutputDir (convert --out)', () => {
  it('accepts a new folder, an empty one and one onnx2mcu wrote', () => {
    expect(() => checkOutputDir(join(tmp, 'new', 'deeper'), c)).not.toThrow();
    mkdirSync(join(tmp, 'empty'));
    expect(() => checkOutputDir(join(tmp, 'empty'), c)).not.toThrow();
    mkdirSync(join(tmp, 'ours'));
    writeFileSync(join(tmp, 'ours', 'manifest.json'), JSON.stringify({ generator: 'onnx2mcu 0.1.0' }));
    writeFileSync(join(tmp, 'ours', 'model.c'), '');
    expect(() => checkOutputDir(join(tmp, 'ours'), c)).not.toThrow();
  });

  it('refuses a folder it did not write unless --force, and a file always', () => {
    mkdirSync(join(tmp, 'theirs'));
    writeFileSync(join(tmp, 'theirs', 'notes.txt'), 'keep me');
    expect(() => checkOutputDir(join(tmp, 'theirs'), c)).toThrow(/--out .*theirs: the folder exists and was not written by onnx2mcu .*--force/);
    expect(() => checkOutputDir(join(tmp, 'theirs'), { ...c, force: true })).not.toThrow();
    // a manifest.json of someone else's is not ours
    writeFileSync(join(tmp, 'theirs', 'manifest.json'), '{"name": "x"}');
    expect(() => checkOutputDir(join(tmp, 'theirs'), c)).toThrow(UserError);
    const file = join(tmp, 'a_file.txt');
    writeFileSync(file, 'x');
    expect(() => checkOutputDir(file, { ...c, force: true })).toThrow(/exists and is not a folder/);
  });

  it('never an input, a folder holding one, the working directory, the root or /proc — even with --force', () => {
    for (const p of [model, models, calib, tmp, '/', process.cwd(), join(process.cwd(), '..')]) {
      expect(() => checkOutputDir(p, { ...c, force: true }), p).toThrow(UserError);
    }
    expect(() => checkOutputDir(model, c)).toThrow(/refusing to replace .*m\.onnx, an input of this command/);
    expect(() => checkOutputDir('/proc/self/x', { ...c, force: true })).toThrow(/refusing to write under \/proc/);
    expect(() => checkOutputDir('', c)).toThrow(/an empty path/);
    // through a symbolic link to the model's folder
    symlinkSync(models, join(tmp, 'link'));
    expect(() => checkOutputDir(join(tmp, 'link'), { ...c, force: true })).toThrow(/an input of this command/);
  });
});

describe('checkOutputFile / checkOutputFolder', () => {
  it('replaces a file of its own kind, refuses another kind without --force, and never a folder', () => {
    const onnx = join(tmp, 'g.onnx');
    writeFileSync(onnx, 'x');
    expect(() => checkOutputFile(onnx, { option: '--out', extensions: ['.onnx'] })).not.toThrow();
    const txt = join(tmp, 'g.txt');
    writeFileSync(txt, 'x');
    expect(() => checkOutputFile(txt, { option: '--out', extensions: ['.onnx'] })).toThrow(/not a \.onnx file; refusing/);
    expect(() => checkOutputFile(txt, { option: '--out', extensions: ['.onnx'], force: true })).not.toThrow();
    expect(() => checkOutputFile(tmp, { option: '--out', extensions: ['.onnx'], force: true })).toThrow(UserError);
    expect(() => checkOutputFile(model, { option: '--out', extensions: ['.onnx'], inputs: [model], force: true })).toThrow(/an input of this command/);
  });

  it('--dump-dir: a folder (existing or not), never a file or a pseudo-filesystem', () => {
    expect(() => checkOutputFolder(join(tmp, 'dumps'), { option: '--dump-dir' })).not.toThrow();
    expect(() => checkOutputFolder(join(tmp, 'g.onnx'), { option: '--dump-dir' })).toThrow(/not a folder/);
    expect(() => checkOutputFolder('/proc/1', { option: '--dump-dir' })).toThrow(/\/proc/);
  });
});

describe('through the CLI: nothing of the user is lost', () => {
  const run = async (...args: string[]) => {
    let out = '';
    let err = '';
    const code = await runCli(args, { out: (t) => { out += t; }, err: (t) => { err += t; } });
    return { code, out, err };
  };

  it('convert --out naming the model file, its folder or the calibration folder exits 1 and changes nothing', async () => {
    for (const out of [model, models, calib]) {
      const r = await run('convert', model, '--calib', calib, '--out', out);
      expect(r.code, r.err).toBe(1);
      expect(r.err.trim().split('\n')).toHaveLength(1);
      expect(r.err).toMatch(/^onnx2mcu: --out .*refusing/);
    }
    expect(readFileSync(model, 'utf8')).toBe('model bytes');
    expect(readFileSync(join(calib, 'a.png'), 'utf8')).toBe('png');
  });

  it('convert --out with no value is a usage error (exit 2) before any work', async () => {
    const r = await run('convert', model, '--calib', calib, '--out');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^onnx2mcu: .*out/);
  });

  it('pixels and generate refuse to overwrite a file of another kind', async () => {
    const notes = join(tmp, 'notes.md');
    writeFileSync(notes, 'my notes');
    const g = await run('generate', '--width', '0.25', '--resolution', '32', '--out', notes);
    expect(g.code).toBe(1);
    expect(g.err).toMatch(/notes\.md: exists and is not a \.onnx file/);
    expect(readFileSync(notes, 'utf8')).toBe('my notes');
  });
});

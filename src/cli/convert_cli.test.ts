/**
 * `convert --input-layout nchw` and `verify --json` through the real command line (`node
 * bin/onnx2mcu.js` in a child process, so stdout is the process's own; the steps around them call
 * runCli in this process, as bin/onnx2mcu.js does): a small generated MobileNet is converted with
 * an NCHW input buffer, the manifest and model.h say so, and `verify --json` (gcc and clang, the
 * reference rebuilt from the artifacts) finds no mismatch on the calibration images and on random
 * inputs (verify feeds the random int8 inputs in the manifest's layout, so a runner that ignored
 * the flag would mismatch). The same model
 * converted with the default layout has an NHWC manifest, no transpose step and the same weights.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { availableCompilers } from '../verify/compile.js';
import { cliChild, cliInProcess as cliInProcessIn } from './cli_testing.js';

const tmp = mkdtempSync(join(tmpdir(), 'onnx2mcu-convert-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const compilers = availableCompilers();
if (compilers.length === 0) console.warn('[skip] convert --input-layout nchw CLI test: neither gcc nor clang on PATH');

const cli = (...args: string[]) => cliChild(tmp, ...args);
const cliInProcess = (...args: string[]) => cliInProcessIn(tmp, ...args);

describe.skipIf(compilers.length === 0)('onnx2mcu convert --input-layout nchw (CLI)', () => {
  it('writes an NCHW runner that verify passes byte for byte', async () => {
    const model = join(tmp, 'm.onnx');
    const calib = join(tmp, 'calib');
    const gen = await cliInProcess('generate', '--width', '0.25', '--resolution', '48', '--classes', '3', '--seed', '5', '--out', model, '--calib-out', calib, '--calib-count', '3');
    expect(gen.code, gen.stderr).toBe(0);

    const out = join(tmp, 'out_nchw');
    const conv = await cli('convert', model, '--calib', calib, '--out', out, '--input-layout', 'nchw', '--json');
    expect(conv.code, conv.stderr).toBe(0);
    const summary = JSON.parse(conv.stdout) as { out: string; arenaBytes: number };
    expect(summary.out).toBe(out);

    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.input.layout).toBe('nchw');
    expect(manifest.input.shape_nchw).toEqual([1, 3, 48, 48]);
    expect(manifest.input.c_shape).toEqual([3, 48, 48]);
    const modelH = readFileSync(join(out, 'model.h'), 'utf8');
    expect(modelH).toContain('#define MODEL_INPUT_LAYOUT_NHWC 0');
    expect(modelH).toContain('NCHW (C x H x W = 3x48x48)');
    // the runner transposes the NCHW input (in the arena, as every input now) to channels-last before the first layer
    expect(readFileSync(join(out, 'model.c'), 'utf8')).toMatch(/model_nchw_to_nhwc_s8\(&input_dims, arena \+ \d+, arena \+ \d+\);/);

    const ver = await cli('verify', out, '--images', calib, '--random', '20', '--json');
    expect(ver.code, ver.stderr).toBe(0);
    const v = JSON.parse(ver.stdout) as { images: number; random: number; mismatches: number; compilers: string[] };
    expect(v).toEqual({ images: 3, random: 20, mismatches: 0, compilers });

    // the default layout differs where it should: same model, NHWC manifest and no transpose step
    const outNhwc = join(tmp, 'out_nhwc');
    const conv2 = await cliInProcess('convert', model, '--calib', calib, '--out', outNhwc, '--json');
    expect(conv2.code, conv2.stderr).toBe(0);
    const m2 = JSON.parse(readFileSync(join(outNhwc, 'manifest.json'), 'utf8'));
    expect(m2.input.layout).toBe('nhwc');
    expect(m2.input.c_shape).toEqual([48, 48, 3]);
    expect(readFileSync(join(outNhwc, 'model.c'), 'utf8')).not.toContain('model_nchw_to_nhwc_s8');
    // the weights do not depend on the input layout
    expect(m2.files['weights.bin'].sha256).toBe(manifest.files['weights.bin'].sha256);
  }, 180_000);
});

describe('onnx2mcu convert --threads (CLI)', () => {
  it('gives the same artifacts with the bias correction on 1 or 2 worker threads; rejects --threads 0', async () => {
    const model = join(tmp, 't.onnx');
    const calib = join(tmp, 'calib_t');
    const gen = await cliInProcess('generate', '--width', '0.25', '--resolution', '32', '--classes', '3', '--seed', '8', '--out', model, '--calib-out', calib, '--calib-count', '16');
    expect(gen.code, gen.stderr).toBe(0);
    const sha = async (threads: string) => {
      const out = join(tmp, `out_threads_${threads}`);
      const r = await cliInProcess('convert', model, '--calib', calib, '--out', out, '--threads', threads, '--json');
      expect(r.code, r.stderr).toBe(0);
      const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      return [m.files['weights.bin'].sha256, m.files['model.c'].sha256];
    };
    expect(await sha('2')).toEqual(await sha('1'));
    const bad = await cliInProcess('convert', model, '--calib', calib, '--out', join(tmp, 'out_bad'), '--threads', '0');
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('onnx2mcu: --threads 0: must be a positive integer (see onnx2mcu --help)');
    expect(existsSync(join(tmp, 'out_bad'))).toBe(false);
  }, 180_000);
});

describe('onnx2mcu convert --ram-limit (CLI)', () => {
  it('fits the arena by streaming the first layers, refuses a limit no plan meets in one line with nothing written, and a non-positive one as usage', async () => {
    const model = join(tmp, 'r.onnx');
    const calib = join(tmp, 'calib_r');
    const gen = await cliInProcess('generate', '--width', '0.25', '--resolution', '32', '--classes', '3', '--seed', '4', '--out', model, '--calib-out', calib, '--calib-count', '3');
    expect(gen.code, gen.stderr).toBe(0);
    const convert = (out: string, ...extra: string[]) => cliInProcess('convert', model, '--calib', calib, '--out', join(tmp, out), '--scale', 'x/255', '--json', ...extra);
    const whole = await convert('out_whole');
    expect(whole.code, whole.stderr).toBe(0);
    const wholeBytes = (JSON.parse(whole.stdout) as { arenaBytes: number }).arenaBytes;

    const same = await convert('out_same', '--ram-limit', String(wholeBytes));
    expect(same.code, same.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(tmp, 'out_same', 'manifest.json'), 'utf8')).arena.stream).toBeUndefined(); // it fits whole: nothing streamed

    const limit = wholeBytes - 1; // whole tensors do not fit: the fewest streamed layers that do
    const small = await convert('out_small', '--ram-limit', String(limit));
    expect(small.code, small.stderr).toBe(0);
    expect((JSON.parse(small.stdout) as { arenaBytes: number }).arenaBytes).toBeLessThanOrEqual(limit);
    const m = JSON.parse(readFileSync(join(tmp, 'out_small', 'manifest.json'), 'utf8'));
    expect(m.arena.stream.layers.length).toBeGreaterThan(0);
    expect(readFileSync(join(tmp, 'out_small', 'model.h'), 'utf8')).toContain('int model_run_rows(model_read_row_fn read_row, void *ctx, int8_t *output);');

    const tiny = await convert('out_tiny', '--ram-limit', '100');
    expect(tiny.code).toBe(1);
    expect(tiny.stderr.trim().split('\n')).toHaveLength(1);
    expect(tiny.stderr).toMatch(/^onnx2mcu: --ram-limit 100: no plan fits; the smallest arena is \d+ bytes \(with the first \d+ layers streamed row by row, \d+ rows? per kernel call\), set by /);
    expect(existsSync(join(tmp, 'out_tiny'))).toBe(false);
    const zero = await convert('out_zero', '--ram-limit', '0');
    expect(zero.code).toBe(2);
    expect(zero.stderr.trim()).toBe('onnx2mcu: --ram-limit 0: must be a positive integer (see onnx2mcu --help)');
    const word = await convert('out_word', '--ram-limit', 'lots');
    expect(word.code).toBe(2);
    expect(word.stderr.trim()).toBe('onnx2mcu: --ram-limit: not a number (must be a positive integer) (see onnx2mcu --help)');
  }, 180_000);
});

/**
 * The CLI as users run it — exit codes, one-line errors, the JSON formats of inspect and run, and
 * .npy inputs fed exactly like images. Exit codes 0, 1 and 2 and a dump are checked through
 * `node bin/onnx2mcu.js` in a child process; the other cases call runCli in this process (all
 * that bin/onnx2mcu.js does), which spares each a second of Node and module start-up.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pkg from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx } from '../onnx/export.js';
import { pytorchStyle, tf2onnxStyle } from '../../fixtures/exporter_variants.js';
import { generateMobileNetV1 } from '../generate/mobilenet.js';
import { loadImageTensor } from '../images/load.js';
import { writeNpy } from '../images/npy.js';
import { floatTensor } from '../ir/tensor.js';
import { HAVE_SHARED, sharedModel, sharedPath, skipMessage } from '../util/shared.js';
import { availableCompilers } from '../verify/compile.js';
import { cliChild, cliInProcess as cliInProcessIn, type CliResult } from './cli_testing.js';

const { onnx } = pkg;
const tmp = mkdtempSync(join(tmpdir(), 'onnx2mcu-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Result = CliResult;
const cli = (...args: string[]) => cliChild(tmp, ...args);
const cliInProcess = (...args: string[]) => cliInProcessIn(tmp, ...args);

/** A failure is exactly one line `onnx2mcu: <message>` on stderr, nothing on stdout, no stack. */
function expectOneLineError(r: Result, code: number, pattern: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^onnx2mcu: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

const MODEL = join(tmp, 'tiny.onnx');
const IMAGE = join(tmp, 'image.png');

beforeAll(async () => {
  writeFileSync(MODEL, exportOnnx(generateMobileNetV1({ width: 0.25, resolution: 96, classes: 10, seed: 7 })));
  const px = Buffer.alloc(120 * 150 * 3);
  for (let i = 0; i < px.length; i++) px[i] = (i * 37 + (i >> 7) * 11) & 255;
  writeFileSync(IMAGE, await sharp(px, { raw: { width: 150, height: 120, channels: 3 } }).png().toBuffer());
});

describe('usage errors exit 2 with one line', () => {
  it('no command, unknown option (child process)', async () => {
    expectOneLineError(await cli(), 2, /no command given/);
    expectOneLineError(await cli('inspect', MODEL, '--colour'), 2, /colour/);
  });

  it('unknown command, missing argument, bad choice, missing option, inconsistent options', async () => {
    expectOneLineError(await cliInProcess('frobnicate'), 2, /frobnicate/);
    expectOneLineError(await cliInProcess('run', MODEL), 2, /not enough non-option arguments/i);
    expectOneLineError(await cliInProcess('inspect', MODEL, '--stage', 'int4'), 2, /stage/);
    expectOneLineError(await cliInProcess('generate', '--width', '1', '--resolution', '96'), 2, /out/);
    expectOneLineError(await cliInProcess('run', MODEL, IMAGE, '--stage', 'int8'), 2, /--stage int8 needs --calib/);
    expectOneLineError(await cliInProcess('run', MODEL, IMAGE, '--top', '0'), 2, /--top 0/);
    expectOneLineError(await cliInProcess('run', MODEL, IMAGE, '--dump-after', 'quantize'), 2, /--dump-after quantize needs calibration: --stage int8 with --calib/);
    expectOneLineError(await cliInProcess('inspect', MODEL, '--dump-after', 'plan'), 2, /--dump-after plan needs calibration: inspect with --calib/);
  });

  it('--help prints usage and exits 0', async () => {
    const r = await cli('--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/onnx2mcu inspect <model>/);
    expect(r.stdout).toMatch(/onnx2mcu run <model> <input\.\.>/);
    expect(r.stdout).toMatch(/onnx2mcu generate/);
  });
});

describe('bad model files exit 1 with one line naming the file', () => {
  it('empty (child process), not protobuf, truncated', async () => {
    writeFileSync(join(tmp, 'empty.onnx'), '');
    expectOneLineError(await cli('inspect', 'empty.onnx'), 1, /empty\.onnx: empty file/);
    writeFileSync(join(tmp, 'text.onnx'), 'this is not a protobuf at all, just some text\n');
    expectOneLineError(await cliInProcess('inspect', 'text.onnx'), 1, /text\.onnx: not an ONNX model/);
    const full = readFileSync(MODEL);
    writeFileSync(join(tmp, 'cut.onnx'), full.subarray(0, Math.floor(full.length / 2)));
    expectOneLineError(await cliInProcess('inspect', 'cut.onnx'), 1, /cut\.onnx: truncated/);
    expectOneLineError(await cliInProcess('inspect', 'missing.onnx'), 1, /missing\.onnx: cannot read/);
    expectOneLineError(await cliInProcess('run', 'missing.onnx', IMAGE), 1, /missing\.onnx: cannot read/);
  });

  it('lists all unsupported ops with their node names in one message; --verbose adds the stack', async () => {
    const vi = (name: string) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 4 }] } } } });
    const m = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'odd',
        node: [
          { opType: 'Sin', name: 'my_sine', input: ['x'], output: ['a'] },
          { opType: 'Relu', name: 'ok_relu', input: ['a'], output: ['b'] },
          { opType: 'Erf', name: 'my_erf', input: ['b'], output: ['y'] },
        ],
        input: [vi('x')],
        output: [vi('y')],
      },
    });
    writeFileSync(join(tmp, 'odd.onnx'), onnx.ModelProto.encode(m).finish());
    const r = await cliInProcess('inspect', 'odd.onnx');
    expectOneLineError(r, 1, /odd\.onnx: unsupported ops/);
    expect(r.stderr).toMatch(/Sin/);
    expect(r.stderr).toMatch(/my_sine/);
    expect(r.stderr).toMatch(/Erf/);
    expect(r.stderr).toMatch(/my_erf/);
    const v = await cliInProcess('inspect', 'odd.onnx', '--verbose');
    expect(v.code).toBe(1);
    expect(v.stderr.split('\n')[0]).toMatch(/^onnx2mcu: .*unsupported ops/);
    expect(v.stderr).toMatch(/\n\s+at /);
  });
});

describe('inspect', () => {
  it('--json is exactly {layers:[{name,op,outputShape,macs,params}],totals:{macs,params}} and matches the paper for 0.25/224', async () => {
    const path = join(tmp, 'm025_224.onnx');
    const gen = await cliInProcess('generate', '--width', '0.25', '--resolution', '224', '--out', path);
    expect(gen.code, gen.stderr).toBe(0);
    expect(gen.stdout).toMatch(/^wrote .*m025_224\.onnx/);
    const r = await cliInProcess('inspect', path, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    const j = JSON.parse(r.stdout) as { layers: Record<string, unknown>[]; totals: Record<string, number> };
    expect(Object.keys(j)).toEqual(['layers', 'totals']);
    expect(Object.keys(j.totals)).toEqual(['macs', 'params']);
    for (const l of j.layers) expect(Object.keys(l)).toEqual(['name', 'op', 'outputShape', 'macs', 'params']);
    expect(j.layers[0]).toEqual({ name: 'conv1', op: 'Conv', outputShape: [1, 8, 112, 112], macs: 112 * 112 * 8 * 3 * 9, params: 8 * 27 + 8 });
    expect(j.layers.map((l) => l.name)).toContain('conv_pw_13');
    const sum = j.layers.reduce((a, l) => a + (l.macs as number), 0);
    expect(j.totals.macs).toBe(sum);
    expect(Math.abs(j.totals.macs / 1e6 - 41)).toBeLessThan(1); // paper: 41M mult-adds
    expect(Math.abs(j.totals.params / 1e6 - 0.5)).toBeLessThan(0.1); // paper: 0.5M parameters
  });

  it('--stage folded: the float passes keep MACs and params (BN folded into the convs) with fewer layers', async () => {
    const a = JSON.parse((await cliInProcess('inspect', MODEL, '--json')).stdout) as { layers: { op: string }[]; totals: unknown };
    const r = await cliInProcess('inspect', MODEL, '--json', '--stage', 'folded');
    expect(r.code, r.stderr).toBe(0);
    const b = JSON.parse(r.stdout) as { layers: { op: string }[]; totals: unknown };
    expect(b.totals).toEqual(a.totals);
    expect(b.layers.length).toBeLessThan(a.layers.length);
    expect(b.layers.some((l) => l.op === 'BatchNormalization' || l.op === 'Clip')).toBe(false);
    expect(b.layers.filter((l) => l.op === 'depthwise_conv2d')).toHaveLength(13);
  });

  it('prints a table with totals', async () => {
    const r = await cliInProcess('inspect', MODEL);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^name\s+op\s+output shape\s+MACs\s+params$/m);
    expect(r.stdout).toMatch(/^conv_dw_1\s+Conv\s+\[1, 8, 48, 48\]\s+165,888\s+80$/m);
    expect(r.stdout).toMatch(/^total\s+[\d,]+\s+[\d,]+$/m);
  });
});

/** The canonical vocabulary of `inspect --stage folded --json` (issue 3, pipeline/passes.ts). */
const VOCABULARY = ['conv2d', 'depthwise_conv2d', 'fully_connected', 'average_pool', 'global_average_pool', 'softmax', 'channel_affine'];

interface FoldedLayer { name: string; op: string; activation: { min: number | null; max: number | null } | null }

describe('inspect --stage folded: canonical ops with their fused activation range', () => {
  // Keras exports: Conv + BatchNormalization + Clip(0, 6) ×27 (the generator writes the same);
  // VWW: Conv + BatchNormalization + plain Relu ×27 (models.json). Classifier, pools, softmax: none.
  const cases: { file: string; path: () => string; act: { min: number; max: number | null } }[] = [
    { file: 'generated 0.25/96', path: () => MODEL, act: { min: 0, max: 6 } },
    ...(HAVE_SHARED
      ? [
          ...['mobilenet_v1_0.25_128_imagenet.onnx', 'mobilenet_v1_0.25_224_imagenet.onnx', 'mobilenet_v1_0.25_96_flowers.onnx', 'mobilenet_v1_0.5_224_flowers.onnx']
            .map((file) => ({ file, path: () => sharedModel(file).path, act: { min: 0, max: 6 } })),
          { file: 'vww_96_mlcommons.onnx', path: () => sharedModel('vww_96_mlcommons.onnx').path, act: { min: 0, max: null } },
        ]
      : []),
  ];
  if (!HAVE_SHARED) skipMessage('inspect --stage folded activation ranges on the real models (the generated model is still checked)');

  for (const c of cases) {
    it(`${c.file}: every op in the vocabulary, 27 convs with ${JSON.stringify(c.act)}, classifier and pools with none`, async () => {
      const r = await cliInProcess('inspect', c.path(), '--json', '--stage', 'folded');
      expect(r.code, r.stderr).toBe(0);
      const j = JSON.parse(r.stdout) as { layers: FoldedLayer[]; totals: Record<string, number> };
      expect(Object.keys(j)).toEqual(['layers', 'totals']);
      expect(Object.keys(j.totals)).toEqual(['macs', 'params']);
      for (const l of j.layers) {
        expect(Object.keys(l), l.name).toEqual(['name', 'op', 'outputShape', 'macs', 'params', 'activation']);
        expect(VOCABULARY, `${l.name}: ${l.op}`).toContain(l.op);
      }
      const convs = j.layers.filter((l) => l.op === 'conv2d' || l.op === 'depthwise_conv2d');
      expect(convs).toHaveLength(27);
      expect(convs.filter((l) => l.op === 'depthwise_conv2d')).toHaveLength(13);
      for (const l of convs) expect(l.activation, l.name).toEqual(c.act);
      const rest = j.layers.filter((l) => !convs.includes(l));
      expect(rest.map((l) => l.op)).toEqual([expect.stringMatching(/^(global_)?average_pool$/), 'fully_connected', 'softmax']);
      for (const l of rest) expect(l.activation, `${l.name} (${l.op})`).toBeNull();
      // The text table shows the same ranges.
      const t = await cliInProcess('inspect', c.path(), '--stage', 'folded');
      expect(t.stdout).toMatch(/^name\s+op\s+output shape\s+MACs\s+params\s+activation$/m);
      const shown = c.act.max === null ? `[${c.act.min}, inf)` : `[${c.act.min}, ${c.act.max}]`;
      const rows = t.stdout.split('\n').filter((line) => /^\S+\s+(conv2d|depthwise_conv2d)\s/.test(line));
      expect(rows).toHaveLength(27);
      for (const row of rows) expect(row.endsWith(`  ${shown}`), row).toBe(true);
    });
  }
});

describe('run --dump-after', () => {
  /** The op column of every node line of a dump (src/ir/dump.ts: '  name  op  inputs → outputs ...'). */
  const dumpOps = (text: string): string[] =>
    text.split('\n').filter((l) => l.includes(' → ')).map((l) => /^ {2}\S+\s+(\S+)\s/.exec(l)![1]);

  it('--dump-after fold_batchnorm writes that one dump, with no BatchNormalization left (child process)', async () => {
    const r = await cli('run', MODEL, IMAGE, '--stage', 'folded', '--json', '--dump-after', 'fold_batchnorm', '--dump-dir', 'dumps');
    expect(r.code, r.stderr).toBe(0);
    const dir = join(tmp, 'dumps'); // relative to the CLI's working directory
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^\d\d_fold_batchnorm\.txt$/);
    const ops = dumpOps(readFileSync(join(dir, files[0]), 'utf8'));
    expect(ops).not.toContain('BatchNormalization');
    // 27 backbone convs plus the 1×1 conv classifier (pointwise_to_fc, later, makes it fully_connected).
    expect(ops.filter((op) => op === 'conv2d' || op === 'depthwise_conv2d')).toHaveLength(28);
  });

  it('--dump-after all: the dump before fold_batchnorm still lists the 27 BatchNormalization nodes', async () => {
    const dir = join(tmp, 'dumps-all');
    const r = await cliInProcess('run', MODEL, IMAGE, '--stage', 'folded', '--json', '--dump-after', 'all', '--dump-dir', dir);
    expect(r.code, r.stderr).toBe(0);
    const all = readdirSync(dir).sort();
    // every stage that ran (import, passes), and every float pass
    expect(all.filter((f) => f.startsWith('stage'))).toEqual(['stage1_import.txt', 'stage2_passes.txt']);
    const files = all.filter((f) => /^\d\d_/.test(f));
    const at = files.findIndex((f) => /^\d\d_fold_batchnorm\.txt$/.test(f));
    expect(at).toBeGreaterThan(0);
    expect(dumpOps(readFileSync(join(dir, files[at - 1]), 'utf8')).filter((op) => op === 'BatchNormalization')).toHaveLength(27);
    expect(dumpOps(readFileSync(join(dir, files[at]), 'utf8'))).not.toContain('BatchNormalization');
    expect(files.at(-1)).toMatch(/_check_canonical\.txt$/);
    expectOneLineError(await cliInProcess('run', MODEL, IMAGE, '--stage', 'folded', '--dump-after', 'fold_bn'), 1, /--dump-after 'fold_bn': no such stage or pass/);
  });

  it('inspect --stage folded --dump-after writes the same dump; --dump-after all on the imported graph dumps the import stage', async () => {
    const dir = join(tmp, 'dumps-inspect');
    const r = await cliInProcess('inspect', MODEL, '--stage', 'folded', '--json', '--dump-after', 'fold_batchnorm', '--dump-dir', dir);
    expect(r.code, r.stderr).toBe(0);
    const files = readdirSync(dir);
    expect(files).toHaveLength(1);
    expect(dumpOps(readFileSync(join(dir, files[0]), 'utf8'))).not.toContain('BatchNormalization');
    const dir2 = join(tmp, 'dumps-inspect-onnx');
    expect((await cliInProcess('inspect', MODEL, '--json', '--dump-after', 'all', '--dump-dir', dir2)).code).toBe(0);
    expect(readdirSync(dir2)).toEqual(['stage1_import.txt']);
    expect(dumpOps(readFileSync(join(dir2, 'stage1_import.txt'), 'utf8')).filter((op) => op === 'BatchNormalization')).toHaveLength(27);
  });
});

describe('run', () => {
  it('on a .npy equals run on the image it was made from, and both equal onnxruntime', async () => {
    const x = await loadImageTensor(IMAGE, { size: [96, 96], scale: 'x/127.5-1' });
    const npy = join(tmp, 'image.npy');
    writeNpy(npy, x);
    const r = await cliInProcess('run', MODEL, IMAGE, npy, '--json', '--top', '3');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { image: string; output: number[]; top: { index: number; label: string | null; score: number }[] });
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(Object.keys(l)).toEqual(['image', 'output', 'top']);
    expect(lines[0].image).toBe(IMAGE);
    expect(lines[1].image).toBe(npy);
    expect(lines[1].output).toEqual(lines[0].output);
    expect(lines[0].output).toHaveLength(10);

    const session = await ort.InferenceSession.create(MODEL, { graphOptimizationLevel: 'disabled' });
    const ref = (await session.run({ input: new ort.Tensor('float32', x.data as Float32Array, [1, 3, 96, 96]) })).output.data as Float32Array;
    lines[0].output.forEach((v, i) => expect(Math.abs(v - ref[i])).toBeLessThan(1e-4));

    const order = Array.from(ref.keys()).sort((a, b) => ref[b] - ref[a]);
    expect(lines[0].top.map((t) => t.index)).toEqual(order.slice(0, 3));
    for (const t of lines[0].top) {
      expect(Object.keys(t)).toEqual(['index', 'label', 'score']);
      expect(t.label).toBeNull(); // a generated model has no class names
      expect(t.score).toBe(lines[0].output[t.index]);
    }
  });

  it('--scale changes the input; a .npy of the wrong shape is refused naming the file', async () => {
    const a = await cliInProcess('run', MODEL, IMAGE, '--json', '--scale', 'x/255');
    const b = await cliInProcess('run', MODEL, IMAGE, '--json');
    expect(a.code, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout).output).not.toEqual(JSON.parse(b.stdout).output);
    const bad = join(tmp, 'bad.npy');
    writeNpy(bad, floatTensor([3, 96, 96], new Float32Array(3 * 96 * 96)));
    expectOneLineError(await cliInProcess('run', MODEL, bad), 1, /bad\.npy: shape \[3, 96, 96\] does not match input 'input' \[1, 3, 96, 96\]/);
    expectOneLineError(await cliInProcess('run', MODEL, IMAGE, '--scale', 'x*3'), 1, /--scale 'x\*3'/);
    expectOneLineError(await cliInProcess('run', MODEL, 'nope.jpg'), 1, /nope\.jpg: cannot read/);
  });
});

describe('exporter styles', () => {
  it('run and inspect give the same answers for Keras-, PyTorch- and tf2onnx-style files (NHWC input fed by transposing)', async () => {
    const g = generateMobileNetV1({ width: 0.25, resolution: 96, classes: 10, seed: 7 });
    const files = { keras: MODEL, pytorch: join(tmp, 'torch.onnx'), tf2onnx: join(tmp, 'tf.onnx') };
    writeFileSync(files.pytorch, pytorchStyle(g));
    writeFileSync(files.tf2onnx, tf2onnxStyle(g));
    const outputs: number[][] = [];
    const totals: unknown[] = [];
    for (const f of Object.values(files)) {
      const r = await cliInProcess('run', f, IMAGE, '--json');
      expect(r.code, `${f}: ${r.stderr}`).toBe(0);
      outputs.push((JSON.parse(r.stdout) as { output: number[] }).output);
      totals.push((JSON.parse((await cliInProcess('inspect', f, '--json')).stdout) as { totals: unknown }).totals);
    }
    for (const o of outputs.slice(1)) o.forEach((v, i) => expect(Math.abs(v - outputs[0][i])).toBeLessThan(1e-5));
    expect(totals[1]).toEqual(totals[0]);
    expect(totals[2]).toEqual(totals[0]);
  });
});

describe('pixels', () => {
  it('writes the image as raw H×W×3 uint8 (the PNG bytes themselves when no resize is needed)', async () => {
    const out = join(tmp, 'p.rgb');
    const r = await cliInProcess('pixels', IMAGE, '--size', '120x150', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const raw = await sharp(IMAGE).raw().toBuffer();
    expect(Buffer.compare(readFileSync(out), raw)).toBe(0);
    const small = await cliInProcess('pixels', IMAGE, '--size', '7', '--out', join(tmp, 'q.rgb'));
    expect(small.code, small.stderr).toBe(0);
    expect(readFileSync(join(tmp, 'q.rgb'))).toHaveLength(7 * 7 * 3);
    expectOneLineError(await cliInProcess('pixels', IMAGE, '--size', '7x', '--out', join(tmp, 'r.rgb')), 2, /--size '7x': expected N or HxW/);
  });
});

describe('generate', () => {
  it('writes atomically: no temporary files left, and a failed run leaves nothing', async () => {
    const dir = mkdtempSync(join(tmp, 'gen-'));
    const ok = await cliInProcess('generate', '--width', '0.25', '--resolution', '64', '--classes', '3', '--seed', '9', '--out', join(dir, 'a.onnx'));
    expect(ok.code, ok.stderr).toBe(0);
    expectOneLineError(await cliInProcess('generate', '--width', '-2', '--resolution', '64', '--out', join(dir, 'b.onnx')), 1, /--width -2/);
    expect(readdirSync(dir)).toEqual(['a.onnx']);
    const session = await ort.InferenceSession.create(join(dir, 'a.onnx'));
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['output']);
  });
});

describe('convert and verify', () => {
  it('convert writes the C artifacts and a JSON summary; verify --json reports zero mismatches', async () => {
    const calib = join(tmp, 'calib');
    const gen = await cliInProcess('generate', '--width', '0.25', '--resolution', '64', '--classes', '4', '--seed', '3', '--out', join(tmp, 'c.onnx'), '--calib-out', calib, '--calib-count', '3');
    expect(gen.code, gen.stderr).toBe(0);
    expect(gen.stdout).toMatch(/wrote 3 synthetic calibration images/);
    expect(readdirSync(calib).sort()).toEqual(['synthetic_000.png', 'synthetic_001.png', 'synthetic_002.png']);
    const out = join(tmp, 'out', 'c');
    const r = await cliInProcess('convert', join(tmp, 'c.onnx'), '--calib', calib, '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { out: string; files: string[]; arenaBytes: number; flashBytes: number; calibration: { images: number; agreement: number } };
    expect(Object.keys(j)).toEqual(['out', 'files', 'arenaBytes', 'flashBytes', 'calibration']);
    expect(j.out).toBe(out);
    expect(j.files).toEqual(expect.arrayContaining(['model.c', 'model.h', 'weights.bin', 'manifest.json']));
    expect(readdirSync(out).sort()).toEqual([...j.files].sort());
    expect(j.calibration.images).toBe(3);
    // Layer-by-layer floor of a 0.25/64 MobileNet: the largest input + output pair, conv_pw_1 (32·32·8 + 32·32·16).
    expect(j.arenaBytes).toBeGreaterThanOrEqual(32 * 32 * 16);
    expect(j.arenaBytes).toBeLessThanOrEqual(32 * 32 * 24 + 4096);

    if (availableCompilers().length === 0) {
      console.warn('[skip] verify: neither gcc nor clang on PATH');
    } else {
      const v = await cliInProcess('verify', out, '--images', calib, '--random', '3', '--json');
      expect(v.code, v.stderr).toBe(0);
      const vj = JSON.parse(v.stdout) as Record<string, unknown>;
      expect(Object.keys(vj)).toEqual(['images', 'random', 'mismatches', 'compilers']);
      expect(vj).toMatchObject({ images: 3, random: 3, mismatches: 0, compilers: availableCompilers() });
    }
    expectOneLineError(await cliInProcess('verify', join(tmp, 'empty-dir-that-is-missing')), 1, /no manifest\.json/);
  });
});

describe.skipIf(!HAVE_SHARED)('run on the real models of ../shared', () => {
  skipMessage('CLI run with label names');
  it('names the classes of a known model and uses its input scaling', async () => {
    const m = sharedModel('mobilenet_v1_0.25_128_imagenet.onnx');
    const img = sharedPath('images', 'imagenet-samples', 'n01440764_tench.JPEG');
    const r = await cli('run', m.path, img, '--json', '--top', '5');
    expect(r.code, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { output: number[]; top: { index: number; label: string; score: number }[] };
    expect(j.output).toHaveLength(1000);
    for (const t of j.top) expect(t.label).toBe(m.labels[t.index]);
    expect(j.top[0]).toMatchObject({ index: 0, label: 'tench' });
    const text = await cliInProcess('run', m.path, img, '--top', '2');
    expect(text.stdout).toMatch(/^\s+1\. \d\.\d{4}\s+\[0\] tench$/m);

    // VWW: scale x/255 taken from models.json; compare with onnxruntime on the same preprocessing.
    const vww = sharedModel('vww_96_mlcommons.onnx');
    const person = sharedPath('images', 'vww', 'person.png');
    const v = await cliInProcess('run', vww.path, person, '--json');
    const out = JSON.parse(v.stdout) as { output: number[]; top: { label: string }[] };
    const x = await loadImageTensor(person, { size: [96, 96], scale: 'x/255' });
    const session = await ort.InferenceSession.create(vww.path, { graphOptimizationLevel: 'disabled' });
    const ref = (await session.run({ input: new ort.Tensor('float32', x.data as Float32Array, [1, 3, 96, 96]) })).output.data as Float32Array;
    out.output.forEach((val, i) => expect(Math.abs(val - ref[i])).toBeLessThan(1e-4));
    expect(['no_person', 'person']).toContain(out.top[0].label);
  });

  it('--stage folded and --stage int8 agree with float on real VWW images', async () => {
    const vww = sharedModel('vww_96_mlcommons.onnx');
    // Two images float classifies with a clear margin (p = 0.99 no_person, 0.97 person); the VWW
    // set also has borderline ones (p ≈ 0.5) where int8 may legitimately flip.
    const imgs = ['COCO_train2014_000000000384.jpg', 'COCO_train2014_000000000389.jpg'].map((f) => sharedPath('images', 'vww', f));
    const parse = (r: Result) => r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { output: number[]; top: { index: number }[] });
    const float = parse(await cliInProcess('run', vww.path, ...imgs, '--json'));
    const folded = parse(await cliInProcess('run', vww.path, ...imgs, '--json', '--stage', 'folded'));
    const r8 = await cliInProcess('run', vww.path, ...imgs, '--json', '--stage', 'int8', '--calib', sharedPath('images', 'vww'));
    expect(r8.code, r8.stderr).toBe(0);
    const int8 = parse(r8) as { output: number[]; top: { index: number }[]; raw?: number[] }[];
    for (let i = 0; i < imgs.length; i++) {
      folded[i].output.forEach((v, k) => expect(Math.abs(v - float[i].output[k])).toBeLessThan(1e-4));
      expect(int8[i].output).toHaveLength(2);
      expect(float[i].top[0].index).toBe(i); // 384: no_person, 389: person
      expect(int8[i].top[0].index).toBe(float[i].top[0].index);
      // "raw": the int8 logits; dequantizing and softmax are monotonic, so they rank classes alike.
      const raw = int8[i].raw!;
      expect(raw).toHaveLength(2);
      for (const v of raw) expect(Number.isInteger(v) && v >= -128 && v <= 127).toBe(true);
      if (raw[0] !== raw[1]) expect(raw[1] > raw[0] ? 1 : 0).toBe(int8[i].top[0].index);
    }
    expect(Object.keys(float[0])).toEqual(['image', 'output', 'top']);
    expectOneLineError(await cliInProcess('run', vww.path, join(tmp, 'image.npy'), '--stage', 'int8', '--calib', sharedPath('images', 'vww')), 1, /image\.npy: --stage int8 runs on images/);
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadPixelsUint8 } from '../images/load.js';
import { parseScale, scaleToNchw } from '../images/scale.js';
import { listImages, readImageCsv } from '../images/list.js';
import { importOnnx } from '../onnx/import.js';
import { runFloatPasses } from '../../pipeline/index.js';
import { HAVE_SHARED, sharedModel, sharedPath, skipMessage } from '../util/shared.js';
import { runCli } from './app.js';
import { evalItems, evalJson, evalText } from './eval.js';

// Records every calibration `eval` runs (the pipeline's calibrate stage): the image paths it was
// given and the image count the calibrator reports in its stats.
const calibCalls = vi.hoisted(() => [] as { paths: string[]; count: number }[]);
vi.mock('../../pipeline/index.js', async (importOriginal) => {
  const mod = await importOriginal<typeof import('../../pipeline/index.js')>();
  return {
    ...mod,
    runPipeline: async (...args: Parameters<typeof mod.runPipeline>) => {
      const r = await mod.runPipeline(...args);
      const c = (r as Partial<import('../../pipeline/index.js').StageArtifacts>).calibrate;
      if (c) calibCalls.push({ paths: [...(args[0].calibration ?? [])], count: c.stats.count });
      return r;
    },
  };
});

const tmp = mkdtempSync(join(tmpdir(), 'onnx2mcu-eval-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('evalItems', () => {
  const dir = join(tmp, 'set');
  mkdirSync(dir);
  for (const f of ['a.png', 'b.png', 'c.png']) writeFileSync(join(dir, f), 'x');

  it("labels a folder's images from a CSV column, 'index' by default, else 'keras_index'", () => {
    writeFileSync(join(dir, 'labels.csv'), 'file,index,name\nb.png,7,seven\na.png,3,three\n');
    expect(evalItems(dir, join(dir, 'labels.csv'), undefined, undefined, 10)).toEqual([
      { path: join(dir, 'a.png'), label: 3 },
      { path: join(dir, 'b.png'), label: 7 },
      { path: join(dir, 'c.png') },
    ]);
    writeFileSync(join(dir, 'val.csv'), 'file,keras_index,tfslim_index_1001\nc.png,5,6\n');
    expect(evalItems(join(dir, 'val.csv'), undefined, undefined, undefined, 10)).toEqual([{ path: join(dir, 'c.png'), label: 5 }]);
    expect(evalItems(join(dir, 'val.csv'), undefined, 'tfslim_index_1001', undefined, 10)).toEqual([{ path: join(dir, 'c.png'), label: 6 }]);
    expect(evalItems(dir, join(dir, 'labels.csv'), undefined, 1, 10)).toEqual([{ path: join(dir, 'a.png'), label: 3 }]);
  });

  it('says which columns exist when the label column is missing or not an index', () => {
    writeFileSync(join(dir, 'odd.csv'), 'file,class\na.png,cat\n');
    expect(() => evalItems(dir, join(dir, 'odd.csv'), undefined, undefined, 10)).toThrow(/odd\.csv: no label column 'index' or 'keras_index' \(columns: file, class\); use --label-column/);
    expect(() => evalItems(dir, join(dir, 'odd.csv'), 'class', undefined, 10)).toThrow(/odd\.csv:2: label 'cat' in column 'class' is not a class index/);
  });

  it("refuses a label that is not one of the model's classes, naming the line", () => {
    writeFileSync(join(dir, 'far.csv'), 'file,index\na.png,9\nb.png,10\n');
    expect(evalItems(dir, join(dir, 'far.csv'), undefined, undefined, 11)).toEqual([{ path: join(dir, 'a.png'), label: 9 }, { path: join(dir, 'b.png'), label: 10 }, { path: join(dir, 'c.png') }]);
    expect(() => evalItems(dir, join(dir, 'far.csv'), undefined, undefined, 10)).toThrow("far.csv:3: label 10 in column 'index' is not a class of the model (it has 10: 0 to 9)");
  });
});

describe('eval output', () => {
  const r = { images: 4, float: { top1: 0.5, top5: 1 }, int8: { top1: 0.25, top5: 0.75 }, agreement: 0.75, outputSqnr: 21.25, perLayer: [{ layer: 'conv1', tensor: 't', sqnr: 40 }] };
  it('JSON starts with the documented keys', () => {
    const j = JSON.parse(evalJson(r));
    expect(Object.keys(j).slice(0, 4)).toEqual(['images', 'float', 'int8', 'agreement']);
    expect(j).toMatchObject({ images: 4, float: { top1: 0.5, top5: 1 }, int8: { top1: 0.25, top5: 0.75 }, agreement: 0.75, logitsSqnrDb: 21.25, perLayer: [{ layer: 'conv1', sqnr: 40 }] });
  });
  it('text shows both accuracies, the difference and the per-layer table', () => {
    const t = evalText(r, 4);
    expect(t).toContain('float  top-1 50.0%  top-5 100.0%');
    expect(t).toContain('int8   top-1 25.0%  top-5 75.0%  (top-1 -25.0 points)');
    expect(t).toContain('top-1 agreement int8 vs float: 75.0%');
    expect(t).toMatch(/^conv1\s+40\.0$/m);
  });
});

describe.skipIf(!HAVE_SHARED)('onnx2mcu eval on the VWW model', () => {
  skipMessage('eval on ../shared/images/vww');
  it('float top-1 equals onnxruntime on the same pixels; int8 agrees with float on at least 7 of 8 images', async () => {
    const m = sharedModel('vww_96_mlcommons.onnx');
    const csv = sharedPath('images', 'vww', 'labels.csv');
    let out = '';
    let err = '';
    const code = await runCli(['eval', m.path, '--images', csv, '--calib', sharedPath('images', 'vww'), '--json'], { out: (t) => { out += t; }, err: (t) => { err += t; } });
    expect(code, err).toBe(0);
    const j = JSON.parse(out) as { images: number; float: { top1: number }; int8: { top1: number }; agreement: number };
    expect(j.images).toBe(8);

    const session = await ort.InferenceSession.create(m.path, { graphOptimizationLevel: 'disabled' });
    let right = 0;
    for (const row of readImageCsv(csv)) {
      const px = await loadPixelsUint8(row.path, [96, 96]);
      const x = scaleToNchw(px.data, 96, 96, parseScale('x/255'));
      const y = (await session.run({ input: new ort.Tensor('float32', x, [1, 3, 96, 96]) })).output.data as Float32Array;
      if ((y[1] > y[0] ? 1 : 0) === Number(row.fields.index)) right++;
    }
    expect(j.float.top1).toBe(right / 8);
    expect(j.agreement).toBeGreaterThanOrEqual(7 / 8);
  });
});

describe.skipIf(!HAVE_SHARED)('onnx2mcu eval --per-layer / --calib-count on the VWW model', () => {
  const m = HAVE_SHARED ? sharedModel('vww_96_mlcommons.onnx') : undefined;
  const csv = sharedPath('images', 'vww', 'labels.csv');
  const calibDir = sharedPath('images', 'vww');
  const evalJsonRun = async (extra: string[]) => {
    let out = '';
    let err = '';
    const code = await runCli(['eval', m!.path, '--images', csv, '--calib', calibDir, '--json', ...extra], { out: (t) => { out += t; }, err: (t) => { err += t; } });
    expect(code, err).toBe(0);
    return JSON.parse(out) as { images: number; agreement: number; logitsSqnrDb: number | null; perLayer?: { layer: string; sqnr: number | null }[] };
  };

  it('--per-layer --json: one finite SQNR (> 5 dB) per quantized layer, the last one equal to the logits SQNR', async () => {
    calibCalls.length = 0;
    const j = await evalJsonRun(['--per-layer']);
    expect(j.images).toBe(8);
    // the quantized layers: every node of the folded float graph but the final softmax (kept in float, types.ts)
    const g = runFloatPasses(importOnnx(m!.path));
    const expected = g.nodes.filter((n) => n.op !== 'softmax').map((n) => n.name);
    expect(expected.length).toBe(29); // 14 conv, 13 depthwise, average pool, dense
    expect(j.perLayer?.map((l) => l.layer)).toEqual(expected);
    for (const l of j.perLayer!) {
      expect(l.sqnr, l.layer).not.toBeNull();
      expect(Number.isFinite(l.sqnr), l.layer).toBe(true);
      expect(l.sqnr!, l.layer).toBeGreaterThan(5);
      expect(l.sqnr!, l.layer).toBeLessThan(80); // an int8 activation is not exact: a huge value means float was compared with itself
    }
    // really measured per layer: the values differ from layer to layer …
    expect(new Set(j.perLayer!.map((l) => l.sqnr!.toFixed(3))).size).toBeGreaterThan(20);
    // … and the last layer (dense: the logits) is the logits SQNR computed separately by evaluate
    expect(j.logitsSqnrDb).not.toBeNull();
    expect(j.perLayer!.at(-1)!.sqnr!).toBeCloseTo(j.logitsSqnrDb!, 6);
    console.log(`VWW per-layer SQNR (dB): ${j.perLayer!.map((l) => `${l.layer} ${l.sqnr!.toFixed(1)}`).join(', ')}`);
    // without --calib-count all 8 calibration images were used
    expect(calibCalls.map((c) => c.count)).toEqual([8]);
  });

  it('--calib-count 2 calibrates on the first 2 images of --calib only', async () => {
    calibCalls.length = 0;
    const j = await evalJsonRun(['--calib-count', '2', '--limit', '2']);
    expect(j.images).toBe(2);
    expect(calibCalls).toHaveLength(1);
    expect(calibCalls[0].paths).toEqual(listImages(calibDir).slice(0, 2));
    expect(calibCalls[0].count).toBe(2);
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPixelsUint8 } from '../images/load.js';
import { parseScale, scaleToNchw } from '../images/scale.js';
import { readImageCsv } from '../images/list.js';
import { HAVE_SHARED, sharedModel, sharedPath, skipMessage } from '../util/shared.js';
import { runCli } from './app.js';
import { evalItems, evalJson, evalText } from './eval.js';

const tmp = mkdtempSync(join(tmpdir(), 'onnx2mcu-eval-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('evalItems', () => {
  const dir = join(tmp, 'set');
  mkdirSync(dir);
  for (const f of ['a.png', 'b.png', 'c.png']) writeFileSync(join(dir, f), 'x');

  it("labels a folder's images from a CSV column, 'index' by default, else 'keras_index'", () => {
    writeFileSync(join(dir, 'labels.csv'), 'file,index,name\nb.png,7,seven\na.png,3,three\n');
    expect(evalItems(dir, join(dir, 'labels.csv'))).toEqual([
      { path: join(dir, 'a.png'), label: 3 },
      { path: join(dir, 'b.png'), label: 7 },
      { path: join(dir, 'c.png') },
    ]);
    writeFileSync(join(dir, 'val.csv'), 'file,keras_index,tfslim_index_1001\nc.png,5,6\n');
    expect(evalItems(join(dir, 'val.csv'), undefined)).toEqual([{ path: join(dir, 'c.png'), label: 5 }]);
    expect(evalItems(join(dir, 'val.csv'), undefined, 'tfslim_index_1001')).toEqual([{ path: join(dir, 'c.png'), label: 6 }]);
    expect(evalItems(dir, join(dir, 'labels.csv'), undefined, 1)).toEqual([{ path: join(dir, 'a.png'), label: 3 }]);
  });

  it('says which columns exist when the label column is missing or not an index', () => {
    writeFileSync(join(dir, 'odd.csv'), 'file,class\na.png,cat\n');
    expect(() => evalItems(dir, join(dir, 'odd.csv'))).toThrow(/odd\.csv: no label column 'index' or 'keras_index' \(columns: file, class\); use --label-column/);
    expect(() => evalItems(dir, join(dir, 'odd.csv'), 'class')).toThrow(/odd\.csv:2: label 'cat' in column 'class' is not a class index/);
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

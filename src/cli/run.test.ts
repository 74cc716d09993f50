import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import { writeNpy } from '../images/npy.js';
import { floatTensor } from '../ir/tensor.js';
import { imageInputLayout, loadModelInput, runResultJson, runResultText, topEntries, topIndices } from './run.js';

const tmp = mkdtempSync(join(tmpdir(), 'onnx2mcu-run-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('top-K', () => {
  it('orders by score, ties by lower index, and names labels when known', () => {
    expect(topIndices([0.1, 0.5, 0.2, 0.5, 0], 3)).toEqual([1, 3, 2]);
    expect(topIndices([1, 2], 5)).toEqual([1, 0]);
    expect(topEntries([0.1, 0.7, 0.2], 2, ['a', 'b', 'c'])).toEqual([{ index: 1, label: 'b', score: 0.7 }, { index: 2, label: 'c', score: 0.2 }]);
    expect(topEntries([0.1, 0.7], 1)).toEqual([{ index: 1, label: null, score: 0.7 }]);
  });

  it('formats JSON lines and text', () => {
    const r = { image: 'a.jpg', output: [0.25, 0.75], top: [{ index: 1, label: 'cat', score: 0.75 }] };
    expect(runResultJson(r)).toBe('{"image":"a.jpg","output":[0.25,0.75],"top":[{"index":1,"label":"cat","score":0.75}]}');
    expect(runResultText(r)).toBe('a.jpg\n   1. 0.7500  [1] cat\n');
  });
});

describe('model inputs', () => {
  const nchw = new GraphBuilder('a').input('x', [1, 3, 4, 6]).node('Relu', ['x'], ['y']).output('y').build();
  const nhwc = new GraphBuilder('b').input('x', [1, 4, 6, 3]).node('Relu', ['x'], ['y']).output('y').build();

  it('knows NCHW and NHWC image inputs and refuses others', () => {
    expect(imageInputLayout(nchw)).toMatchObject({ layout: 'nchw', size: [4, 6] });
    expect(imageInputLayout(nhwc)).toMatchObject({ layout: 'nhwc', size: [4, 6] });
    const odd = new GraphBuilder('c').input('x', [1, 10]).node('Relu', ['x'], ['y']).output('y').build();
    expect(() => imageInputLayout(odd)).toThrow(/input 'x' has shape \[1, 10\]: images need/);
  });

  it('feeds an image in the layout the model wants (NHWC = NCHW transposed)', async () => {
    const px = Buffer.alloc(4 * 6 * 3);
    for (let i = 0; i < px.length; i++) px[i] = i * 3;
    const p = join(tmp, 'img.png');
    writeFileSync(p, await sharp(px, { raw: { width: 6, height: 4, channels: 3 } }).png().toBuffer());
    const a = await loadModelInput(nchw, p, 'x');
    const b = await loadModelInput(nhwc, p, 'x');
    expect(a.shape).toEqual([1, 3, 4, 6]);
    expect(b.shape).toEqual([1, 4, 6, 3]);
    // The image already has the input size, so values are the raw pixels: NHWC data is the PNG's bytes.
    expect(Array.from(b.data as Float32Array)).toEqual(Array.from(px));
    expect((a.data as Float32Array)[1 * 24 + 2 * 6 + 5]).toBe(px[(2 * 6 + 5) * 3 + 1]);
  });

  it('feeds a .npy as is', async () => {
    const p = join(tmp, 'x.npy');
    const t = floatTensor([1, 3, 4, 6], Float32Array.from({ length: 72 }, (_, i) => i - 0.5));
    writeNpy(p, t);
    expect(Array.from((await loadModelInput(nchw, p, 'x/255')).data as Float32Array)).toEqual(Array.from(t.data as Float32Array));
  });
});

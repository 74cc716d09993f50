import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { HAVE_SHARED, sharedPath, skipMessage } from '../util/shared.js';
import { loadImageTensor, loadPixelsUint8 } from './load.js';

const tmp = mkdtempSync(join(tmpdir(), 'onnx2mcu-load-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function writePng(name: string, pixels: Uint8Array, w: number, h: number, channels: 1 | 3): Promise<string> {
  const p = join(tmp, name);
  writeFileSync(p, await sharp(Buffer.from(pixels), { raw: { width: w, height: h, channels } }).png().toBuffer());
  return p;
}

describe('loadImageTensor', () => {
  it('skips the crop when the image already has the target size and scales into NCHW', async () => {
    // 2 × 2 RGB: (0,10,20) (30,40,50) / (60,70,80) (90,100,255)
    const p = await writePng('exact.png', Uint8Array.from([0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 255]), 2, 2, 3);
    const t = await loadImageTensor(p, { size: [2, 2], scale: 'x/255' });
    expect(t.shape).toEqual([1, 3, 2, 2]);
    expect(Array.from(t.data as Float32Array)).toEqual([0, 30, 60, 90, 10, 40, 70, 100, 20, 50, 80, 255].map((v) => Math.fround(v / 255)));
  });

  it('crops the central 87.5% then resizes: 16×16 → 7×7 by hand', async () => {
    // Gray ramp: pixel (y, x) = 10·x + y. The crop keeps rows/cols 1..14 (14 px). Resizing 14 → 7
    // samples source (d + 0.5)·2 − 0.5 = 2d + 0.5, i.e. crop index 2d+0.5 → image index 2d + 1.5,
    // so the output is 10·(2x + 1.5) + (2y + 1.5) = 20x + 2y + 16.5.
    const px = new Uint8Array(16 * 16);
    for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) px[y * 16 + x] = 10 * x + y;
    const p = await writePng('ramp.png', px, 16, 16, 1);
    const t = await loadImageTensor(p, { size: [7, 7], scale: 'x' });
    const d = t.data as Float32Array;
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 7; y++) for (let x = 0; x < 7; x++) expect(d[c * 49 + y * 7 + x]).toBe(20 * x + 2 * y + 16.5);
    }
    // uint8 pixels: the same values rounded half up, HWC
    const u = await loadPixelsUint8(p, [7, 7]);
    expect([u.h, u.w]).toEqual([7, 7]);
    for (let y = 0; y < 7; y++) {
      for (let x = 0; x < 7; x++) expect(Array.from(u.data.subarray((y * 7 + x) * 3, (y * 7 + x) * 3 + 3))).toEqual(Array(3).fill(20 * x + 2 * y + 17));
    }
  });

  it('resizes a non-square image to a non-square size', async () => {
    const p = await writePng('wide.png', new Uint8Array(32 * 16 * 3).fill(77), 32, 16, 3);
    const t = await loadImageTensor(p, { size: [5, 9], scale: 'x/127.5-1' });
    expect(t.shape).toEqual([1, 3, 5, 9]);
    expect((t.data as Float32Array).every((v) => v === Math.fround(77 / 127.5 - 1))).toBe(true);
  });

  it('rejects a bad size or scale in one line', async () => {
    const p = await writePng('one.png', Uint8Array.from([1, 2, 3]), 1, 1, 3);
    await expect(loadImageTensor(p, { size: [0, 5], scale: 'x' })).rejects.toThrow(/image size \[0,5\] must be two positive integers/);
    await expect(loadImageTensor(p, { size: [1, 1], scale: 'x*2' })).rejects.toThrow(/--scale 'x\*2'/);
  });
});

describe.skipIf(!HAVE_SHARED)('loadImageTensor on ../shared images', () => {
  skipMessage('real-image preprocessing tests');
  it('keeps a prepared 96×96 VWW image as is (crop skipped) and a gray PNG becomes 3 equal planes', async () => {
    const t = await loadImageTensor(sharedPath('images', 'vww', 'person.png'), { size: [96, 96], scale: 'x/255' });
    expect((await sharp(sharedPath('images', 'vww', 'person.png')).metadata()).channels).toBe(1);
    const raw = await sharp(sharedPath('images', 'vww', 'person.png')).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
    expect([raw.info.width, raw.info.height, raw.info.channels]).toEqual([96, 96, 1]);
    const d = t.data as Float32Array;
    for (let i = 0; i < 96 * 96; i += 97) {
      for (let c = 0; c < 3; c++) expect(d[c * 96 * 96 + i]).toBe(Math.fround(raw.data[i] / 255));
    }
  });

  it('crops and resizes a full-size JPEG to 224×224', async () => {
    const t = await loadImageTensor(sharedPath('images', 'imagenet-samples', 'n01440764_tench.JPEG'), { size: [224, 224], scale: 'x/127.5-1' });
    expect(t.shape).toEqual([1, 3, 224, 224]);
    const d = t.data as Float32Array;
    expect(d.every((v) => v >= -1 && v <= 1)).toBe(true);
  });
});

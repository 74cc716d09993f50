import { describe, expect, it } from 'vitest';
import { centralCrop, centralCropWindow } from './crop.js';

describe('centralCropWindow', () => {
  it('keeps the central 87.5% with whole-pixel offsets (TF central_crop: offset = floor(side/16))', () => {
    expect(centralCropWindow(500)).toEqual({ offset: 31, size: 438 });
    expect(centralCropWindow(375)).toEqual({ offset: 23, size: 329 });
    expect(centralCropWindow(128)).toEqual({ offset: 8, size: 112 });
    expect(centralCropWindow(16)).toEqual({ offset: 1, size: 14 });
    expect(centralCropWindow(15)).toEqual({ offset: 0, size: 15 });
  });
});

describe('centralCrop', () => {
  it('cuts the central window out of each side independently', () => {
    // 16 × 32 image whose pixel (y, x) holds (y, x, y + x).
    const h = 16;
    const w = 32;
    const data = new Uint8Array(h * w * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set([y, x, y + x], (y * w + x) * 3);
    const c = centralCrop({ data, h, w });
    expect([c.h, c.w]).toEqual([14, 28]);
    expect(Array.from(c.data.subarray(0, 3))).toEqual([1, 2, 3]);
    const last = (14 * 28 - 1) * 3;
    expect(Array.from(c.data.subarray(last, last + 3))).toEqual([14, 29, 43]);
  });
});

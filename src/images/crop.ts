/**
 * Central crop, as the standard ImageNet evaluation does (TF `central_crop(0.875)`): keep the
 * central 87.5% of each side. The offset is floor(side · 0.0625), the kept size side − 2·offset,
 * so the crop is always centred on whole pixels.
 */
import type { RgbImage } from './decode.js';

export const CENTRAL_FRACTION = 0.875;

/** Offset and size of the central crop along one side of `side` pixels. */
export function centralCropWindow(side: number, fraction = CENTRAL_FRACTION): { offset: number; size: number } {
  const offset = Math.floor((side * (1 - fraction)) / 2);
  return { offset, size: side - 2 * offset };
}

/** The central `fraction` of an RGB image (a copy). */
export function centralCrop(img: RgbImage, fraction = CENTRAL_FRACTION): RgbImage {
  const ch = centralCropWindow(img.h, fraction);
  const cw = centralCropWindow(img.w, fraction);
  const data = new Uint8Array(ch.size * cw.size * 3);
  for (let y = 0; y < ch.size; y++) {
    const from = ((ch.offset + y) * img.w + cw.offset) * 3;
    data.set(img.data.subarray(from, from + cw.size * 3), y * cw.size * 3);
  }
  return { data, h: ch.size, w: cw.size };
}

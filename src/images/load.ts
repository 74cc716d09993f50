/**
 * The one image preprocessing used by `run`, calibration and evaluation:
 *   decode (JPEG/PNG → RGB uint8; gray → RGB, alpha dropped)
 *   → central crop of 87.5% of each side (skipped when the image already has the target size,
 *     as the prepared sets in ../shared are)
 *   → bilinear resize to the target size (half-pixel centres, no antialias; see resize.ts)
 *   → scaling (see scale.ts) → NCHW float32 [1, 3, H, W].
 * loadPixelsUint8 stops before scaling and rounds to uint8 pixels, as a camera would deliver them
 * to firmware; the int8 path feeds those.
 */
import type { Tensor } from '../ir/tensor.js';
import { floatTensor } from '../ir/tensor.js';
import { UserError } from '../util/errors.js';
import { decodeImage, type RgbImage } from './decode.js';
import { centralCrop } from './crop.js';
import { resizeBilinear, roundToUint8, type FloatRgbImage } from './resize.js';
import { parseScale, scaleToNchw, type PixelScale } from './scale.js';

export interface LoadImageOptions {
  /** Target [height, width]. */
  readonly size: readonly [number, number];
  /** 'x/127.5-1', 'x/255', 'x', 'mean=..,..,..;std=..,..,..' or a parsed PixelScale. */
  readonly scale: string | PixelScale;
  readonly layout?: 'nchw';
}

function checkSize(size: readonly [number, number]): void {
  if (!size.every((d) => Number.isInteger(d) && d > 0)) throw new UserError(`image size [${size}] must be two positive integers`);
}

/** Crop (unless already the target size) and resize an RGB image, kept in float. */
export function preprocessPixels(img: RgbImage, size: readonly [number, number]): FloatRgbImage {
  checkSize(size);
  const [h, w] = size;
  if (img.h === h && img.w === w) return { data: Float64Array.from(img.data), h, w };
  return resizeBilinear(centralCrop(img), h, w);
}

/** An image file as the model's float input: [1, 3, H, W] float32. */
export async function loadImageTensor(path: string, opts: LoadImageOptions): Promise<Tensor> {
  if (opts.layout !== undefined && opts.layout !== 'nchw') throw new UserError(`layout '${opts.layout}' is not supported (nchw only)`);
  const scale = typeof opts.scale === 'string' ? parseScale(opts.scale) : opts.scale;
  const px = preprocessPixels(await decodeImage(path), opts.size);
  return floatTensor([1, 3, px.h, px.w], scaleToNchw(px.data, px.h, px.w, scale));
}

/** An image file cropped and resized like loadImageTensor, as uint8 HWC RGB pixels (rounded, clamped). */
export async function loadPixelsUint8(path: string, size: readonly [number, number]): Promise<{ data: Uint8Array; h: number; w: number }> {
  const px = roundToUint8(preprocessPixels(await decodeImage(path), size));
  return { data: px.data, h: px.h, w: px.w };
}

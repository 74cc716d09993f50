/**
 * Image decoding: JPEG or PNG file → RGB uint8 pixels, row-major HWC.
 * Grayscale becomes RGB (the gray value repeated), an alpha channel is dropped (not blended),
 * EXIF orientation is NOT applied (as PIL and TF decoders do by default), 16-bit PNGs are reduced
 * to 8 bits.
 */
import sharp, { type OutputInfo } from 'sharp';
import { UserError } from '../util/errors.js';
import { checkImagePixels, INPUT_LIMITS, readInputFile } from '../util/input_files.js';

/** RGB pixels, row-major, 3 bytes per pixel (HWC). */
export interface RgbImage {
  readonly data: Uint8Array;
  readonly h: number;
  readonly w: number;
}

const JPEG_MAGIC = [0xff, 0xd8, 0xff];
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/** 'jpeg' or 'png' from the file's leading bytes, or undefined. */
export function sniffImageFormat(bytes: Uint8Array): 'jpeg' | 'png' | undefined {
  if (startsWith(bytes, JPEG_MAGIC)) return 'jpeg';
  if (startsWith(bytes, PNG_MAGIC)) return 'png';
  return undefined;
}

/** Decodes JPEG/PNG bytes to RGB uint8; `what` names the source in errors. */
export async function decodeImageBytes(bytes: Uint8Array, what = 'image'): Promise<RgbImage> {
  if (!sniffImageFormat(bytes)) throw new UserError(`${what}: not a JPEG or PNG file`);
  let out: { data: Buffer; info: OutputInfo };
  try {
    // The header's size first: a small file may claim a huge image, refused before decoding.
    const { width, height } = await sharp(bytes).metadata();
    checkImagePixels(width ?? 0, height ?? 0, what);
    out = await sharp(bytes, { failOn: 'error', limitInputPixels: INPUT_LIMITS.imagePixels })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${what}: cannot decode image (${(e as Error).message.split('\n')[0]})`);
  }
  const { width: w, height: h, channels } = out.info;
  const src = new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.byteLength);
  if (channels === 3) return { data: new Uint8Array(src), h, w };
  // Defensive: expand 1-channel output (gray) and drop any 4th channel ourselves.
  const data = new Uint8Array(h * w * 3);
  for (let p = 0; p < h * w; p++) {
    for (let c = 0; c < 3; c++) data[p * 3 + c] = src[p * channels + (channels >= 3 ? c : 0)];
  }
  return { data, h, w };
}

/** Decodes a JPEG or PNG file to RGB uint8 pixels. */
export async function decodeImage(path: string): Promise<RgbImage> {
  return decodeImageBytes(readInputFile(path, 'image'), path);
}

/**
 * Bilinear resize with half-pixel centres and no antialiasing — the convention of
 * `tf.image.resize(..., 'bilinear')` (TF2, antialias=False) and of ONNX Resize with
 * coordinate_transformation_mode='half_pixel'. For output index d along a side of `inSize` → `outSize`:
 *   s = (d + 0.5) · inSize / outSize − 0.5, clamped to [0, inSize − 1]
 *   i0 = floor(s), i1 = min(i0 + 1, inSize − 1), t = s − i0, value = (1 − t)·x[i0] + t·x[i1]
 * applied along rows and columns (separable). No antialias means that when shrinking by more than
 * 2× each output pixel still looks at only its 2×2 nearest source pixels (PIL's and OpenCV's
 * INTER_AREA results differ from this; TF's default does not).
 */
import type { RgbImage } from './decode.js';

/** Per output index: the two source indices and the weight of the second. */
export interface ResizeTaps {
  readonly i0: Int32Array;
  readonly i1: Int32Array;
  readonly t: Float64Array;
}

export function bilinearTaps(inSize: number, outSize: number): ResizeTaps {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const t = new Float64Array(outSize);
  const ratio = inSize / outSize;
  for (let d = 0; d < outSize; d++) {
    const s = Math.min(Math.max((d + 0.5) * ratio - 0.5, 0), inSize - 1);
    const lo = Math.floor(s);
    i0[d] = lo;
    i1[d] = Math.min(lo + 1, inSize - 1);
    t[d] = s - lo;
  }
  return { i0, i1, t };
}

/** Float RGB pixels, HWC (values on the 0..255 scale, not rounded). */
export interface FloatRgbImage {
  readonly data: Float64Array;
  readonly h: number;
  readonly w: number;
}

/** Bilinear resize of an RGB uint8 image to outH × outW, kept in float (not rounded). */
export function resizeBilinear(img: RgbImage, outH: number, outW: number): FloatRgbImage {
  const ty = bilinearTaps(img.h, outH);
  const tx = bilinearTaps(img.w, outW);
  const out = new Float64Array(outH * outW * 3);
  const src = img.data;
  for (let y = 0; y < outH; y++) {
    const r0 = ty.i0[y] * img.w * 3;
    const r1 = ty.i1[y] * img.w * 3;
    const wy = ty.t[y];
    for (let x = 0; x < outW; x++) {
      const c0 = tx.i0[x] * 3;
      const c1 = tx.i1[x] * 3;
      const wx = tx.t[x];
      const o = (y * outW + x) * 3;
      for (let c = 0; c < 3; c++) {
        const top = src[r0 + c0 + c] + (src[r0 + c1 + c] - src[r0 + c0 + c]) * wx;
        const bottom = src[r1 + c0 + c] + (src[r1 + c1 + c] - src[r1 + c0 + c]) * wx;
        out[o + c] = top + (bottom - top) * wy;
      }
    }
  }
  return { data: out, h: outH, w: outW };
}

/** Float pixels rounded to the nearest integer (halves up) and clamped to 0..255. */
export function roundToUint8(img: FloatRgbImage): RgbImage {
  const data = new Uint8Array(img.data.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(255, Math.max(0, Math.round(img.data[i])));
  return { data, h: img.h, w: img.w };
}

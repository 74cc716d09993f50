/**
 * Input scaling: how 0..255 pixel values become the model's float input. Every accepted spec is
 * one per-channel affine map y = (x − mean[c]) / std[c] on 0..255 values:
 *   'x/127.5-1' → mean 127.5, std 127.5 (range −1..1, Keras MobileNet)
 *   'x/255'     → mean 0,     std 255   (range 0..1)
 *   'x'         → mean 0,     std 1     (raw 0..255)
 *   'mean=m0,m1,m2;std=s0,s1,s2' → as given, on 0..255 values (torchvision's ImageNet numbers are
 *     'mean=123.675,116.28,103.53;std=58.395,57.12,57.375'); one value applies to all channels.
 * The int8 path can turn the same map into an exact uint8 → int8 input conversion.
 */
import { UserError } from '../util/errors.js';

export interface PixelScale {
  /** The spec as written by the user (for messages and manifests). */
  readonly spec: string;
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
}

export const DEFAULT_SCALE = 'x/127.5-1';

function three(values: number[], spec: string, what: string): [number, number, number] {
  if (values.length === 1) return [values[0], values[0], values[0]];
  if (values.length === 3) return [values[0], values[1], values[2]];
  throw new UserError(`--scale '${spec}': ${what} needs 1 or 3 values, got ${values.length}`);
}

function numbers(text: string, spec: string, what: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  const vals = parts.map(Number);
  if (parts.some((p) => p === '') || vals.some((v) => !Number.isFinite(v))) {
    throw new UserError(`--scale '${spec}': ${what} must be comma-separated numbers`);
  }
  return vals;
}

/** Parses a scale spec (see the file comment); throws UserError naming the spec. */
export function parseScale(spec: string): PixelScale {
  const s = spec.replace(/\s+/g, '');
  if (s === 'x/127.5-1') return { spec, mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] };
  if (s === 'x/255') return { spec, mean: [0, 0, 0], std: [255, 255, 255] };
  if (s === 'x') return { spec, mean: [0, 0, 0], std: [1, 1, 1] };
  const m = /^mean=([^;]+);std=([^;]+)$/.exec(s);
  if (!m) {
    throw new UserError(`--scale '${spec}': expected x/127.5-1, x/255, x or mean=m0,m1,m2;std=s0,s1,s2`);
  }
  const mean = three(numbers(m[1], spec, 'mean'), spec, 'mean');
  const std = three(numbers(m[2], spec, 'std'), spec, 'std');
  if (std.some((v) => v === 0)) throw new UserError(`--scale '${spec}': std must not be 0`);
  return { spec, mean, std };
}

/**
 * HWC pixels (0..255, uint8 or float) → NCHW float32 [1, 3, h, w], each value
 * (x − mean[c]) / std[c] computed in double and rounded once to float32.
 */
export function scaleToNchw(pixels: ArrayLike<number>, h: number, w: number, scale: PixelScale): Float32Array {
  const out = new Float32Array(3 * h * w);
  const plane = h * w;
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < 3; c++) out[c * plane + p] = (pixels[p * 3 + c] - scale.mean[c]) / scale.std[c];
  }
  return out;
}

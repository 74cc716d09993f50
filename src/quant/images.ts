/**
 * Images as both paths see them: an image is decoded, cropped and resized once, rounded to uint8
 * (what a camera delivers), then scaled to float for the float graph and mapped to
 * int8 = pixel − 128 for the int8 model.
 */
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { floatTensor } from '../ir/tensor.js';
import { loadPixelsUint8 } from '../images/load.js';
import { parseScale, scaleToNchw } from '../images/scale.js';
import { UserError } from '../util/errors.js';
import { pixelsToInt8Nchw } from './interpret_int8.js';

/** One image as both paths see it. */
export interface ImageInput {
  readonly path: string;
  /** Float NCHW [1, 3, H, W]: the model's scaling applied to the uint8 pixels. */
  readonly float: Tensor;
  /** int8 NCHW: uint8 pixel − 128. */
  readonly int8: Int8Array;
}

/** The graph's input [H, W] (NCHW, 3 channels). */
export function inputSize(g: Graph): [number, number] {
  const info = g.values.get(g.inputs[0]);
  if (!info || info.shape.length !== 4 || info.shape[1] !== 3) {
    throw new UserError(`graph '${g.name}': image input needs an NCHW [N, 3, H, W] input, got [${info?.shape ?? ''}]`);
  }
  return [info.shape[2], info.shape[3]];
}

export async function loadImageInput(path: string, size: readonly [number, number], scaling: string): Promise<ImageInput> {
  const px = await loadPixelsUint8(path, size);
  const scale = parseScale(scaling);
  return {
    path,
    float: floatTensor([1, 3, px.h, px.w], scaleToNchw(px.data, px.h, px.w, scale)),
    int8: pixelsToInt8Nchw(px.data, px.h, px.w),
  };
}

export async function loadImageInputs(paths: readonly string[], size: readonly [number, number], scaling: string): Promise<ImageInput[]> {
  const out: ImageInput[] = [];
  for (const p of paths) out.push(await loadImageInput(p, size, scaling));
  return out;
}

/**
 * The int8 input firmware would feed for a float input made from uint8 pixels:
 * pixel = round(x·std + mean) clamped to 0..255, int8 = pixel − 128 (exact for inputs that
 * came from pixels, as the calibration images do).
 */
export function floatToInt8Input(t: Tensor, scaling: string): Int8Array {
  const s = parseScale(scaling);
  const x = t.data as Float32Array;
  if (t.shape.length !== 4 || t.shape[1] !== 3) throw new UserError(`int8 input: expected a [N, 3, H, W] image tensor, got [${t.shape}]`);
  const plane = t.shape[2] * t.shape[3];
  const out = new Int8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = Math.floor(i / plane) % 3;
    const p = Math.round(x[i] * s.std[c] + s.mean[c]);
    out[i] = Math.min(255, Math.max(0, p)) - 128;
  }
  return out;
}


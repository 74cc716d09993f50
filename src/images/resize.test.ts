import pkg from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { bilinearTaps, resizeBilinear, roundToUint8 } from './resize.js';

const { onnx } = pkg;

function gray(values: number[][]): { data: Uint8Array; h: number; w: number } {
  const h = values.length;
  const w = values[0].length;
  const data = new Uint8Array(h * w * 3);
  values.flat().forEach((v, i) => data.set([v, v, v], i * 3));
  return { data, h, w };
}

function channel0(img: { data: Float64Array | Uint8Array; h: number; w: number }): number[][] {
  return Array.from({ length: img.h }, (_, y) => Array.from({ length: img.w }, (_, x) => img.data[(y * img.w + x) * 3]));
}

describe('resizeBilinear (half-pixel centres, no antialias) on hand-computed goldens', () => {
  it('upscales 1×2 → 1×4: sources −0.25, 0.25, 0.75, 1.25, clamped to the edge', () => {
    expect(channel0(resizeBilinear(gray([[0, 100]]), 1, 4))).toEqual([[0, 25, 75, 100]]);
  });

  it('downscales 1×4 → 1×2 looking only at the two nearest pixels (no antialias)', () => {
    // sources 0.5 and 2.5
    expect(channel0(resizeBilinear(gray([[0, 10, 20, 60]]), 1, 2))).toEqual([[5, 40]]);
    // 1×8 → 1×2: sources 1.5 and 5.5; an antialiased filter would average four pixels
    expect(channel0(resizeBilinear(gray([[0, 0, 100, 0, 0, 40, 80, 0]]), 1, 2))).toEqual([[50, 60]]);
  });

  it('interpolates rows and columns: 2×2 → 3×3', () => {
    // sources along each side: −1/6 → 0, 0.5, 7/6 → 1
    expect(channel0(resizeBilinear(gray([[0, 100], [200, 40]]), 3, 3))).toEqual([
      [0, 50, 100],
      [100, 85, 70],
      [200, 120, 40],
    ]);
  });

  it('is the identity at the same size and treats channels independently', () => {
    const data = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(Array.from(resizeBilinear({ data, h: 2, w: 2 }, 2, 2).data)).toEqual(Array.from(data));
  });

  it('has taps clamped at both ends', () => {
    const t = bilinearTaps(3, 2); // sources 0.25, 1.75
    expect(Array.from(t.i0)).toEqual([0, 1]);
    expect(Array.from(t.i1)).toEqual([1, 2]);
    expect(Array.from(t.t)).toEqual([0.25, 0.75]);
  });
});

describe('roundToUint8', () => {
  it('rounds halves up and clamps', () => {
    const r = roundToUint8({ data: Float64Array.from([0.5, 254.5, -3, 300, 1.49, 0, 0, 0, 0]), h: 1, w: 3 });
    expect(Array.from(r.data)).toEqual([1, 255, 0, 255, 1, 0, 0, 0, 0]);
  });
});

/** A one-node ONNX model: Resize(linear, half_pixel) of [1, 3, h, w] to [1, 3, oh, ow]. */
function resizeModel(h: number, w: number, oh: number, ow: number): Uint8Array {
  const dims = (d: number[]) => ({ dim: d.map((v) => ({ dimValue: v })) });
  const sizes = new Uint8Array(32);
  [1, 3, oh, ow].forEach((v, i) => new DataView(sizes.buffer).setBigInt64(i * 8, BigInt(v), true));
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'resize',
      node: [{
        opType: 'Resize',
        input: ['x', '', '', 'sizes'],
        output: ['y'],
        attribute: [
          { name: 'mode', type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode('linear') },
          { name: 'coordinate_transformation_mode', type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode('half_pixel') },
        ],
      }],
      initializer: [{ name: 'sizes', dims: [4], dataType: onnx.TensorProto.DataType.INT64, rawData: sizes }],
      input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: dims([1, 3, h, w]) } } }],
      output: [{ name: 'y', type: { tensorType: { elemType: 1, shape: dims([1, 3, oh, ow]) } } }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

describe('resizeBilinear against onnxruntime Resize (linear, half_pixel)', () => {
  it.each([
    [13, 17, 7, 5],
    [20, 30, 96, 96],
    [50, 40, 9, 31],
  ])('%i×%i → %i×%i', async (h, w, oh, ow) => {
    let seed = h * 1000 + w;
    const data = new Uint8Array(h * w * 3);
    for (let i = 0; i < data.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      data[i] = seed >>> 24;
    }
    const ours = resizeBilinear({ data, h, w }, oh, ow);
    const nchw = new Float32Array(3 * h * w);
    for (let p = 0; p < h * w; p++) for (let c = 0; c < 3; c++) nchw[c * h * w + p] = data[p * 3 + c];
    const session = await ort.InferenceSession.create(resizeModel(h, w, oh, ow), { graphOptimizationLevel: 'disabled' });
    const out = await session.run({ x: new ort.Tensor('float32', nchw, [1, 3, h, w]) });
    const ref = out.y.data as Float32Array;
    let maxDiff = 0;
    for (let p = 0; p < oh * ow; p++) {
      for (let c = 0; c < 3; c++) maxDiff = Math.max(maxDiff, Math.abs(ours.data[p * 3 + c] - ref[c * oh * ow + p]));
    }
    expect(maxDiff).toBeLessThan(1e-3);
  });
});

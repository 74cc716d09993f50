import { describe, expect, it } from 'vitest';
import { average_pool } from './average_pool.js';
import { floatTensor } from '../ir/tensor.js';
import { node } from '../passes/testing.js';
import { global_average_pool } from './global_average_pool.js';
import { naiveLayerInt8 } from '../quant/testing.js';
import type { AveragePoolLayer } from './average_pool.js';
import type { GlobalAveragePoolLayer } from './global_average_pool.js';
import { mulberry32 } from '../util/random.js';

// x = 0..15 on one 4×4 plane.
const x = floatTensor([1, 1, 4, 4], Float32Array.from({ length: 16 }, (_, i) => i));

describe('average_pool', () => {
  it('2x2 stride 2 without padding (hand-computed)', () => {
    const n = node('average_pool', ['x'], ['y'], { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], count_include_pad: 0 });
    expect(average_pool.inferShapes(n, [x], [])[0].shape).toEqual([1, 1, 2, 2]);
    expect(Array.from(average_pool.evalFloat(n, [x])[0].data as Float32Array)).toEqual([2.5, 4.5, 10.5, 12.5]);
  });

  it('padding counted or not according to count_include_pad', () => {
    const attrs = { kernel: [2, 2], strides: [2, 2], pads: [1, 1, 0, 0] };
    // Top-left window covers only x[0,0] = 0 plus three pads; window (0,1) covers x[0,1], x[0,2] = 1, 2.
    const excl = average_pool.evalFloat(node('average_pool', ['x'], ['y'], { ...attrs, count_include_pad: 0 }), [x])[0].data as Float32Array;
    const incl = average_pool.evalFloat(node('average_pool', ['x'], ['y'], { ...attrs, count_include_pad: 1 }), [x])[0].data as Float32Array;
    expect(excl[0]).toBe(0);
    expect(excl[1]).toBe(1.5);
    expect(incl[1]).toBe(0.75);
    // Output is 2×2; its last window (rows 1-2, cols 1-2) has no padding: 5, 6, 9, 10.
    expect(excl.length).toBe(4);
    expect(excl[3]).toBe(7.5);
    expect(incl[3]).toBe(7.5);
  });

  it('clamps to the activation range', () => {
    const n = node('average_pool', ['x'], ['y'], { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], count_include_pad: 0, act_min: 3, act_max: 11 });
    expect(Array.from(average_pool.evalFloat(n, [x])[0].data as Float32Array)).toEqual([3, 4.5, 10.5, 11]);
  });
});

/** An int8 pool layer on one 4×4 plane (zero point −10) with the given window. */
function int8Pool(attrs: Partial<AveragePoolLayer> & Pick<AveragePoolLayer, 'outputShape'>): AveragePoolLayer {
  const q = { scale: 0.1, zeroPoint: -10 };
  return { name: 'pool', op: 'average_pool', origin: ['AveragePool'], inputs: ['x'], output: 'y', inputShapes: [[1, 1, 4, 4]], inputQ: [q], outputQ: q, actMin: -128, actMax: 127, kernel: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], countIncludePad: 0, ...attrs };
}

describe('average_pool int8', () => {
  // x = 3i − 20: rows −20 −17 −14 −11 | −8 −5 −2 1 | 4 7 10 13 | 16 19 22 25
  const xq = Int8Array.from({ length: 16 }, (_, i) => 3 * i - 20);
  const window = { kernel: [2, 2], strides: [2, 2], pads: [1, 1, 0, 0], outputShape: [1, 1, 2, 2] };

  it('rounded means, half away from zero, padding counted as the zero point or skipped (hand-computed)', () => {
    // Windows: (0,0) = {−20}; (0,1) = {−17, −14}; (1,0) = {−8, 4}; (1,1) = {−5, −2, 7, 10}.
    // Skipped: −20/1, −31/2 = −15.5 → −16, −4/2, 10/4 = 2.5 → 3.
    expect(Array.from(average_pool.int8!.run(int8Pool({ ...window, countIncludePad: 0 }), [xq]))).toEqual([-20, -16, -2, 3]);
    // Counted (each pad adds −10): −50/4 = −12.5 → −13, −51/4 → −13, −24/4 = −6, 10/4 → 3.
    expect(Array.from(average_pool.int8!.run(int8Pool({ ...window, countIncludePad: 1 }), [xq]))).toEqual([-13, -13, -6, 3]);
  });

  it('clamps to the activation range', () => {
    expect(Array.from(average_pool.int8!.run(int8Pool({ ...window, countIncludePad: 0, actMin: -15, actMax: 2 }), [xq]))).toEqual([-15, -15, -2, 2]);
  });

  it('gives real 0 (the zero point) for windows wholly in the padding (pads > kernel, as a merged Pad makes)', () => {
    // 2×2 input [[−4, 2], [6, 8]], zero point −10, kernel 2 stride 2, pads 3: a 4×4 output whose
    // border windows lie wholly in the padding (→ −10); each centre window holds one input value
    // and three padded positions: counted, (v + 3·(−10))/4 rounded half away from zero; not counted, v.
    const x = Int8Array.of(-4, 2, 6, 8);
    const q = { scale: 0.1, zeroPoint: -10 };
    const layer = (countIncludePad: number): AveragePoolLayer => ({
      name: 'p', op: 'average_pool', origin: [], inputs: ['x'], output: 'y', inputShapes: [[1, 1, 2, 2]], outputShape: [1, 1, 4, 4],
      inputQ: [q], outputQ: q, actMin: -128, actMax: 127, kernel: [2, 2], strides: [2, 2], pads: [3, 3, 3, 3], countIncludePad,
    });
    const z = -10;
    expect(Array.from(average_pool.int8!.run(layer(1), [x]))).toEqual([z, z, z, z, z, -9, -7, z, z, -6, -6, z, z, z, z, z]);
    expect(Array.from(average_pool.int8!.run(layer(0), [x]))).toEqual([z, z, z, z, z, -4, 2, z, z, 6, 8, z, z, z, z, z]);
  });

  it('equals the naive reference on random geometries (and global_average_pool as one whole-plane window)', () => {
    const r = mulberry32(11);
    const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
    let checked = 0;
    for (let t = 0; t < 200; t++) {
      const [N, C, H, W] = [int(1, 2), int(1, 3), int(1, 8), int(1, 8)];
      const kernel = [int(1, 4), int(1, 4)];
      const strides = [int(1, 3), int(1, 3)];
      // Pads up to kernel + 1: a merged Pad can leave windows wholly in the padding.
      const pads = [int(0, kernel[0] + 1), int(0, kernel[1] + 1), int(0, kernel[0] + 1), int(0, kernel[1] + 1)];
      const Ho = Math.floor((H + pads[0] + pads[2] - kernel[0]) / strides[0]) + 1;
      const Wo = Math.floor((W + pads[1] + pads[3] - kernel[1]) / strides[1]) + 1;
      if (Ho < 1 || Wo < 1) continue;
      const q = { scale: 0.1, zeroPoint: int(-128, 127) };
      const layer: AveragePoolLayer = {
        name: 'p', op: 'average_pool', origin: [], inputs: ['x'], output: 'y', inputShapes: [[N, C, H, W]], outputShape: [N, C, Ho, Wo],
        inputQ: [q], outputQ: q, actMin: int(-128, -60), actMax: int(60, 127), kernel, strides, pads, countIncludePad: int(0, 1),
      };
      const x = Int8Array.from({ length: N * C * H * W }, () => int(-128, 127));
      expect(Array.from(average_pool.int8!.run(layer, [x])), JSON.stringify({ ...layer, name: t })).toEqual(Array.from(naiveLayerInt8(layer, x)));
      const { kernel: _k, strides: _s, pads: _p, countIncludePad: _c, ...base } = layer;
      const global: GlobalAveragePoolLayer = { ...base, op: 'global_average_pool', outputShape: [N, C, 1, 1] };
      expect(Array.from(global_average_pool.int8!.run(global, [x]))).toEqual(Array.from(naiveLayerInt8(global, x)));
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  });
});

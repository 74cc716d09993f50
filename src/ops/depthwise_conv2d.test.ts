import { describe, expect, it } from 'vitest';
import { depthwise_conv2d, dw3x3Access } from './depthwise_conv2d.js';
import { clampAll, maxAbsDiff, naiveConv, node, randomTensor } from '../passes/testing.js';
import type { ValueInfo } from '../ir/graph.js';

const info = (t: { shape: readonly number[] }): ValueInfo => ({ dtype: 'float32', shape: t.shape });

describe('depthwise_conv2d', () => {
  it('matches a direct grouped convolution (group = C), stride 2 and pads', () => {
    const x = randomTensor([1, 4, 7, 7], 4);
    const w = randomTensor([4, 1, 3, 3], 5);
    const b = randomTensor([4], 6);
    const attrs = { strides: [2, 2], pads: [1, 1, 1, 1], dilations: [1, 1], depth_multiplier: 1, act_min: 0, act_max: 6 };
    const n = node('depthwise_conv2d', ['x', 'w', 'b'], ['y'], attrs);
    const ref = naiveConv(x, w, b.data as Float32Array, { ...attrs, group: 4 });
    expect(depthwise_conv2d.inferShapes(n, [info(x), info(w), info(b)], [])[0].shape).toEqual([1, 4, 4, 4]);
    const [y] = depthwise_conv2d.evalFloat(n, [x, w, b]);
    expect(maxAbsDiff(y.data as Float32Array, clampAll(ref.data, 0, 6))).toBeLessThan(1e-5);
    // MACs = Ho·Wo·C·1·9, params = 36 + 4.
    expect(depthwise_conv2d.cost!(n, [info(x), info(w), info(b)], [{ dtype: 'float32', shape: [1, 4, 4, 4] }])).toEqual({ macs: 16 * 4 * 9, params: 40 });
  });

  it('depth multiplier 2: output channel o reads input channel o/2', () => {
    const x = randomTensor([1, 3, 5, 5], 7);
    const w = randomTensor([6, 1, 3, 3], 8);
    const b = randomTensor([6], 9);
    const attrs = { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], depth_multiplier: 2 };
    const n = node('depthwise_conv2d', ['x', 'w', 'b'], ['y'], attrs);
    const ref = naiveConv(x, w, b.data as Float32Array, { ...attrs, group: 3 });
    const [y] = depthwise_conv2d.evalFloat(n, [x, w, b]);
    expect(maxAbsDiff(y.data as Float32Array, ref.data)).toBeLessThan(1e-5);
  });

  it('rejects a weight that is not [C*mult, 1, kh, kw]', () => {
    const n = node('depthwise_conv2d', ['x', 'w', 'b'], ['y'], { depth_multiplier: 1 });
    expect(() => depthwise_conv2d.inferShapes(n, [{ dtype: 'float32', shape: [1, 3, 4, 4] }, { dtype: 'float32', shape: [4, 1, 3, 3] }, { dtype: 'float32', shape: [4] }], [])).toThrow(/depthwise weight/);
  });

  it("the planner's access check models the pixel path exactly where a core may take it (use_pixel_path in onnx2mcu_dw_conv_3x3_s8.c)", () => {
    // Helium up to 8 outputs a row; the DSP up to 8, and up to 12 at stride 2; channels a multiple of 4
    const modelsPixels = (c: number, outW: number, stride: number) => {
      const inW = stride * outW;
      const access = dw3x3Access({ h: inW, w: inW, c }, { h: outW, w: outW, c }, [1, 1, 1, 1], [stride, stride]);
      return access.pixels(-7).length > 0;
    };
    for (let w = 1; w <= 16; w++) {
      expect(modelsPixels(8, w, 1), `stride 1, ${w} wide`).toBe(w <= 8);
      expect(modelsPixels(8, w, 2), `stride 2, ${w} wide`).toBe(w <= 12);
      expect(modelsPixels(6, w, 1), `6 channels, ${w} wide`).toBe(false);
    }
  });
});

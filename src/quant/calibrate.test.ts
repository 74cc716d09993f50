import { describe, expect, it } from 'vitest';
import { floatTensor } from '../ir/tensor.js';
import { addWindowMeans } from './calibrate.js';
import { rng } from './testing.js';

/** Brute force: average over output positions of x under tap (c, i, j), 0 in the padding. */
function bruteWindowMeans(x: Float32Array, [N, C, H, W]: number[], [KH, KW]: number[], [sh, sw]: number[], [pt, pl, pb, pr]: number[], [dh, dw]: number[]): Float64Array {
  const Ho = Math.floor((H + pt + pb - (KH - 1) * dh - 1) / sh) + 1;
  const Wo = Math.floor((W + pl + pr - (KW - 1) * dw - 1) / sw) + 1;
  const out = new Float64Array(C * KH * KW);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let i = 0; i < KH; i++) for (let j = 0; j < KW; j++) {
    let s = 0;
    for (let oh = 0; oh < Ho; oh++) for (let ow = 0; ow < Wo; ow++) {
      const h = oh * sh - pt + i * dh, w = ow * sw - pl + j * dw;
      if (h >= 0 && h < H && w >= 0 && w < W) s += x[((n * C + c) * H + h) * W + w];
    }
    out[(c * KH + i) * KW + j] += s / (N * Ho * Wo);
  }
  return out;
}

describe('addWindowMeans (the statistics bias correction uses)', () => {
  const cases = [
    { name: '3×3 stride 2, TF SAME pads [0,0,1,1]', shape: [1, 3, 9, 8], k: [3, 3], s: [2, 2], p: [0, 0, 1, 1], d: [1, 1] },
    { name: '3×3 stride 1 pads 1, batch 2', shape: [2, 4, 6, 7], k: [3, 3], s: [1, 1], p: [1, 1, 1, 1], d: [1, 1] },
    { name: '1×1 pointwise', shape: [1, 5, 4, 4], k: [1, 1], s: [1, 1], p: [0, 0, 0, 0], d: [1, 1] },
    { name: '3×2 dilated, asymmetric pads', shape: [1, 2, 7, 9], k: [3, 2], s: [1, 2], p: [2, 0, 1, 3], d: [2, 1] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = rng(c.shape.reduce((a, b) => a * 7 + b, 1));
      const data = Float32Array.from({ length: c.shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 0.5);
      const sums = new Map<string, Float64Array>();
      const counts = new Map<string, number>();
      addWindowMeans('n', floatTensor(c.shape, data), { kind: 'window', kernel: c.k, strides: c.s, pads: c.p, dilations: c.d }, sums, counts);
      const got = sums.get('n')!.map((v) => v / counts.get('n')!);
      const want = bruteWindowMeans(data, c.shape, c.k, c.s, c.p, c.d);
      expect(got.length).toBe(want.length);
      for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 10);
    });
  }
});

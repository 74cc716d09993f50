import { describe, expect, it } from 'vitest';
import type { ConvParams } from './conv.js';
import { convFloat, convOutputShape, resolveAutoPad } from './conv.js';

/** Direct textbook convolution, written independently of convFloat's im2col/depthwise paths. */
function naiveConv(x: Float32Array, xs: number[], w: Float32Array, ws: number[], b: Float32Array | undefined, p: ConvParams): number[] {
  const [N, C, H, W] = xs;
  const [O, Cg, KH, KW] = ws;
  const Ho = Math.floor((H + p.pads[0] + p.pads[2] - ((KH - 1) * p.dilations[0] + 1)) / p.strides[0]) + 1;
  const Wo = Math.floor((W + p.pads[1] + p.pads[3] - ((KW - 1) * p.dilations[1] + 1)) / p.strides[1]) + 1;
  const Og = O / p.group;
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++)
      for (let oh = 0; oh < Ho; oh++)
        for (let ow = 0; ow < Wo; ow++) {
          let s = b ? b[o] : 0;
          const g = Math.floor(o / Og);
          for (let ci = 0; ci < Cg; ci++)
            for (let kh = 0; kh < KH; kh++)
              for (let kw = 0; kw < KW; kw++) {
                const ih = oh * p.strides[0] - p.pads[0] + kh * p.dilations[0];
                const iw = ow * p.strides[1] - p.pads[1] + kw * p.dilations[1];
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;
                s += w[((o * Cg + ci) * KH + kh) * KW + kw] * x[((n * C + g * Cg + ci) * H + ih) * W + iw];
              }
          out.push(s);
        }
  return out;
}

/** Deterministic pseudo-random values in [-1, 1). */
function seeded(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

const P = (over: Partial<ConvParams> = {}): ConvParams => ({ strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1, ...over });

describe('convFloat hand-computed goldens', () => {
  it('3×3 all-ones kernel over 0..8 with asymmetric pads (top 1, left 0, bottom 0, right 1)', () => {
    // x = [[0,1,2],[3,4,5],[6,7,8]]; padded rows: [z,z,z,z],[0,1,2,z],[3,4,5,z],[6,7,8,z] (z = 0)
    // Output is 2×2: window sums at (row 0..2, col 0..2) of the 4×4 padded grid.
    const x = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const w = new Float32Array(9).fill(1);
    const p = P({ pads: [1, 0, 0, 1] });
    expect(convOutputShape([1, 1, 3, 3], [1, 1, 3, 3], p)).toEqual([1, 1, 2, 2]);
    // (0,0): 0+1+2+3+4+5 = 15; (0,1): 1+2+0+4+5+0 = 12; (1,0): 0..8 = 36; (1,1): 1+2+4+5+7+8 = 27
    expect(Array.from(convFloat(x, [1, 1, 3, 3], w, [1, 1, 3, 3], undefined, p))).toEqual([15, 12, 36, 27]);
  });

  it('stride 2 with bias', () => {
    // 4×4 input 0..15, 2×2 kernel [[1,0],[0,-1]], stride 2, bias 10: out = x[i][j] - x[i+1][j+1] + 10 = -5 + 10
    const x = Float32Array.from({ length: 16 }, (_, i) => i);
    const w = Float32Array.from([1, 0, 0, -1]);
    expect(Array.from(convFloat(x, [1, 1, 4, 4], w, [1, 1, 2, 2], Float32Array.from([10]), P({ strides: [2, 2] })))).toEqual([5, 5, 5, 5]);
  });

  it('dilation 2: a 2×2 kernel reads pixels two apart', () => {
    // 3×3 input 0..8, kernel [[1,2],[3,4]] dilated: taps at (0,0),(0,2),(2,0),(2,2) = 0,2,6,8
    const x = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    const w = Float32Array.from([1, 2, 3, 4]);
    expect(Array.from(convFloat(x, [1, 1, 3, 3], w, [1, 1, 2, 2], undefined, P({ dilations: [2, 2] })))).toEqual([0 + 4 + 18 + 32]);
  });

  it('depthwise: each channel uses only its own kernel', () => {
    // 2 channels of 2×2: ch0 all 1, ch1 all 2; kernels ch0 all 1, ch1 all 10; pads 1 → 3×3 output
    const x = Float32Array.from([1, 1, 1, 1, 2, 2, 2, 2]);
    const w = Float32Array.from([...new Array(4).fill(1), ...new Array(4).fill(10)]);
    const y = convFloat(x, [1, 2, 2, 2], w, [2, 1, 2, 2], undefined, P({ pads: [1, 1, 1, 1], group: 2 }));
    // ch0: corners see 1 pixel, edges 2, centre 4; ch1: ×20
    expect(Array.from(y)).toEqual([1, 2, 1, 2, 4, 2, 1, 2, 1, 20, 40, 20, 40, 80, 40, 20, 40, 20]);
  });

  it('pointwise: a 1×1 conv mixes channels per pixel', () => {
    const x = Float32Array.from([1, 2, 3, 4]); // 2 channels of 1×2: c0 = [1,2], c1 = [3,4]
    const w = Float32Array.from([1, 1, 2, -1]); // o0 = c0 + c1, o1 = 2c0 - c1
    expect(Array.from(convFloat(x, [1, 2, 1, 2], w, [2, 2, 1, 1], Float32Array.from([0, 0.5]), P()))).toEqual([4, 6, -0.5, 0.5]);
  });
});

describe('convFloat against a direct convolution (random shapes)', () => {
  const cases: Array<[string, number[], number[], ConvParams]> = [
    ['3×3 stride 2 asymmetric pads', [1, 3, 9, 8], [5, 3, 3, 3], P({ strides: [2, 2], pads: [0, 1, 1, 0] })],
    ['stride 2 in one axis only', [1, 2, 7, 7], [3, 2, 3, 2], P({ strides: [2, 1], pads: [1, 0, 1, 1] })],
    ['dilation 2, pads 2', [2, 2, 8, 6], [6, 2, 3, 3], P({ dilations: [2, 2], pads: [2, 2, 2, 2] })],
    ['depthwise stride 2 SAME-style', [1, 6, 10, 9], [6, 1, 3, 3], P({ strides: [2, 2], pads: [0, 0, 1, 1], group: 6 })],
    ['depthwise multiplier 2 dilation', [1, 3, 8, 8], [6, 1, 3, 3], P({ dilations: [2, 1], pads: [1, 1, 1, 1], group: 3 })],
    ['grouped (group 2)', [1, 4, 5, 5], [6, 2, 3, 3], P({ group: 2, pads: [1, 1, 1, 1] })],
    ['pointwise, 7 outputs (not a multiple of 4)', [1, 9, 4, 5], [7, 9, 1, 1], P()],
    ['pointwise stride 2', [1, 5, 6, 6], [8, 5, 1, 1], P({ strides: [2, 2] })],
    ['large weights (weight-major loop)', [1, 64, 2, 2], [64, 64, 1, 1], P()],
    ['weight-major with odd pixel count and 66 outputs', [1, 40, 3, 3], [66, 40, 1, 1], P()],
    ['regular 3×3 stride 2 SAME-style, odd output, 5 outputs', [1, 3, 9, 9], [5, 3, 3, 3], P({ strides: [2, 2], pads: [1, 1, 1, 1] })],
  ];
  for (const [name, xs, ws, p] of cases) {
    it(name, () => {
      const x = seeded(xs.reduce((a, b) => a * b), 1);
      const w = seeded(ws.reduce((a, b) => a * b), 2);
      const b = seeded(ws[0], 3);
      const got = convFloat(x, xs, w, ws, b, p);
      const want = naiveConv(x, xs, w, ws, b, p);
      expect(got.length).toBe(want.length);
      for (let i = 0; i < want.length; i++) expect(got[i]).toBeCloseTo(want[i], 5);
    });
  }
});

describe('resolveAutoPad', () => {
  it('SAME_UPPER puts the odd pad at the end, SAME_LOWER at the start (stride 2, even input)', () => {
    // in 8, k 3, s 2 → out 4, total pad = (4-1)*2 + 3 - 8 = 1
    expect(resolveAutoPad('SAME_UPPER', [8, 8], [3, 3], [2, 2])).toEqual([0, 0, 1, 1]);
    expect(resolveAutoPad('SAME_LOWER', [8, 8], [3, 3], [2, 2])).toEqual([1, 1, 0, 0]);
  });
  it('stride 1, 3×3: one on each side; odd input stride 2: one on each side', () => {
    expect(resolveAutoPad('SAME_UPPER', [5, 5], [3, 3], [1, 1])).toEqual([1, 1, 1, 1]);
    // in 7, k 3, s 2 → out 4, total = 6 + 3 - 7 = 2
    expect(resolveAutoPad('SAME_LOWER', [7, 7], [3, 3], [2, 2])).toEqual([1, 1, 1, 1]);
  });
  it('dilation widens the kernel; VALID is zero; NOTSET defers to pads', () => {
    // k 3 dilation 2 → effective 5, in 6, s 1 → total 4
    expect(resolveAutoPad('SAME_UPPER', [6, 6], [3, 3], [1, 1], [2, 2])).toEqual([2, 2, 2, 2]);
    expect(resolveAutoPad('VALID', [6, 6], [3, 3], [1, 1])).toEqual([0, 0, 0, 0]);
    expect(resolveAutoPad('NOTSET', [6, 6], [3, 3], [1, 1])).toBeUndefined();
    expect(() => resolveAutoPad('SAME', [6, 6], [3, 3], [1, 1])).toThrow(/auto_pad/);
  });
});

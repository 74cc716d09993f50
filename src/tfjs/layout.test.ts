import { describe, expect, it } from 'vitest';
import type { Tensor } from '../ir/tensor.js';
import { floatTensor, sizeOf } from '../ir/tensor.js';
import { broadcastOperandToNchw, depthwiseToOihw, explicitPads, hwioToOihw, irShapeOf, sameElementOrder, tfSamePads, tfShapeOf } from './layout.js';

/** 0, 1, 2, … so every element is recognisable after a layout change. */
function iota(shape: number[]): Tensor {
  return floatTensor(shape, Float32Array.from({ length: sizeOf(shape) }, (_, i) => i));
}

/** Row-major flat index of `idx` in `shape`. */
function at(shape: readonly number[], idx: readonly number[]): number {
  return idx.reduce((acc, v, d) => acc * shape[d] + v, 0);
}

describe("TF 'SAME' padding", () => {
  it('matches hand-computed cases (odd sizes, stride > kernel, dilation)', () => {
    expect(tfSamePads(96, 3, 2)).toEqual([0, 1]); // MobileNet's first conv: all padding at the bottom/right
    expect(tfSamePads(7, 3, 2)).toEqual([1, 1]);
    expect(tfSamePads(5, 4, 1)).toEqual([1, 2]); // odd total: the extra row goes after
    expect(tfSamePads(1, 3, 2)).toEqual([1, 1]);
    expect(tfSamePads(8, 1, 2)).toEqual([0, 0]);
    expect(tfSamePads(10, 3, 1, 2)).toEqual([2, 2]);
    expect(tfSamePads(3, 3, 3)).toEqual([0, 0]);
  });

  it('gives ceil(in / stride) outputs with the least padding, the smaller half before, for every small case', () => {
    for (let size = 1; size <= 12; size++) {
      for (let k = 1; k <= 5; k++) {
        for (let s = 1; s <= 4; s++) {
          for (let d = 1; d <= 2; d++) {
            const [before, after] = tfSamePads(size, k, s, d);
            const eff = (k - 1) * d + 1;
            const out = (total: number): number => Math.floor((size + total - eff) / s) + 1;
            const total = before + after;
            expect(out(total)).toBe(Math.ceil(size / s));
            // Less padding would lose an output position (or padding is already zero).
            if (total > 0) expect(out(total - 1)).toBeLessThan(Math.ceil(size / s));
            expect(before).toBe(Math.floor(total / 2));
          }
        }
      }
    }
  });

  it('explicit pads [top, left, bottom, right] for SAME, VALID and EXPLICIT', () => {
    expect(explicitPads('SAME', [96, 95], [3, 3], [2, 2], [1, 1])).toEqual([0, 1, 1, 1]);
    expect(explicitPads('VALID', [96, 96], [3, 3], [2, 2], [1, 1])).toEqual([0, 0, 0, 0]);
    expect(explicitPads('EXPLICIT', [8, 8], [3, 3], [1, 1], [1, 1], [0, 0, 1, 2, 3, 4, 0, 0])).toEqual([1, 3, 2, 4]);
    expect(explicitPads('EXPLICIT', [8, 8], [3, 3], [1, 1], [1, 1], [0, 0, 1, 2, 3, 4, 1, 0])).toContain('pads the batch or channel dim');
    expect(explicitPads('FULL', [8, 8], [3, 3], [1, 1], [1, 1])).toContain("padding 'FULL'");
  });
});

describe('NHWC ↔ NCHW', () => {
  it('shapes: rank 4 is transposed, other ranks are kept', () => {
    expect(tfShapeOf([1, 3, 96, 80])).toEqual([1, 96, 80, 3]);
    expect(irShapeOf([1, 96, 80, 3])).toEqual([1, 3, 96, 80]);
    expect(tfShapeOf([1, 1000])).toEqual([1, 1000]);
    expect(sameElementOrder([1, 1, 1, 256])).toBe(true);
    expect(sameElementOrder([1, 4, 4, 1])).toBe(true);
    expect(sameElementOrder([1, 3, 3, 256])).toBe(false);
  });

  it('Conv2D filter HWIO → OIHW: w[o, i, y, x] = f[y, x, i, o]', () => {
    const f = iota([3, 2, 4, 5]);
    const w = hwioToOihw(f);
    expect(w.shape).toEqual([5, 4, 3, 2]);
    for (let o = 0; o < 5; o++) for (let i = 0; i < 4; i++) for (let y = 0; y < 3; y++) for (let x = 0; x < 2; x++) {
      expect(w.data[at(w.shape, [o, i, y, x])]).toBe(f.data[at(f.shape, [y, x, i, o])]);
    }
  });

  it('depthwise filter [kh, kw, C, m] → [C·m, 1, kh, kw]: output channel c·m + k is f[:, :, c, k]', () => {
    const f = iota([3, 3, 4, 2]);
    const w = depthwiseToOihw(f);
    expect(w.shape).toEqual([8, 1, 3, 3]);
    for (let c = 0; c < 4; c++) for (let k = 0; k < 2; k++) for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) {
      expect(w.data[at(w.shape, [c * 2 + k, 0, y, x])]).toBe(f.data[at(f.shape, [y, x, c, k])]);
    }
  });

  it('a broadcast operand aligned right against NHWC becomes rank-4 NCHW', () => {
    const perChannel = broadcastOperandToNchw(iota([5]));
    expect(perChannel.shape).toEqual([1, 5, 1, 1]);
    expect(Array.from(perChannel.data as Float32Array)).toEqual([0, 1, 2, 3, 4]);
    const wc = iota([3, 5]); // [W, C] → [1, C, 1, W]
    const t = broadcastOperandToNchw(wc);
    expect(t.shape).toEqual([1, 5, 1, 3]);
    for (let w = 0; w < 3; w++) for (let c = 0; c < 5; c++) expect(t.data[at(t.shape, [0, c, 0, w])]).toBe(wc.data[at(wc.shape, [w, c])]);
  });
});

/**
 * The fast int8 kernels (float-held exact sums, register blocks, im2col, sliding windows, padded
 * copies) against the slow obvious reference of src/quant/testing.ts (explicit zero-point padding,
 * one tap at a time, BigInt fixed point), byte for byte, over seeded random geometries chosen to
 * hit every path: 1×1 pointwise and general kernels, strides 1 and 2, asymmetric and no padding,
 * dilation, depth multiplier 2, channel and position counts not multiples of the 4×4 block,
 * batch 2, large biases (past the fast-path bound of the multiplier), clamps, shifts 0 … −20.
 */
import { describe, expect, it } from 'vitest';
import { runLayerInt8 } from '../quant/interpret_int8.js';
import { naiveLayerInt8 } from '../quant/testing.js';
import type { QuantizedLayer } from './types.js';
import { mulberry32 } from '../util/random.js';

type Op = 'conv2d' | 'depthwise_conv2d' | 'fully_connected';

interface Spec {
  readonly op: Op;
  readonly n?: number;
  readonly c: number;
  readonly o: number;
  readonly h: number;
  readonly w: number;
  readonly k?: readonly [number, number];
  readonly s?: readonly [number, number];
  readonly pads?: readonly [number, number, number, number];
  readonly d?: readonly [number, number];
  readonly mult?: number;
}

function randomLayer(spec: Spec, seed: number, bigBias = false): QuantizedLayer {
  const r = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const N = spec.n ?? 1;
  const [KH, KW] = spec.k ?? [1, 1];
  const [sh, sw] = spec.s ?? [1, 1];
  const pads = spec.pads ?? [0, 0, 0, 0];
  const [dh, dw] = spec.d ?? [1, 1];
  const fc = spec.op === 'fully_connected';
  const Ho = fc ? 1 : Math.floor((spec.h + pads[0] + pads[2] - ((KH - 1) * dh + 1)) / sh) + 1;
  const Wo = fc ? 1 : Math.floor((spec.w + pads[1] + pads[3] - ((KW - 1) * dw + 1)) / sw) + 1;
  const K = fc ? spec.c * spec.h * spec.w : spec.op === 'conv2d' ? spec.c * KH * KW : KH * KW;
  const weightShape = fc ? [spec.o, K] : spec.op === 'conv2d' ? [spec.o, spec.c, KH, KW] : [spec.o, 1, KH, KW];
  const O = spec.o;
  const zpOut = int(-128, 20);
  return {
    name: `${spec.op}_${seed}`, op: spec.op, origin: ['test'], inputs: ['x'], output: 'y',
    inputShapes: [[N, spec.c, spec.h, spec.w]],
    outputShape: fc ? [N, O] : [N, O, Ho, Wo],
    inputQ: [{ scale: 0.05, zeroPoint: int(-128, 127) }],
    outputQ: { scale: 0.1, zeroPoint: zpOut },
    actMin: r() < 0.5 ? zpOut : -128,
    actMax: r() < 0.5 ? int(zpOut, 127) : 127,
    weights: Int8Array.from({ length: O * K }, () => int(-127, 127)),
    weightShape,
    weightScales: new Float64Array(O).fill(0.01),
    bias: Int32Array.from({ length: O }, () => (bigBias ? int(-(2 ** 29), 2 ** 29) : int(-50000, 50000))),
    multiplier: Int32Array.from({ length: O }, () => int(2 ** 30, 2 ** 31 - 1)),
    shift: Int32Array.from({ length: O }, () => (bigBias ? -int(14, 20) : -int(0, 16))),
    ...(fc ? {} : { kernel: [KH, KW], strides: [sh, sw], pads: [...pads], dilations: [dh, dw] }),
    ...(spec.op === 'depthwise_conv2d' ? { depthMultiplier: spec.mult ?? 1 } : {}),
  } as QuantizedLayer;
}

const SPECS: Spec[] = [
  { op: 'conv2d', c: 8, o: 16, h: 6, w: 6 }, // pointwise, whole blocks
  { op: 'conv2d', c: 5, o: 7, h: 5, w: 3 }, // pointwise, block remainders in both directions
  { op: 'conv2d', n: 2, c: 3, o: 6, h: 9, w: 7, k: [3, 3], s: [2, 2], pads: [0, 0, 1, 1] }, // first-layer style
  { op: 'conv2d', c: 4, o: 5, h: 8, w: 8, k: [3, 3], s: [1, 1], pads: [1, 1, 1, 1] },
  { op: 'conv2d', c: 3, o: 4, h: 9, w: 10, k: [3, 2], s: [2, 1], pads: [2, 0, 1, 1], d: [2, 1] },
  { op: 'conv2d', c: 2, o: 3, h: 6, w: 6, k: [1, 1], s: [2, 2] }, // 1×1 with a stride: not the pointwise path
  { op: 'conv2d', c: 2, o: 4, h: 4, w: 4, k: [1, 1], pads: [1, 0, 0, 1] }, // 1×1 with padding
  { op: 'depthwise_conv2d', c: 6, o: 6, h: 7, w: 9, k: [3, 3], pads: [1, 1, 1, 1] }, // stride-1 sliding window
  { op: 'depthwise_conv2d', n: 2, c: 5, o: 5, h: 9, w: 8, k: [3, 3], s: [2, 2], pads: [0, 0, 1, 1] },
  { op: 'depthwise_conv2d', c: 3, o: 6, h: 6, w: 6, k: [3, 3], pads: [1, 1, 1, 1], mult: 2 },
  { op: 'depthwise_conv2d', c: 4, o: 4, h: 9, w: 9, k: [3, 3], pads: [2, 2, 2, 2], d: [2, 2] }, // dilated: general loop
  { op: 'depthwise_conv2d', c: 3, o: 3, h: 8, w: 7, k: [5, 2], s: [1, 2], pads: [2, 1, 2, 0] },
  { op: 'fully_connected', c: 12, o: 9, h: 1, w: 1 },
  { op: 'fully_connected', n: 2, c: 3, o: 5, h: 2, w: 2 },
];

function describeSpec(s: Spec): string {
  return `${s.op} N${s.n ?? 1} ${s.c}→${s.o} ${s.h}×${s.w} k${(s.k ?? [1, 1]).join('×')} s${(s.s ?? [1, 1]).join('×')} p${(s.pads ?? [0, 0, 0, 0]).join(',')} d${(s.d ?? [1, 1]).join('×')}${s.mult ? ` mult ${s.mult}` : ''}`;
}

describe('fast int8 kernels equal the naive BigInt reference', () => {
  it.each(SPECS.map((s) => [describeSpec(s), s] as const))('%s', (_, spec) => {
    const seen = new Set<number>();
    for (let seed = 1; seed <= 6; seed++) {
      const layer = randomLayer(spec, seed * 101 + spec.c, seed > 4);
      const r = mulberry32(seed);
      const x = Int8Array.from({ length: layer.inputShapes[0].reduce((a, b) => a * b, 1) }, () => Math.floor(r() * 256) - 128);
      const fast = runLayerInt8(layer, [x]);
      const naive = naiveLayerInt8(layer, x);
      expect(Array.from(fast), `seed ${seed}`).toEqual(Array.from(naive));
      fast.forEach((v) => seen.add(v));
    }
    // Not a trivial agreement: the outputs are not all clamped to a few values.
    expect(seen.size).toBeGreaterThan(10);
  });
});

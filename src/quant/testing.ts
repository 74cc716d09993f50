/**
 * Test helpers for src/quant: a seeded small canonical MobileNet-like graph, seeded uint8 "images",
 * and a naive int8 layer reference (explicit zero-point padding, BigInt fixed-point arithmetic)
 * that shares no code with src/quant/kernels or arith.ts. Used only by *.test.ts files.
 */
import { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../ir/graph.js';
import type { Tensor } from '../ir/tensor.js';
import { floatTensor, sizeOf } from '../ir/tensor.js';
import type { QuantizedLayer, WeightedFields, WindowFields } from '../int8/types.js';
import { mulberry32 as rng } from '../util/random.js';

export { rng };

function gaussianFill(n: number, r: () => number, sigma: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const u = Math.max(r(), 1e-12);
    out[i] = sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * r());
  }
  return out;
}

/**
 * conv2d 3×3/2 (TF SAME pads [0,0,1,1]) + Relu6 → depthwise 3×3/1 + Relu6 → conv2d 1×1 + Relu6
 * → global_average_pool → fully_connected → softmax, on a [1, 3, size, size] input.
 * `deadChannel`: the pointwise conv's channel 1 gets weights ≈ 1e-14 and bias 0.7 (as in
 * conv_pw_2 of the real 0.25/128 model).
 */
export function tinyMobileNet(seed: number, opts: { size?: number; width?: number; classes?: number; deadChannel?: boolean } = {}): Graph {
  const size = opts.size ?? 16;
  const c1 = opts.width ?? 8;
  const c2 = 2 * c1;
  const classes = opts.classes ?? 10;
  const r = rng(seed);
  const t = (shape: number[], sigma: number) => floatTensor(shape, gaussianFill(sizeOf(shape), r, sigma));
  const bias = (n: number, lo: number, hi: number) => floatTensor([n], Float32Array.from({ length: n }, () => lo + (hi - lo) * r()));
  const pwW = t([c2, c1, 1, 1], 0.4);
  const pwB = bias(c2, -0.2, 0.5);
  if (opts.deadChannel) {
    const d = pwW.data as Float32Array;
    for (let k = 0; k < c1; k++) d[1 * c1 + k] = (k % 2 ? -1 : 1) * 1e-14 * (1 + k);
    (pwB.data as Float32Array)[1] = 0.7;
  }
  const relu6 = { act_min: 0, act_max: 6 };
  return new GraphBuilder('tiny_mobilenet')
    .input('input', [1, 3, size, size])
    .constant('w1', t([c1, 3, 3, 3], 0.5))
    .constant('b1', bias(c1, -0.3, 0.3))
    .constant('wd', t([c1, 1, 3, 3], 0.6))
    .constant('bd', bias(c1, -0.2, 0.4))
    .constant('wp', pwW)
    .constant('bp', pwB)
    .constant('wf', t([classes, c2], 0.5))
    .constant('bf', bias(classes, -0.5, 0.5))
    .node('conv2d', ['input', 'w1', 'b1'], ['a1'], { strides: [2, 2], pads: [0, 0, 1, 1], dilations: [1, 1], ...relu6 }, 'conv1')
    .node('depthwise_conv2d', ['a1', 'wd', 'bd'], ['a2'], { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], depth_multiplier: 1, ...relu6 }, 'conv_dw_1')
    .node('conv2d', ['a2', 'wp', 'bp'], ['a3'], { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], ...relu6 }, 'conv_pw_1')
    .node('global_average_pool', ['a3'], ['a4'], {}, 'pool')
    .node('fully_connected', ['a4', 'wf', 'bf'], ['logits'], {}, 'fc')
    .node('softmax', ['logits'], ['probs'], { axis: -1 }, 'softmax')
    .output('probs')
    .build();
}

/**
 * conv2d 3×3 (+ Relu) → average_pool 3×3/1 pad 1 → channel_affine → fully_connected, the ops
 * MobileNet does not use. count_include_pad as given.
 */
export function tinyPoolAffine(seed: number, countIncludePad: 0 | 1, size = 12): Graph {
  const r = rng(seed);
  const t = (shape: number[], sigma: number) => floatTensor(shape, gaussianFill(sizeOf(shape), r, sigma));
  return new GraphBuilder('tiny_pool_affine')
    .input('input', [1, 3, size, size])
    .constant('w1', t([6, 3, 3, 3], 0.5))
    .constant('b1', t([6], 0.2))
    .constant('s', floatTensor([6], Float32Array.from({ length: 6 }, () => 0.5 + r())))
    .constant('sb', t([6], 0.3))
    .constant('wf', t([4, 6 * size * size], 0.05))
    .constant('bf', t([4], 0.1))
    .node('conv2d', ['input', 'w1', 'b1'], ['a1'], { strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], act_min: 0, act_max: Infinity }, 'conv')
    .node('average_pool', ['a1'], ['a2'], { kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], count_include_pad: countIncludePad }, 'avg')
    .node('channel_affine', ['a2', 's', 'sb'], ['a3'], {}, 'affine')
    .node('fully_connected', ['a3', 'wf', 'bf'], ['y'], {}, 'fc')
    .output('y')
    .build();
}

/** Seeded uint8 HWC "images" with smooth structure (so activations are not pure noise). */
export function randomPixels(seed: number, size: number): Uint8Array {
  const r = rng(seed);
  const px = new Uint8Array(size * size * 3);
  const fx = 1 + 3 * r(), fy = 1 + 3 * r(), ph = 6 * r();
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let c = 0; c < 3; c++) {
        const v = 128 + 90 * Math.sin((fx * x + fy * y) / size * 2 * Math.PI + ph + c) + 37 * (r() - 0.5);
        px[(y * size + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return px;
}

/** Float NCHW input from HWC uint8 pixels: (p − mean)/std. */
export function pixelsToFloat(px: Uint8Array, size: number, mean: number, std: number): Tensor {
  const plane = size * size;
  const d = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) d[c * plane + p] = (px[p * 3 + c] - mean) / std;
  return floatTensor([1, 3, size, size], d);
}

// ---- naive int8 reference (BigInt fixed point, explicit padding) ----

function srdhm(a: bigint, b: bigint): bigint {
  const MIN = -(1n << 31n);
  if (a === MIN && b === MIN) return (1n << 31n) - 1n;
  const ab = a * b;
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return (ab + nudge) / (1n << 31n);
}
function rdbpot(x: bigint, n: bigint): bigint {
  const mask = (1n << n) - 1n;
  const rem = x & mask;
  const threshold = (mask >> 1n) + (x < 0n ? 1n : 0n);
  return (x >> n) + (rem > threshold ? 1n : 0n);
}
function requant(acc: bigint, m: number, shift: number, zp: number, lo: number, hi: number): number {
  const left = BigInt(Math.max(shift, 0));
  const right = BigInt(Math.max(-shift, 0));
  const v = Number(rdbpot(srdhm(BigInt.asIntN(32, acc << left), BigInt(m)), right)) + zp;
  return Math.min(hi, Math.max(lo, v));
}

/** One layer, computed the slow obvious way: pad with zp_in, loop over every tap, BigInt requantize. */
export function naiveLayerInt8(layer: QuantizedLayer, x: Int8Array): Int8Array {
  const out = new Int8Array(sizeOf(layer.outputShape));
  // A copy with the single input's shape, and a global pool as a window over the whole plane.
  const global = layer.op === 'global_average_pool' ? { kernel: layer.inputShapes[0].slice(2), strides: [1, 1], pads: [0, 0, 0, 0], countIncludePad: 1 } : {};
  const l = { ...layer, inputShape: layer.inputShapes[0], ...global } as QuantizedLayer & Partial<WeightedFields & WindowFields> & { countIncludePad?: number; depthMultiplier?: number; inputShape: readonly number[] };
  const zpIn = l.inputQ[0].zeroPoint;
  if (l.op === 'fully_connected') {
    const [O, K] = l.weightShape!;
    const N = l.inputShape[0];
    for (let n = 0; n < N; n++) {
      for (let o = 0; o < O; o++) {
        let acc = BigInt(l.bias![o]);
        for (let k = 0; k < K; k++) acc += BigInt(l.weights![o * K + k]) * BigInt(x[n * K + k] - zpIn);
        out[n * O + o] = requant(acc, l.multiplier![o], l.shift![o], l.outputQ.zeroPoint, l.actMin, l.actMax);
      }
    }
    return out;
  }
  const [N, C, H, W] = l.inputShape;
  const [, O, Ho, Wo] = l.outputShape;
  const [KH, KW] = l.kernel!;
  const [sh, sw] = l.strides!;
  const [pt, pl, pb, pr] = l.pads!;
  const Hp = H + pt + pb, Wp = W + pl + pr;
  // Explicitly padded copy.
  const xp = new Int32Array(N * C * Hp * Wp).fill(zpIn);
  for (let n = 0; n < N; n++) for (let c = 0; c < C; c++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) {
    xp[((n * C + c) * Hp + h + pt) * Wp + w + pl] = x[((n * C + c) * H + h) * W + w];
  }
  for (let n = 0; n < N; n++) for (let o = 0; o < O; o++) for (let oh = 0; oh < Ho; oh++) for (let ow = 0; ow < Wo; ow++) {
    if (l.op === 'average_pool' || l.op === 'global_average_pool') {
      // count_include_pad = 1: positions in the padding (not past it) count and read zp_in.
      let sum = 0, count = 0;
      for (let i = 0; i < KH; i++) for (let j = 0; j < KW; j++) {
        const h = oh * sh + i - pt, w = ow * sw + j - pl;
        const inside = h >= 0 && h < H && w >= 0 && w < W;
        const inPadded = h >= -pt && h < H + pb && w >= -pl && w < W + pr;
        if (inside) { sum += x[((n * O + o) * H + h) * W + w]; count++; }
        else if (inPadded && l.countIncludePad === 1) { sum += zpIn; count++; }
      }
      // (sum ± count/2) / count in C: truncating division.
      // No counted position (a window wholly in uncounted padding): the output is real 0.
      const half = Math.floor(count / 2);
      const q = count === 0 ? zpIn : sum > 0 ? Math.trunc((sum + half) / count) : -Math.trunc((-sum + half) / count);
      out[((n * O + o) * Ho + oh) * Wo + ow] = Math.min(l.actMax, Math.max(l.actMin, q));
      continue;
    }
    let acc = BigInt(l.bias![o]);
    const dh = l.dilations![0], dw = l.dilations![1];
    const cs = l.op === 'depthwise_conv2d' ? [Math.floor(o / (l.depthMultiplier ?? 1))] : Array.from({ length: C }, (_, c) => c);
    cs.forEach((c, ci) => {
      for (let i = 0; i < KH; i++) for (let j = 0; j < KW; j++) {
        const wv = l.op === 'depthwise_conv2d' ? l.weights![(o * KH + i) * KW + j] : l.weights![((o * C + c) * KH + i) * KW + j];
        void ci;
        const xv = xp[((n * C + c) * Hp + oh * sh + i * dh) * Wp + ow * sw + j * dw];
        acc += BigInt(wv) * BigInt(xv - zpIn);
      }
    });
    out[((n * O + o) * Ho + oh) * Wo + ow] = requant(acc, l.multiplier![o], l.shift![o], l.outputQ.zeroPoint, l.actMin, l.actMax);
  }
  return out;
}

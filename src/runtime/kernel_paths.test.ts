/**
 * The kernels' target paths — DSP (Cortex-M4), Helium (Cortex-M55), portable (Cortex-M3) and its
 * Armv6-M variant (Cortex-M0+) — each
 * bit-exact with the TypeScript integer reference on geometries chosen to reach every branch the
 * host (portable-only) tests cannot: channel counts that are not multiples of 4 or 16 (the DSP
 * fallbacks, the Helium predicated tails), pixel counts and row widths that leave partial steps,
 * the depthwise row-ring and pixel paths, in place and not, stride 1 and 2, K not a multiple of 4 in
 * the im2col kernel, output-channel tails. Small seeded graphs, random inputs, emulated in QEMU.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../ir/graph.js';
import { floatTensor, sizeOf, type Tensor } from '../ir/tensor.js';
import { calibrate } from '../quant/calibrate.js';
import { quantizeGraph } from '../quant/quantize.js';
import { pixelsToInt8Nchw } from '../quant/interpret_int8.js';
import { rng } from '../quant/testing.js';
import { emitModel, writeFiles } from '../emit/testing.js';
import { quantizeMultiplier } from '../int8/arith.js';
import { hasWeights } from '../int8/types.js';
import { runOnTarget, TARGET_TOOLS } from '../target/run_target.js';
import { announceSkip, missingTools } from '../target/testing.js';

const skip = missingTools(TARGET_TOOLS);
announceSkip('kernel paths on emulated Cortex-M4 / M55 / M3 / M0+', skip);

interface Block {
  readonly dw?: { stride: number; pads: [number, number, number, number] };
  readonly pw: number;
}

/** conv 3×3 (3 → c0, im2col) then depthwise 3×3 / pointwise pairs, global pool, fc: a MobileNet in miniature. */
function pathsGraph(seed: number, h: number, w: number, c0: number, conv: { stride: number; pads: [number, number, number, number] }, blocks: Block[], activation = true): Graph {
  const r = rng(seed);
  const t = (shape: number[], s: number) => floatTensor(shape, Float32Array.from({ length: sizeOf(shape) }, () => s * (2 * r() - 1)));
  const b = new GraphBuilder('paths').input('input', [1, 3, h, w]);
  // without an activation every layer clamps to all of int8: the paths that requantize in assembly
  const relu6: Record<string, number> = activation ? { act_min: 0, act_max: 6 } : {};
  b.constant('w0', t([c0, 3, 3, 3], 0.5)).constant('b0', t([c0], 0.2));
  b.node('conv2d', ['input', 'w0', 'b0'], ['x0'], { strides: [conv.stride, conv.stride], pads: conv.pads, dilations: [1, 1], ...relu6 }, 'conv0');
  let x = 'x0';
  let c = c0;
  blocks.forEach((blk, i) => {
    if (blk.dw) {
      b.constant(`dw${i}`, t([c, 1, 3, 3], 0.6)).constant(`dwb${i}`, t([c], 0.2));
      b.node('depthwise_conv2d', [x, `dw${i}`, `dwb${i}`], [`d${i}`], { strides: [blk.dw.stride, blk.dw.stride], pads: blk.dw.pads, dilations: [1, 1], ...relu6 }, `dw_${i}`);
      x = `d${i}`;
    }
    b.constant(`pw${i}`, t([blk.pw, c, 1, 1], 0.4)).constant(`pwb${i}`, t([blk.pw], 0.2));
    b.node('conv2d', [x, `pw${i}`, `pwb${i}`], [`p${i}`], { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], ...relu6 }, `pw_${i}`);
    x = `p${i}`;
    c = blk.pw;
  });
  b.constant('wf', t([5, c], 0.5)).constant('bf', t([5], 0.1));
  b.node('global_average_pool', [x], ['g'], {}, 'gap').node('fully_connected', ['g', 'wf', 'bf'], ['logits'], {}, 'fc');
  return b.output('logits').build();
}

/** Float NCHW input x/127.5 − 1 from HWC uint8 pixels. */
function toFloat(px: Uint8Array, h: number, w: number): Tensor {
  const plane = h * w;
  const d = new Float32Array(3 * plane);
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) d[c * plane + p] = px[p * 3 + c] / 127.5 - 1;
  return floatTensor([1, 3, h, w], d);
}

type Cpu = 'cortex-m4' | 'cortex-m55' | 'cortex-m3' | 'cortex-m0plus';
const ALL_CPUS: readonly Cpu[] = ['cortex-m4', 'cortex-m55', 'cortex-m3', 'cortex-m0plus'];

const CASES: { name: string; graph: () => Graph; h: number; w: number; zeroShift?: boolean; ties?: boolean; cpus?: readonly Cpu[]; stream?: number; band?: number }[] = [
  {
    // Wide rows: the depthwise row ring (in place at stride 1, stride 2 with a partial last step),
    // channels multiples of 4, pixel counts not multiples of 4, odd K/4 in the pointwise product.
    name: 'wide',
    h: 21,
    w: 22,
    graph: () => pathsGraph(11, 21, 22, 8, { stride: 1, pads: [1, 1, 1, 1] }, [
      { dw: { stride: 1, pads: [1, 1, 1, 1] }, pw: 12 },
      { dw: { stride: 2, pads: [1, 1, 1, 1] }, pw: 20 },
      { dw: { stride: 2, pads: [0, 0, 1, 1] }, pw: 16 },
      { dw: { stride: 1, pads: [1, 1, 1, 1] }, pw: 36 },
    ]),
  },
  {
    // Odd channel counts (6, 10, 18: the DSP fallbacks, Helium tails of 6 and 2, output-channel
    // tails), the pixel path of narrow rows in place and at stride 2, unpadded depthwise, TF 'SAME'
    // stride 2 in the first conv (K = 27). One channel in three of every layer rescaled by a real
    // multiplier in [0.5, 1) (shift 0: no rounding shift, as in the ImageNet MobileNets).
    name: 'odd',
    h: 13,
    w: 11,
    zeroShift: true,
    graph: () => pathsGraph(12, 13, 11, 6, { stride: 2, pads: [0, 0, 1, 1] }, [
      { dw: { stride: 1, pads: [1, 1, 1, 1] }, pw: 10 },
      { dw: { stride: 2, pads: [1, 1, 1, 1] }, pw: 12 },
      { dw: { stride: 1, pads: [1, 1, 1, 1] }, pw: 18 },
      { dw: { stride: 1, pads: [0, 0, 0, 0] }, pw: 8 },
      { pw: 7 },
    ]),
  },
  {
    // The Helium products specialised by column length: K = 16, 32, 64, 128 and 256 against
    // word-aligned rows (columns16 .. columns256 in onnx2mcu_gemm_s8.c), run forward and, for the
    // expanding layers the planner overlaps, backward; the depthwise pixel path on 5-wide rows; K = 20 and out_c = 6
    // through the general column.
    name: 'columns',
    h: 10,
    w: 9,
    cpus: ['cortex-m55', 'cortex-m4'],
    graph: () => pathsGraph(13, 10, 9, 16, { stride: 1, pads: [1, 1, 1, 1] }, [
      { dw: { stride: 1, pads: [1, 1, 1, 1] }, pw: 32 },
      { dw: { stride: 2, pads: [1, 1, 1, 1] }, pw: 64 },
      { dw: { stride: 1, pads: [1, 1, 1, 1] }, pw: 128 },
      { dw: { stride: 1, pads: [1, 1, 1, 1] }, pw: 256 },
      { dw: { stride: 1, pads: [1, 1, 1, 1] }, pw: 20 },
      { pw: 6 },
    ]),
  },
  {
    // Rounding ties: no activation (the int8-wide clamp, so the assembly requantizations run) and
    // layers rewritten so that about half of all outputs fall exactly halfway, negative ones
    // included: TFLite rounds those away from zero, which the two-step shift of the DSP assembly
    // must reproduce (with a real model's shifts of 6-12, ties are rare).
    name: 'ties',
    h: 20,
    w: 18,
    ties: true,
    cpus: ['cortex-m4', 'cortex-m55', 'cortex-m3'],
    // 10x9 after the first conv: the depthwise row ring at stride 1, then the pixel path
    graph: () => pathsGraph(14, 20, 18, 8, { stride: 2, pads: [0, 0, 1, 1] }, [
      { dw: { stride: 1, pads: [1, 1, 1, 1] }, pw: 16 },
      { dw: { stride: 2, pads: [1, 1, 1, 1] }, pw: 32 },
      { dw: { stride: 1, pads: [1, 1, 1, 1] }, pw: 12 },
    ], false),
  },
  {
    // The DSP product loop's entries (gemm4_full in onnx2mcu_gemm_s8.c: a first step, then (k4 - 1) % 8
    // steps through a TBB table, then whole passes of 8): pointwise K = 4, 12, 20, 24, 36 and 68
    // (k4 = 1, 3, 5, 6, 9, 17; with the other cases' 2, 4, 8 and the first conv's 7, every entry),
    // no activation so that the int8-wide clamp takes the assembly, shift-0 channels in every layer.
    // On the Cortex-M3 the same layers reach conv_1x1_v7m's blocks of two pixels x three channels,
    // with 1 or 2 channels left over (20, 68 and 7 outputs) through its 2x2 product; its lone last
    // pixel (an odd pixel count) is 'ties'' (25 pixels after the stride-2 depthwise).
    name: 'entries',
    h: 10,
    w: 11,
    zeroShift: true,
    cpus: ['cortex-m4', 'cortex-m55', 'cortex-m3'],
    graph: () => pathsGraph(15, 10, 11, 4, { stride: 1, pads: [1, 1, 1, 1] }, [
      { dw: { stride: 1, pads: [1, 1, 1, 1] }, pw: 12 },
      { pw: 20 },
      { pw: 24 },
      { pw: 36 },
      { pw: 68 },
      { pw: 7 },
    ], false),
  },
];
// The same geometries with their first layers streamed row by row (convert --ram-limit): every
// kernel called on a window for one row (wide) or bands of up to three (odd), with the window's
// local padding.
const STREAMED = CASES.filter((c) => c.name === 'wide' || c.name === 'odd').map((c) => ({
  ...c, name: `${c.name}, streamed`, stream: c.name === 'wide' ? 7 : 5, band: c.name === 'wide' ? 1 : 3, cpus: c.name === 'wide' ? ['cortex-m4', 'cortex-m55', 'cortex-m0plus'] as const : ['cortex-m4', 'cortex-m55'] as const,
}));
CASES.push(...STREAMED);

const work = mkdtempSync(join(tmpdir(), 'onnx2mcu-kernel-paths-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(skip !== null)('kernel paths on emulated Cortex-M: bit-exact with the integer reference', () => {
  for (const cs of CASES) {
    const dir = join(work, cs.name.replace(/\W+/g, '_'));
    const build = () => {
      const g = cs.graph();
      const pixels = Array.from({ length: 6 }, (_, i) => {
        const r = rng(900 + i);
        return Uint8Array.from({ length: cs.h * cs.w * 3 }, () => Math.floor(256 * r()));
      });
      const floats = pixels.map((px) => toFloat(px, cs.h, cs.w));
      const model = quantizeGraph(g, calibrate(g, floats, { method: 'minmax', progress: 'none' }), {
        inputScaling: 'x/127.5-1',
        calibrationInt8: pixels.map((px) => pixelsToInt8Nchw(px, cs.h, cs.w)),
      });
      if (cs.ties) {
        // weights in {-1, 0, 1}, small biases and every scale in [0.25, 0.5) as a right shift of 1: the
        // sums stay small enough not to saturate, and the rounding shift ties whenever its input
        // is odd, about half of all outputs
        for (const l of model.layers) {
          if (!hasWeights(l)) continue;
          for (let i = 0; i < l.weights.length; i++) l.weights[i] = ((i * 7) % 3) - 1;
          for (let o = 0; o < l.multiplier.length; o++) {
            l.bias[o] = (o % 5) - 2;
            l.multiplier[o] = (1 << 30) + o * 12345;
            // and, in the convolutions (not the depthwise layers, whose assembly needs every channel
            // shifted), some channels with shift 0: no rounding shift at all
            l.shift[o] = o % 5 === 4 && l.weightShape[1] !== 1 ? 0 : -1;
          }
        }
      }
      if (cs.zeroShift) {
        for (const l of model.layers) {
          if (!hasWeights(l)) continue;
          for (let o = 1; o < l.multiplier.length; o += 3) {
            const q = quantizeMultiplier(0.55 + 0.1 * (o % 4));
            l.multiplier[o] = q.multiplier;
            l.shift[o] = q.shift;
          }
        }
      }
      const e = emitModel(model, cs.stream ? { streamLayers: cs.stream, streamBand: cs.band } : {});
      if (cs.stream) expect(e.runner.stream!.layers).toHaveLength(cs.stream);
      writeFiles(dir, e.files);
      return e;
    };
    it(`${cs.name}: the kernels it reaches`, () => {
      const e = build();
      const kernels = e.lowered.layers.map((l) => l.kernel);
      expect(kernels[0]).toBe('conv_im2col');
      expect(kernels).toContain('conv_1x1');
      expect(kernels).toContain('dw_conv_3x3');
      if (cs.zeroShift) expect(e.lowered.layers.filter((l) => l.data).every((l) => Array.from(l.data!.shift).includes(0))).toBe(true);
    });
    for (const cpu of cs.cpus ?? ALL_CPUS) {
      it(`${cs.name} on ${cpu}: every output byte equals the reference (4 random inputs)`, async () => {
        const r = await runOnTarget(dir, { cpu, random: 4, seed: 7, work: join(work, `${cs.name.replace(/\W+/g, '_')}-${cpu}`) });
        expect(r.mismatchDetails).toEqual([]);
        expect(r.bitExact).toBe(true);
        expect(r.inputs.random).toBe(4);
      }, 120_000);
    }
  }
});

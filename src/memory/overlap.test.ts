/**
 * Overlapping placement (issue 11): the shifts found for a kernel's access order against hand
 * computation, the byte-model replay catching a plan that is one word too tight, and random
 * MobileNet-like chains (odd sizes, strides, pads, channel counts not a multiple of 4) planned with
 * overlaps, replayed, and run in C byte for byte against the integer reference under the sanitizers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { pointwiseAccess } from '../ops/conv2d.js';
import { GraphBuilder } from '../graph/builder.js';
import { floatTensor, sizeOf } from '../ir/tensor.js';
import { calibrate } from '../quant/calibrate.js';
import { quantizeGraph } from '../quant/quantize.js';
import { pixelsToInt8Nchw } from '../quant/interpret_int8.js';
import { rng } from '../quant/testing.js';
import { emitModel, writeFiles } from '../emit/testing.js';
import { availableCompilers } from '../verify/compile.js';
import { verifyArtifacts } from '../verify/verify.js';
import { overlapShifts, replayPlan, safeShift } from './overlap.js';

describe('overlapShifts: a pointwise 8 → 16 channels over 8 pixels (two blocks of four)', () => {
  // Forward, block b writes [64b, 64b + 64) while blocks ≥ b still read from 32b (reads and writes
  // interleave within a block): shift + 64b + 63 < 32b for b = 0, 1 → shift ≤ −96. Backward
  // (output above input), block b writes from 64b while blocks ≤ b read up to 32b + 31:
  // shift + 64b > 32b + 31 for b = 1, 0 → shift ≥ 32. Any shift between overlaps unsafely.
  const model = pointwiseAccess(8, 8, 16);
  it('finds exactly the two extremes, hand-computed', () => {
    expect(overlapShifts(model, 64, 128, 4)).toEqual([-96, 32]);
    expect(safeShift(model, 64, -96)).toBe(true);
    expect(safeShift(model, 64, -92)).toBe(false);
    expect(safeShift(model, 64, 0)).toBe(false);
    expect(safeShift(model, 64, 28)).toBe(false);
    expect(safeShift(model, 64, 32)).toBe(true);
  });

  it('the replay accepts the plan at −96 and names the clobbered byte one word tighter', () => {
    const plan = (shift: number) => {
      const inAt = 96, outAt = inAt + shift;
      return replayPlan(inAt + 64 + 64, [{ tensor: 'x', offset: inAt, bytes: 64 }], [
        { name: 'pw', inputs: [{ tensor: 'x', offset: inAt, bytes: 64 }], outputs: [{ tensor: 'y', offset: outAt, bytes: 128 }], access: model },
      ]);
    };
    expect(plan(-96)).toBeUndefined();
    expect(plan(-92)).toMatch(/^pw: pointwise, 4-pixel blocks from the first step \d+ .*reads 'x'|writes over input bytes the same step reads/);
  });
});

const work = mkdtempSync(join(tmpdir(), 'onnx2mcu-overlap-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** conv 3×3 → (depthwise 3×3, pointwise) × n → global pool → fc, with the given geometry. */
function chain(seed: number, h: number, w: number, c0: number, s0: number, blocks: readonly { s: number; pads: readonly number[]; out: number }[]) {
  const r = rng(seed);
  const t = (shape: number[], sc: number) => floatTensor(shape, Float32Array.from({ length: sizeOf(shape) }, () => sc * (2 * r() - 1)));
  const b = new GraphBuilder('chain').input('input', [1, 3, h, w]);
  b.constant('w0', t([c0, 3, 3, 3], 0.5)).constant('b0', t([c0], 0.2));
  b.node('conv2d', ['input', 'w0', 'b0'], ['x0'], { strides: [s0, s0], pads: [1, 1, 1, 1], dilations: [1, 1], act_min: 0, act_max: 6 }, 'conv0');
  let x = 'x0', c = c0;
  blocks.forEach((blk, i) => {
    b.constant(`dw${i}`, t([c, 1, 3, 3], 0.6)).constant(`dwb${i}`, t([c], 0.2));
    b.node('depthwise_conv2d', [x, `dw${i}`, `dwb${i}`], [`d${i}`], { strides: [blk.s, blk.s], pads: blk.pads, dilations: [1, 1], act_min: 0, act_max: 6 }, `dw_${i}`);
    b.constant(`pw${i}`, t([blk.out, c, 1, 1], 0.4)).constant(`pwb${i}`, t([blk.out], 0.2));
    b.node('conv2d', [`d${i}`, `pw${i}`, `pwb${i}`], [`p${i}`], { strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], act_min: 0, act_max: 6 }, `pw_${i}`);
    x = `p${i}`;
    c = blk.out;
  });
  b.constant('wf', t([3, c], 0.5)).constant('bf', t([3], 0.1));
  b.node('global_average_pool', [x], ['g'], {}, 'gap').node('fully_connected', ['g', 'wf', 'bf'], ['logits'], {}, 'fc');
  return b.output('logits').build();
}

describe.skipIf(availableCompilers().length === 0)('random chains: planned with overlaps, replayed, bit-exact in C', () => {
  it('8 seeded geometries (odd sizes and channel counts, strides 1/2, pads 0/1)', async () => {
    const block = fc.record({ s: fc.constantFrom(1, 2), pads: fc.constantFrom([1, 1, 1, 1], [0, 0, 1, 1], [0, 0, 0, 0]), out: fc.integer({ min: 3, max: 21 }) });
    const geometry = fc.record({
      h: fc.integer({ min: 5, max: 19 }), w: fc.integer({ min: 5, max: 19 }), c0: fc.integer({ min: 3, max: 12 }), s0: fc.constantFrom(1, 2),
      blocks: fc.array(block, { minLength: 1, maxLength: 3 }),
    });
    let overlapsSeen = 0;
    let run = 0;
    const out = (n: number, s: number, p0: number, p1: number) => Math.floor((n + p0 + p1 - 3) / s) + 1;
    const valid = (g: { h: number; w: number; s0: number; blocks: readonly { s: number; pads: readonly number[] }[] }) => {
      let h = out(g.h, g.s0, 1, 1), w = out(g.w, g.s0, 1, 1);
      for (const b of g.blocks) {
        h = out(h, b.s, b.pads[0], b.pads[2]);
        w = out(w, b.s, b.pads[1], b.pads[3]);
        if (h < 1 || w < 1) return false;
      }
      return h >= 1 && w >= 1;
    };
    await fc.assert(fc.asyncProperty(geometry, async (g) => {
      fc.pre(valid(g));
      const graph = chain(run, g.h, g.w, g.c0, g.s0, g.blocks);
      const r = rng(700 + run);
      const pixels = Array.from({ length: 3 }, () => Uint8Array.from({ length: g.h * g.w * 3 }, () => Math.floor(256 * r())));
      const floats = pixels.map((px) => {
        const plane = g.h * g.w;
        const d = new Float32Array(3 * plane);
        for (let p = 0; p < plane; p++) for (let ch = 0; ch < 3; ch++) d[ch * plane + p] = px[p * 3 + ch] / 127.5 - 1;
        return floatTensor([1, 3, g.h, g.w], d);
      });
      const model = quantizeGraph(graph, calibrate(graph, floats, { method: 'minmax', progress: 'none' }), {
        inputScaling: 'x/127.5-1', calibrationInt8: pixels.map((px) => pixelsToInt8Nchw(px, g.h, g.w)),
      });
      const e = emitModel(model); // planMemory replays the plan byte by byte and throws if a kernel would read clobbered bytes
      overlapsSeen += e.manifest.arena.overlaps.length;
      const dir = join(work, `chain_${run++}`);
      writeFiles(dir, e.files);
      const v = await verifyArtifacts(dir, { model, random: 12, sanitizedInputs: 1, compilers: [availableCompilers()[0]] });
      expect(v.mismatches).toBe(0);
    }), { numRuns: 8, seed: 1111, endOnFailure: true });
    expect(overlapsSeen).toBeGreaterThan(8); // the overlaps really happen
  }, 300_000);
});

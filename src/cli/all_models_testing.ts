/**
 * The body of all_models.test.ts and all_models_large.test.ts (split in two files so that vitest's
 * two workers can run them side by side: the 0.5/224 model alone is minutes of CPU).
 *
 * Every model in ../shared/models, converted and verified (issue 5): convertModel calibrated on 8
 * images (vww → images/vww, the ImageNet / flowers models → images/imagenet-val128), then
 * verifyArtifacts with gcc AND clang (strict flags, then ASan + UBSan on a few inputs) on real
 * images (vww: all 8; others: 10 of imagenet-val128) and 200 random inputs, flash and blob paths,
 * byte for byte against the TypeScript integer reference.
 *
 * Arena: the tensors of a MobileNet v1 are a chain, so at any layer only its input and output are
 * alive; the floor is the largest input+output pair (the caller's input and output buffers are
 * outside the arena), an in-place depthwise 3x3 needing its input plus two saved input rows
 * instead. That bound is computed here from the QuantizedModel's shapes alone and the arena must
 * equal it; for VWW the largest pair must be the 55,296 bytes and the arena at most that
 * plus kernel scratch. A table "model, arena bytes, peak layer, flash bytes" is printed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuantizedModel } from '../int8/types.js';
import type { DepthwiseConv2dLayer } from '../ops/depthwise_conv2d.js';
import { HAVE_SHARED, sharedModels, sharedPath, skipMessage } from '../util/shared.js';
import { availableCompilers } from '../verify/compile.js';
import { convertModel } from './convert.js';
import { verifyArtifacts } from '../verify/verify.js';

const CALIB_COUNT = 8;
const IMAGENET_IMAGES = 10;
const RANDOM = 200;
const SANITIZED = 1;
const VWW_FLOOR = 55296;

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

interface Bound {
  /** max over layers of the bytes that layer needs in the arena. */
  readonly bytes: number;
  /** The layers that need exactly `bytes`. */
  readonly layers: readonly string[];
  /** The largest input+output pair (arena tensors only), ignoring in-place. */
  readonly maxPair: number;
  /** The largest kernel scratch (two input rows of an in-place depthwise 3x3). */
  readonly maxScratch: number;
}

/** The arena floor from the QuantizedModel's tensor shapes (see the file comment). */
function arenaBound(m: QuantizedModel): Bound {
  const external = new Set([m.input.name, m.output.name]);
  const bytes = (t: string, shape: readonly number[]) => (external.has(t) ? 0 : prod(shape));
  const need: { name: string; bytes: number }[] = [];
  let maxPair = 0;
  let maxScratch = 0;
  m.layers.forEach((l, i) => {
    // a chain: each layer reads the previous layer's output and nothing later reads it again
    expect(l.inputs, `${l.name} reads the previous output`).toEqual([i === 0 ? m.input.name : m.layers[i - 1].output]);
    const inB = bytes(l.inputs[0], l.inputShapes[0]);
    const outB = bytes(l.output, l.outputShape);
    maxPair = Math.max(maxPair, inB + outB);
    const [, C, , W] = l.inputShapes[0];
    const d = l as DepthwiseConv2dLayer;
    const inPlace =
      l.op === 'depthwise_conv2d' && inB > 0 && outB > 0 && d.kernel[0] === 3 && d.kernel[1] === 3 && d.depthMultiplier === 1 &&
      d.strides.every((s) => s === 1) && d.dilations.every((x) => x === 1) &&
      d.pads.every((p) => p <= 1) && l.outputShape.join() === l.inputShapes[0].join();
    if (inPlace) {
      const scratch = 2 * W * C;
      maxScratch = Math.max(maxScratch, scratch);
      need.push({ name: l.name, bytes: inB + scratch });
    } else need.push({ name: l.name, bytes: inB + outB });
  });
  const top = Math.max(...need.map((n) => n.bytes));
  return { bytes: top, layers: need.filter((n) => n.bytes === top).map((n) => n.name), maxPair, maxScratch };
}

/** Registers the convert + verify test of every ../shared model whose file name `select` accepts. */
export function describeConvertAndVerify(select: (file: string) => boolean): void {
  skipMessage('convert + verify of the models in ../shared/models');
  const work = mkdtempSync(join(tmpdir(), 'onnx2mcu-all-models-'));
  const rows: string[][] = [];
  let started = 0;
  beforeAll(() => {
    started = Date.now();
  });
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
    if (rows.length === 0) return;
    const head = ['model', 'arena bytes', 'peak layer', 'flash bytes', 'largest pair', 'images', 'random', 'mismatches', 'seconds'];
    const all = [head, ...rows];
    const width = head.map((_, c) => Math.max(...all.map((r) => r[c].length)));
    const line = (r: string[]) => r.map((x, c) => x.padEnd(width[c])).join('  ');
    console.log(['', line(head), ...rows.map(line), `total ${((Date.now() - started) / 1000).toFixed(1)} s`, ''].join('\n'));
  });

  describe.skipIf(!HAVE_SHARED)('every model in ../shared: convert, then the C equals runInt8 (gcc + clang)', () => {
    it('gcc and clang are both installed (the Makefile installs clang)', () => {
      const cc = availableCompilers();
      expect(cc.includes('gcc'), 'gcc not found on PATH').toBe(true);
      expect(cc.includes('clang'), 'clang not found on PATH: run `make` (it installs clang) or apt-get install clang').toBe(true);
    });

    for (const sm of HAVE_SHARED ? sharedModels().filter((m) => select(m.file)) : []) {
      const vww = sm.file.startsWith('vww');
      it(sm.file, async () => {
        const t0 = Date.now();
        const cc = availableCompilers();
        if (!cc.includes('gcc') || !cc.includes('clang')) throw new Error(`${sm.file}: needs both gcc and clang (found: ${cc.join(', ') || 'none'})`);
        const calib = sharedPath('images', vww ? 'vww' : 'imagenet-val128');
        const out = join(work, sm.file.replace(/\.onnx$/, ''));
        const r = await convertModel({ model: sm.path, calib, out, calibCount: CALIB_COUNT, progress: 'none' });
        expect(r.calibration.images).toBe(CALIB_COUNT);

        // arena: exactly the floor computed from the shapes, and the plan's peak layer is one that needs it
        const bound = arenaBound(r.model);
        const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
        expect(manifest.arena.bytes).toBe(r.arenaBytes);
        expect(r.arenaBytes, `${sm.file}: arena vs the largest input+output pair (+ scratch)`).toBe(bound.bytes);
        expect(r.arenaBytes).toBeLessThanOrEqual(bound.maxPair + bound.maxScratch);
        const peakStep = manifest.arena.peak_layer as string;
        const peakLayer = (manifest.layers as { ident: string; name: string }[]).find((c) => c.ident === peakStep)?.name ?? peakStep;
        expect(bound.layers).toContain(peakLayer);
        if (vww) {
          expect(bound.maxPair).toBe(VWW_FLOOR); // pw1: 48×48×8 + 48×48×16
          expect(r.arenaBytes).toBeLessThanOrEqual(VWW_FLOOR + bound.maxScratch);
        }
        expect(manifest.flash.total).toBe(r.flashBytes);

        const v = await verifyArtifacts(out, {
          images: calib,
          ...(vww ? {} : { imageLimit: IMAGENET_IMAGES }),
          random: RANDOM,
          model: r.model,
          compilers: ['gcc', 'clang'],
          sanitizedInputs: SANITIZED,
        });
        expect(v.compilers).toEqual(['gcc', 'clang']);
        expect(v.builds).toHaveLength(4);
        expect(v.builds.filter((b) => b.includes('asan_ubsan'))).toHaveLength(2);
        expect(v).toMatchObject({ images: vww ? 8 : IMAGENET_IMAGES, random: RANDOM, mismatches: 0 });

        rows.push([
          sm.file.replace(/\.onnx$/, ''), r.arenaBytes.toLocaleString('en-US'), peakLayer, r.flashBytes.toLocaleString('en-US'),
          bound.maxPair.toLocaleString('en-US'), String(v.images), String(v.random), String(v.mismatches), ((Date.now() - t0) / 1000).toFixed(1),
        ]);
      }, 600_000);
    }
  });
}

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
 * Arena (issue 11): the input lives in the arena, and a layer may write its output over input it
 * has consumed where its kernel's order allows (the planner replays every step on a byte model of
 * the arena before accepting a plan). So the floor is the largest single tensor (computed here from
 * the QuantizedModel's shapes alone: the input included, the caller's output buffer not), and the
 * arena must stay within 1 KiB of it; the targets are checked for the models it names.
 * A table "model, arena bytes, largest tensor, peak layer, flash bytes" is printed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QuantizedModel } from '../int8/types.js';
import { HAVE_SHARED, sharedModels, sharedPath, skipMessage } from '../util/shared.js';
import { availableCompilers } from '../verify/compile.js';
import { convertModel } from './convert.js';
import { verifyArtifacts } from '../verify/verify.js';

const CALIB_COUNT = 8;
const IMAGENET_IMAGES = 10;
const RANDOM = 200;
const SANITIZED = 1;
/** Issue 11's targets: arena bytes, input and kernel scratch included. */
const ARENA_TARGETS: Record<string, number> = {
  'vww_96_mlcommons.onnx': 37_000,
  'mobilenet_v1_0.25_128_imagenet.onnx': 66_000,
  'mobilenet_v1_0.25_224_imagenet.onnx': 202_000,
  'mobilenet_v1_0.5_224_flowers.onnx': 403_000,
};
/** How far above the largest tensor a plan may be: kernel scratch and the overlaps' few words. */
const ARENA_SLACK = 1024;

const prod = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** The largest tensor the arena must hold (the model input included, the caller's output buffer not). */
function largestTensor(m: QuantizedModel): number {
  return Math.max(prod(m.input.shape), ...m.layers.filter((l) => l.output !== m.output.name).map((l) => prod(l.outputShape)));
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
    const head = ['model', 'arena bytes', 'largest tensor', 'peak layer', 'flash bytes', 'images', 'random', 'mismatches', 'seconds'];
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

        // arena: the input inside, at least the largest tensor, within ARENA_SLACK of it, within the target
        const largest = largestTensor(r.model);
        const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
        expect(manifest.arena.bytes).toBe(r.arenaBytes);
        expect(manifest.arena.largest_buffer).toBeGreaterThanOrEqual(largest);
        expect(r.arenaBytes, `${sm.file}: arena vs the largest tensor`).toBeGreaterThanOrEqual(largest);
        expect(r.arenaBytes, `${sm.file}: arena vs the largest tensor + ${ARENA_SLACK}`).toBeLessThanOrEqual(largest + ARENA_SLACK);
        if (ARENA_TARGETS[sm.file] !== undefined) expect(r.arenaBytes, `${sm.file}: issue 11's target`).toBeLessThanOrEqual(ARENA_TARGETS[sm.file]);
        expect(manifest.arena.input_offset + prod(r.model.input.shape)).toBeLessThanOrEqual(r.arenaBytes);
        expect(manifest.arena.overlaps.length).toBeGreaterThan(0);
        const peakStep = manifest.arena.peak_layer as string;
        const peakLayer = (manifest.layers as { ident: string; name: string }[]).find((c) => c.ident === peakStep)?.name ?? peakStep;
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
          sm.file.replace(/\.onnx$/, ''), r.arenaBytes.toLocaleString('en-US'), largest.toLocaleString('en-US'), peakLayer, r.flashBytes.toLocaleString('en-US'),
          String(v.images), String(v.random), String(v.mismatches), ((Date.now() - t0) / 1000).toFixed(1),
        ]);
      }, 600_000);
    }
  });
}

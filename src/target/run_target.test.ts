/**
 * VWW (../shared/models/vww_96_mlcommons.onnx, converted here into a temporary folder) on emulated
 * Cortex-M4 and Cortex-M55: ours and the CMSIS-NN peer bit-exact against the integer reference on
 * real images and random inputs (hence equal to each other), per-layer counts summing to the total,
 * sizes and stack present. Each case prints its wall time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertModel } from './convert_testing.js';
import { sharedPath } from './repo.js';
import { benchTarget, formatBenchTarget, type BenchTargetResult } from './bench_target.js';
import { announceSkip, missingShared, missingTools, timed } from './testing.js';
import { TARGET_TOOLS } from './run_target.js';

const skip = missingShared() ?? missingTools(TARGET_TOOLS);
announceSkip('VWW on emulated Cortex-M4 / M55 with the CMSIS-NN peer', skip);

describe.skipIf(skip !== null)('VWW on emulated Cortex-M, ours and CMSIS-NN', () => {
  let work: string;
  let dir: string;
  const images = () => [0, 1].map((i) => sharedPath('images', 'vww', ['COCO_train2014_000000000250.jpg', 'person.png'][i]));

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'onnx2mcu-target-test-'));
    dir = join(work, 'vww_96_mlcommons');
    await timed('convert VWW', () => convertModel({ model: sharedPath('models', 'vww_96_mlcommons.onnx'), calib: sharedPath('images', 'vww'), out: dir, progress: 'none' }));
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const check = (r: BenchTargetResult) => {
    console.log(formatBenchTarget(r, { perLayer: false }));
    expect(r.details.mismatchDetails).toEqual([]);
    expect(r.bitExact).toBe(true);
    expect(r.peer?.details.mismatchDetails).toEqual([]);
    expect(r.peer?.bitExact).toBe(true);
    expect(r.outputsEqual).toBe(true);
    for (const side of [r, r.peer!]) {
      const layers = side.instructions.layers;
      expect(layers).toHaveLength(29);
      expect(layers.reduce((a, l) => a + l.instructions, 0)).toBe(side.instructions.total);
      expect(layers.every((l) => l.instructions > 0)).toBe(true);
      expect(side.codeBytes).toBeGreaterThan(1000);
      expect(side.arenaBytes).toBeGreaterThanOrEqual(36_864); // 48×48×16, the largest tensor
      expect(side.staticRamBytes).toBeGreaterThanOrEqual(side.arenaBytes); // the static arena is in .bss
      expect(side.stackBytes).toBeGreaterThan(0);
    }
    expect(r.details.markerInstructions).toBe(2); // BL + BX LR
    // issue 11: the whole RAM of ours (arena with the input + other statics + stack) within 38,500 B
    expect(r.arenaBytes).toBeLessThanOrEqual(37_000);
    expect(r.totalRamBytes).toBe(r.staticRamBytes + r.stackBytes);
    expect(r.totalRamBytes).toBeLessThanOrEqual(38_500);
    expect(r.flashBytes).toBeGreaterThan(240_000);
  };

  it('Cortex-M4: bit-exact, CMSIS-NN (DSP path) equal to ours, per-layer counts sum to the total', async () => {
    const r = await timed('VWW on cortex-m4, ours + cmsis-nn (2 images + 2 random)', () => benchTarget(dir, { cpu: 'cortex-m4', peer: 'cmsis-nn', images: images(), random: 2, work: join(work, 'm4') }));
    check(r);
    expect(r.estimatedM4Cycles).toBeGreaterThan(r.instructions.total);
    expect(r.details.mix.vec + r.details.mix.vec_load + r.details.mix.fp).toBe(0);
    expect(r.peer!.details.mix.mul).toBeGreaterThan(0); // SMLAD & co.
  }, 120_000);

  it('Cortex-M55: bit-exact, CMSIS-NN (MVE path) equal to ours', async () => {
    const r = await timed('VWW on cortex-m55, ours + cmsis-nn (2 images + 2 random)', () => benchTarget(dir, { cpu: 'cortex-m55', peer: 'cmsis-nn', images: images(), random: 2, work: join(work, 'm55') }));
    check(r);
    expect(r.estimatedM4Cycles).toBeNull();
    expect(r.peer!.details.mix.vec_load).toBeGreaterThan(100_000); // Helium really runs, in CMSIS-NN
    expect(r.details.mix.vec_load).toBeGreaterThan(100_000); // and in ours (the speed comparison is make bench's)
  }, 120_000);

  it('the peer dumps its layers and they equal the integer reference layer by layer', async () => {
    const { runOnTarget } = await import('./run_target.js');
    const p = await timed('VWW CMSIS-NN layer dump on cortex-m4', () => runOnTarget(dir, { cpu: 'cortex-m4', runner: 'cmsis-nn', random: 1, dumpLayers: true, work: join(work, 'm4') }));
    expect(p.layerCheck).toHaveLength(29);
    expect(p.layerCheck!.filter((c) => c.differing !== 0)).toEqual([]);
  }, 120_000);
});

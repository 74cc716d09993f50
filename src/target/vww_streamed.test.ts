/**
 * Issue 11, below the largest tensor: VWW converted with `--ram-limit 24000` (its largest tensor,
 * 48×48×16, is 36,864 B) runs its first layers row by row. Checked here: the plan fits with the
 * MACs unchanged; the C is bit-exact with the whole-tensor integer reference on the 8 VWW images and
 * 200 random inputs (gcc and clang, sanitizers on a few) and on emulated Cortex-M4 (DSP kernels) and
 * Cortex-M55 (Helium kernels); the whole RAM on Cortex-M4 (arena, other statics, stack) is printed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyArtifacts } from '../verify/verify.js';
import { availableCompilers } from '../verify/compile.js';
import { convertModel } from './convert_testing.js';
import { sharedPath } from './repo.js';
import { benchTarget, formatBenchTarget } from './bench_target.js';
import { announceSkip, missingShared, missingTools, timed } from './testing.js';
import { TARGET_TOOLS } from './run_target.js';

const skip = missingShared() ?? missingTools(TARGET_TOOLS);
announceSkip('VWW streamed row by row under --ram-limit 24000', skip);

const LIMIT = 24_000;

describe.skipIf(skip !== null)('VWW under --ram-limit 24000: the first layers row by row', () => {
  let work: string;
  let dir: string;
  const images = () => ['COCO_train2014_000000000250.jpg', 'person.png'].map((f) => sharedPath('images', 'vww', f));

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'onnx2mcu-vww-streamed-'));
    dir = join(work, 'vww');
    await timed('convert VWW --ram-limit 24000', () => convertModel({ model: sharedPath('models', 'vww_96_mlcommons.onnx'), calib: sharedPath('images', 'vww'), out: dir, progress: 'none', ramLimit: LIMIT }));
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('fits in 24,000 B with the input streamed, the same layers and MACs, and says so in plan.txt and report.md', () => {
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(m.arena.bytes).toBeLessThanOrEqual(LIMIT);
    expect(m.arena.input_offset).toBeNull();
    expect(m.arena.stream.input_in_arena).toBe(false);
    expect(m.arena.stream.extra_macs).toBe(0);
    // the four layers at 48×48 and 96×96: after them no tensor is larger than 24×24×32
    expect(m.arena.stream.layers.map((l: { layer: string }) => l.layer)).toEqual(['conv2d', 'depthwise_conv2d', 'conv2d_1', 'depthwise_conv2d_1']);
    expect(m.layers).toHaveLength(29);
    const macs = m.layers.reduce((a: number, l: { macs: number }) => a + l.macs, 0);
    expect(macs).toBe(7_489_664); // MobileNet v1 0.25/96 with 2 classes, as the whole-tensor runner
    // the largest band that fits: 4 rows per kernel call
    expect(m.arena.stream.band).toBe(4);
    expect(m.arena.stream.layers.map((l: { rows_computed: number; output_rows: number }) => l.rows_computed - l.output_rows)).toEqual([0, 0, 0, 0]);
    expect(readFileSync(join(dir, 'plan.txt'), 'utf8')).toContain('the first 4 layers, up to 4 output rows per kernel call');
    expect(readFileSync(join(dir, 'report.md'), 'utf8')).toMatch(/Layers 0–3 run row by row/);
  });

  it('host: byte for byte with the whole-tensor integer reference on the 8 VWW images and 200 random inputs', async () => {
    const r = await timed('verify streamed VWW', () => verifyArtifacts(dir, { images: sharedPath('images', 'vww'), random: 200, sanitizedInputs: 2 }));
    expect(r).toMatchObject({ images: 8, random: 200, mismatches: 0 });
    expect(r.builds.length).toBeGreaterThanOrEqual(availableCompilers().length);
  }, 240_000);

  for (const cpu of ['cortex-m4', 'cortex-m55'] as const) {
    it(`${cpu}: bit-exact (2 images + 2 random), arena within the limit`, async () => {
      const r = await timed(`streamed VWW on ${cpu}`, () => benchTarget(dir, { cpu, images: images(), random: 2, work: join(work, cpu) }));
      console.log(formatBenchTarget(r, { perLayer: false }));
      expect(r.details.mismatchDetails).toEqual([]);
      expect(r.bitExact).toBe(true);
      expect(r.arenaBytes).toBeLessThanOrEqual(LIMIT);
      expect(r.totalRamBytes).toBe(r.staticRamBytes + r.stackBytes);
      // the streamed layers are counted together, at the first one's marker
      expect(r.instructions.layers.slice(1, 4).every((l) => l.instructions === 0)).toBe(true);
      expect(r.instructions.layers.reduce((a, l) => a + l.instructions, 0)).toBe(r.instructions.total);
    }, 120_000);
  }
});

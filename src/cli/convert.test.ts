/**
 * convertModel end to end on the real VWW model (../shared): arena within the layer-by-layer floor,
 * byte-identical artifacts on a second conversion, nothing written on error, and the generated C
 * equal to runInt8 on the real images and on 200 random inputs (gcc and clang, sanitizers too).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HAVE_SHARED, sharedPath, skipMessage } from '../util/shared.js';
import { availableCompilers } from '../verify/compile.js';
import { convertModel } from './convert.js';
import { verifyArtifacts } from '../verify/verify.js';

skipMessage('convertModel on the VWW model');
const work = mkdtempSync(join(tmpdir(), 'onnx2mcu-convert-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.skipIf(!HAVE_SHARED)('convertModel (VWW 0.25/96, ../shared)', () => {
  const model = sharedPath('models', 'vww_96_mlcommons.onnx');
  const calib = sharedPath('images', 'vww');

  it('converts deterministically, arena ≤ 55,296 bytes, and the C equals runInt8 byte for byte', async () => {
    const a = await convertModel({ model, calib, out: join(work, 'a'), progress: 'none' });
    const b = await convertModel({ model, calib, out: join(work, 'b'), progress: 'none' });
    const files = readdirSync(join(work, 'a')).sort();
    expect(files).toEqual(readdirSync(join(work, 'b')).sort());
    expect(files).toEqual(expect.arrayContaining(['model.c', 'model.h', 'model_weights.c', 'model_weights.h', 'weights.bin', 'manifest.json', 'report.md', 'report.html', 'plan.txt', 'main.c', 'model_conv_1x1_s8.c']));
    for (const f of files) expect(Buffer.compare(readFileSync(join(work, 'a', f)), readFileSync(join(work, 'b', f))), f).toBe(0);
    expect(readdirSync(work).filter((f) => f.includes('.tmp-'))).toEqual([]);

    // The floor: the largest input+output pair of VWW (pw1: 48×48×8 + 48×48×16) = 55,296.
    expect(a.arenaBytes).toBeLessThanOrEqual(55296);
    const plan = readFileSync(join(work, 'a', 'plan.txt'), 'utf8');
    expect(plan).toContain(`arena bytes: ${a.arenaBytes}`);
    expect(plan).toMatch(/peak set by layer: \S+/);
    const manifest = JSON.parse(readFileSync(join(work, 'a', 'manifest.json'), 'utf8'));
    expect(manifest.input).toMatchObject({ shape_nchw: [1, 3, 96, 96], layout: 'nhwc', c_shape: [96, 96, 3], feed: { pixel_offset: 128 } });
    expect(manifest.output.labels).toEqual(['no_person', 'person']);
    expect(manifest.arena.bytes).toBe(a.arenaBytes);
    expect(a.calibration.images).toBe(8);
    expect(a.calibration.agreement).toBeGreaterThanOrEqual(7 / 8);

    if (availableCompilers().length === 0) return;
    const v = await verifyArtifacts(join(work, 'a'), { images: calib, random: 200, model: a.model, sanitizedInputs: 3 });
    expect(v).toMatchObject({ images: 8, random: 200, mismatches: 0 });
    expect(v.compilers.length).toBeGreaterThanOrEqual(1);
    // verify from the artifacts alone (the CLI path): the rebuilt reference agrees too
    const v2 = await verifyArtifacts(join(work, 'a'), { images: calib, random: 10, sanitizedInputs: 1, compilers: [v.compilers[0] as 'gcc' | 'clang'] });
    expect(v2.mismatches).toBe(0);
  });

  it('leaves nothing behind on error and keeps an existing output', async () => {
    await expect(convertModel({ model, calib: join(work, 'no-such-dir'), out: join(work, 'fresh'), progress: 'none' })).rejects.toThrow(/no such file/);
    expect(existsSync(join(work, 'fresh'))).toBe(false);
    mkdirSync(join(work, 'old'));
    writeFileSync(join(work, 'old', 'keep.txt'), 'x');
    await expect(convertModel({ model: join(work, 'missing.onnx'), calib, out: join(work, 'old'), progress: 'none' })).rejects.toThrow();
    expect(readdirSync(join(work, 'old'))).toEqual(['keep.txt']);
    expect(readdirSync(work).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('a tampered artifact is refused by verify', async () => {
    const out = join(work, 'tamper');
    await convertModel({ model, calib, out, progress: 'none', calibCount: 2 });
    const p = join(out, 'model_weights.c');
    writeFileSync(p, readFileSync(p, 'utf8').replace(/\{\n {4}(-?\d+)/, (_m, d) => `{\n    ${Number(d) === 0 ? 1 : 0}`));
    await expect(verifyArtifacts(out, { random: 1 })).rejects.toThrow(/model_weights\.c: sha256 differs/);
  });
});

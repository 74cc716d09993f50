/**
 * Progress as a user sees it from the command line (a subprocess, stderr not a terminal, outside
 * vitest's silence): `eval` and `verify`-style long commands print plain progress lines with rate
 * and ETA on stderr, and with --json nothing but the JSON on stdout and no progress at all.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticImages } from '../generate/images.js';
import { generateMobileNetV1 } from '../generate/mobilenet.js';
import { exportOnnx } from '../onnx/export.js';
import { writeFileAtomic } from '../util/atomic_write.js';
import { PROJECT_ROOT } from '../util/shared.js';

function cli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  // VITEST emptied: the progress display is silent under vitest unless told otherwise.
  const r = spawnSync(process.execPath, [join(PROJECT_ROOT, 'bin', 'onnx2mcu.js'), ...args], { encoding: 'utf8', env: { ...process.env, VITEST: '' }, cwd: PROJECT_ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('progress on the command line', () => {
  let work: string;
  let model: string;
  let images: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'onnx2mcu-progress-'));
    model = join(work, 'm.onnx');
    writeFileAtomic(model, exportOnnx(generateMobileNetV1({ width: 0.25, resolution: 32, classes: 3, seed: 1 })));
    images = join(work, 'images');
    await writeSyntheticImages(images, 12, [32, 32], 2);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('eval: calibration and evaluation lines with rate and ETA on stderr, not on stdout', () => {
    const r = cli(['eval', model, '--images', images, '--calib', images, '--scale', 'x/127.5-1', '--threads', '1']);
    expect(r.status).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => /^(calibrating|evaluating): /.test(l));
    expect(lines.filter((l) => l.startsWith('calibrating: 1/12 (8%), '))).toHaveLength(1);
    expect(lines.some((l) => /^evaluating: 12\/12 \(100%\), [\d.]+ images\/s, /.test(l))).toBe(true);
    expect(lines.some((l) => / ETA \S+$/.test(l))).toBe(true);
    expect(r.stderr).not.toContain('\r');
    expect(r.stdout).not.toMatch(/calibrating|evaluating/);
  }, 60_000);

  it('eval --json: stdout is the JSON alone, and no progress anywhere', () => {
    const r = cli(['eval', model, '--images', images, '--calib', images, '--scale', 'x/127.5-1', '--threads', '1', '--json']);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).images).toBe(12);
    expect(r.stderr).not.toMatch(/calibrating|evaluating/);
  }, 60_000);
});

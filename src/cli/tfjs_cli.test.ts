/**
 * TF.js graph models wherever an .onnx is taken: `inspect`, `run`, `eval` and `convert` accept a
 * model.json or its folder. The real VWW fixture (../shared/models/tfjs) is recognised by name
 * (its x/255 scaling and labels, no warning), its canonical graph costs what the ONNX file's does,
 * `run` gives the ONNX file's answer, and `convert` writes a runner `verify` passes byte for byte.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HAVE_SHARED, sharedPath, skipMessage } from '../util/shared.js';
import { availableCompilers } from '../verify/compile.js';
import { runCli } from './app.js';

skipMessage('TF.js models through the CLI');
const tmp = mkdtempSync(join(tmpdir(), 'onnx2mcu-tfjs-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(...args: string[]) {
  let out = '';
  let err = '';
  const code = await runCli(args, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

describe.skipIf(!HAVE_SHARED)('TF.js graph models through the CLI (VWW fused)', () => {
  const folder = sharedPath('models', 'tfjs', 'vww_96_mlcommons_fused');
  const onnx = sharedPath('models', 'vww_96_mlcommons.onnx');
  const image = sharedPath('images', 'vww', 'COCO_train2014_000000000250.jpg');

  it('inspect: the canonical graph has the ONNX file\'s MACs and params; model.json works as the folder does', async () => {
    const totals = async (m: string) => {
      const r = await run('inspect', m, '--stage', 'folded', '--json');
      expect(r.code, r.err).toBe(0);
      expect(r.err).toBe('');
      return JSON.parse(r.out).totals as { macs: number; params: number };
    };
    const t = await totals(folder);
    expect(t).toEqual(await totals(onnx));
    expect(await totals(join(folder, 'model.json'))).toEqual(t);
  });

  it('run: the same top class and probabilities as the ONNX file (labels and x/255 from the known model)', async () => {
    const a = await run('run', folder, image, '--json');
    const b = await run('run', onnx, image, '--json');
    expect(a.code, a.err).toBe(0);
    expect(a.err).toBe(''); // known by name: no scaling warning
    const ja = JSON.parse(a.out) as { output: number[]; top: { index: number; label: string }[] };
    const jb = JSON.parse(b.out) as { output: number[]; top: { index: number; label: string }[] };
    expect(ja.top[0]).toMatchObject({ index: jb.top[0].index, label: jb.top[0].label });
    expect(['no_person', 'person']).toContain(ja.top[0].label);
    ja.output.forEach((v, i) => expect(Math.abs(v - jb.output[i])).toBeLessThan(1e-4));
  });

  it.skipIf(availableCompilers().length === 0)('convert + verify: a runner bit-exact with the integer reference', async () => {
    const out = join(tmp, 'vww_tfjs');
    const c = await run('convert', folder, '--calib', sharedPath('images', 'vww'), '--out', out, '--json');
    expect(c.code, c.err).toBe(0);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(manifest.model.source).toMatchObject({ format: 'tfjs', model: 'vww_96_mlcommons_fused', input_scaling: 'x/255', input_scaling_source: 'file name' });
    expect(manifest.output.labels).toEqual(['no_person', 'person']);
    const v = await run('verify', out, '--images', sharedPath('images', 'vww'), '--random', '20', '--json');
    expect(v.code, v.err).toBe(0);
    expect(JSON.parse(v.out)).toMatchObject({ images: 8, random: 20, mismatches: 0 });
  }, 120_000);
});

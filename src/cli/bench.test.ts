/**
 * `onnx2mcu bench` through the real command line: a generated MobileNet v1 0.25/48 is converted,
 * then benchmarked on emulated Cortex-M4 and Cortex-M55 with the CMSIS-NN peer; --json prints the
 * issue's objects (one per core), bit-exact, per-layer counts that sum to the total, sizes present.
 * Bad options are usage errors (exit 2), a folder that is not a conversion one line (exit 1).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TARGET_TOOLS } from '../target/run_target.js';
import { announceSkip, missingShared, missingTools } from '../target/testing.js';
import { cliChild, cliInProcess } from './cli_testing.js';

const tmp = mkdtempSync(join(tmpdir(), 'onnx2mcu-bench-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const skip = missingTools(TARGET_TOOLS) ?? missingShared();
announceSkip('onnx2mcu bench (CLI)', skip);

const cli = (...args: string[]) => cliChild(tmp, ...args);

interface Instructions { total: number; layers: { name: string; op: string; instructions: number }[] }
interface Side { bitExact: boolean; instructions: Instructions; codeBytes: number; flashBytes: number; arenaBytes: number; stackBytes: number }

describe('onnx2mcu bench: usage', () => {
  it('an unknown core or peer is a usage error (exit 2); a folder that is not a conversion is one line (exit 1)', async () => {
    // in this process: exit codes through a child are cli.test.ts's
    const badCpu = await cliInProcess(tmp, 'bench', tmp, '--cpu', 'cortex-m9');
    expect(badCpu.code).toBe(2);
    expect(badCpu.stderr).toMatch(/^onnx2mcu: --cpu cortex-m9: expected all or one or more of cortex-m0plus/);
    const badPeer = await cliInProcess(tmp, 'bench', tmp, '--peer', 'tflm');
    expect(badPeer.code).toBe(2);
    expect(badPeer.stderr).toContain('--peer tflm');
    const notConverted = await cliInProcess(tmp, 'bench', tmp);
    expect(notConverted.code).toBe(1);
    expect(notConverted.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe.skipIf(skip !== null)('onnx2mcu bench (CLI, emulated Cortex-M4 and M55, CMSIS-NN peer)', () => {
  it('--json: one object per core, ours and CMSIS-NN bit-exact, layers summing to the total', async () => {
    const model = join(tmp, 'm.onnx');
    const calib = join(tmp, 'calib');
    const gen = await cli('generate', '--width', '0.25', '--resolution', '48', '--classes', '3', '--seed', '5', '--out', model, '--calib-out', calib, '--calib-count', '3');
    expect(gen.code, gen.stderr).toBe(0);
    const out = join(tmp, 'out');
    const conv = await cli('convert', model, '--calib', calib, '--out', out);
    expect(conv.code, conv.stderr).toBe(0);

    const r = await cli('bench', out, '--cpu', 'cortex-m4,cortex-m55', '--peer', 'cmsis-nn', '--images', calib, '--random', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    const runs = JSON.parse(r.stdout) as (Side & { cpu: string; peer: Side & { name: string }; outputsEqual: boolean })[];
    expect(runs.map((x) => x.cpu)).toEqual(['cortex-m4', 'cortex-m55']);
    for (const run of runs) {
      expect(run.peer.name).toBe('cmsis-nn');
      expect(run.outputsEqual).toBe(true);
      for (const side of [run, run.peer]) {
        expect(side.bitExact).toBe(true);
        expect(side.instructions.layers.length).toBeGreaterThan(20);
        expect(side.instructions.layers.reduce((a, l) => a + l.instructions, 0)).toBe(side.instructions.total);
        for (const k of ['codeBytes', 'flashBytes', 'arenaBytes', 'stackBytes'] as const) expect(side[k], k).toBeGreaterThan(0);
      }
      expect(run.instructions.layers[0]).toMatchObject({ name: expect.any(String), op: 'conv2d' });
    }
  }, 240_000);
});

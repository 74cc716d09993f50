/**
 * `onnx2mcu sweep` on a tiny grid (α 0.25 × ρ 32 and 128: with ../shared, 0.25/128 is the
 * pretrained ImageNet model, so every branch runs — generated and real weights, host and
 * Cortex-M4 counts, top-1): sweep.json's schema and figures against independent counts (the
 * generator's graph through inspect, each folder's manifest.json), the Cortex-M4 per-layer cost
 * in the folder's report.html, sweep.md's paper columns, sweep.html in Chromium, and bad input.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { runFloatPasses } from '../../pipeline/index.js';
import { checkArtifactHashes, readManifest } from '../artifacts/manifest.js';
import { runCli } from '../cli/app.js';
import { inspectGraph } from '../cli/inspect.js';
import { generateMobileNetV1 } from '../generate/mobilenet.js';
import { importOnnx } from '../onnx/import.js';
import { chartChecks, chromiumSkipMessage, HAVE_CHROMIUM, launchChromium, openFile, screenshot, shownFields } from '../report/browser_testing.js';
import { readReportData } from '../report/target_cost.js';
import { checkOutputDir } from '../util/output_paths.js';
import { quickMode } from '../verify/compile.js';
import { HAVE_SHARED, PROJECT_ROOT, sharedPath, skipMessage } from '../util/shared.js';
import { configName, parseList, realModels, sweepConfigs } from './grid.js';
import type { SweepRow } from './measure_config.js';
import { paperRow } from './paper.js';
import { runSweep } from './sweep.js';

skipMessage('sweep: the pretrained 0.25/128 row (top-1) runs on a generated model instead');
chromiumSkipMessage('sweep.html browser test');

const has = (cmd: string) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
const HAVE_VALGRIND = has('valgrind') && !quickMode();
const HAVE_ARM = has('arm-none-eabi-gcc') && has('qemu-system-arm') && !quickMode();
/** The sweep's second resolution: 128 (the pretrained 0.25/128 stands in when ../shared is there); 64 in the quick tier without it. */
const SECOND = quickMode() && !HAVE_SHARED ? 64 : 128;

describe('sweep grid', () => {
  it('parses lists and names the option at fault', () => {
    expect(parseList('--widths', '0.25, 0.5,1.0', { max: 4 })).toEqual([0.25, 0.5, 1]);
    expect(() => parseList('--widths', '0.25,abc', { max: 4 })).toThrow(/--widths 'abc'/);
    expect(() => parseList('--resolutions', '96,12.5', { integer: true, max: 1024 })).toThrow(/--resolutions '12.5': expected an integer/);
    expect(() => parseList('--widths', '0.5,0.5', { max: 4 })).toThrow(/repeated/);
    expect(() => parseList('--widths', '', { max: 4 })).toThrow(/comma-separated/);
    expect(() => parseList('--widths', '-1', { max: 4 })).toThrow(/--widths '-1'/);
  });

  it('starts the pretrained models (their top-1 is the longest step), then the largest; a real model only for an ImageNet one', () => {
    const c = sweepConfigs([0.25, 1.0], [96, 224], new Map([['0.25x224', '/x/real.onnx']]));
    expect(c.map(configName)).toEqual(['0.25_224', '1.0_224', '1.0_96', '0.25_96']);
    expect(c.find((x) => x.width === 0.25 && x.resolution === 224)!.realModel).toBe('/x/real.onnx');
    expect(c.filter((x) => x.realModel)).toHaveLength(1);
    // ../shared's flowers and VWW models (not ImageNet classifiers) never stand in.
    for (const path of realModels().values()) expect(path).toMatch(/imagenet/);
  });

  it("knows the paper's Table 6 and 7 entries, and only those", () => {
    expect(paperRow(1.0, 224)).toMatchObject({ macsM: 569, paramsM: 4.2, top1: 70.6 });
    expect(paperRow(0.25, 224)).toMatchObject({ macsM: 41, paramsM: 0.5 });
    expect(paperRow(1.0, 128)).toMatchObject({ macsM: 186 });
    expect(paperRow(0.5, 128)).toBeUndefined();
  });
});

describe(`onnx2mcu sweep (α 0.25 × ρ 32, ${SECOND})`, () => {
  let work: string;
  let out: string;
  let rows: SweepRow[];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'onnx2mcu-sweep-test-'));
    out = join(work, 'sweep');
    // The quick tier (make check) leaves out the Cortex-M4 runs (cross builds and QEMU) and the
    // callgrind runs, and its second configuration is 0.25/64.
    const r = await runSweep({ widths: [0.25], resolutions: [32, SECOND], jobs: 2, out, m4: !quickMode(), host: !quickMode(), top1Images: 16, calibCount: 8, progress: 'none' });
    rows = [...r.rows];
  }, 300_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("writes sweep.json with the issue's schema; MACs and params equal the generator's graph as inspect counts it", () => {
    const json = JSON.parse(readFileSync(join(out, 'sweep.json'), 'utf8')) as { rows: SweepRow[] };
    expect(json.rows).toEqual(rows);
    expect(rows.map((r) => [r.width, r.resolution])).toEqual([[0.25, 32], [0.25, SECOND]]);
    for (const r of rows) {
      expect(Object.keys(r)).toEqual(['width', 'resolution', 'macs', 'params', 'flashBytes', 'ramBytes', 'hostInstructions', 'm4Instructions', 'top1', 'details']);
      const totals = inspectGraph(runFloatPasses(generateMobileNetV1({ width: r.width, resolution: r.resolution, seed: 1 }))).totals;
      expect(r.macs).toBe(totals.macs);
      const m = readManifest(join(out, configName(r)));
      expect(r.flashBytes).toBe(m.flash.total);
      expect(r.ramBytes).toBe(m.arena.bytes); // the input lives in the arena
      expect(r.ramBytes).toBeGreaterThanOrEqual(m.input.shape_nchw.reduce((a, b) => a * b, 1));
      if (r.top1 === null) expect(r.params).toBe(totals.params);
      else expect(r.params).toBe(inspectGraph(runFloatPasses(importOnnx(sharedPath('models', r.details.model)))).totals.params);
      // Every folder is a converted model verify accepts, with its report.html.
      checkArtifactHashes(join(out, configName(r)), m);
      expect(existsSync(join(out, configName(r), 'report.html'))).toBe(true);
    }
  });

  it.skipIf(!HAVE_VALGRIND)('counts host instructions of one inference (callgrind): more for more MACs', () => {
    for (const r of rows) {
      expect(r.details.notes.filter((n) => n.startsWith('host'))).toEqual([]);
      expect(Number.isInteger(r.hostInstructions)).toBe(true);
      expect(r.hostInstructions!).toBeGreaterThan(r.macs);
    }
    expect(rows[1].hostInstructions!).toBeGreaterThan(rows[0].hostInstructions!);
  });

  it.skipIf(!HAVE_ARM)("counts Cortex-M4 instructions and puts the per-layer counts in the folder's report.html", () => {
    for (const r of rows) {
      expect(r.details.notes.filter((n) => n.startsWith('Cortex')), configName(r)).toEqual([]);
      expect(r.m4Instructions!).toBeGreaterThan(r.macs / 4);
      const dir = join(out, configName(r));
      const cost = readReportData(readFileSync(join(dir, 'report.html'), 'utf8'), dir).targetCost!;
      expect(cost.total).toBe(r.m4Instructions);
      expect(cost.layers.map((l) => l.name)).toEqual(readManifest(dir).layers.map((l) => l.name));
      expect(cost.layers.reduce((s, l) => s + l.value, 0)).toBe(cost.total);
    }
  });

  it.skipIf(!quickMode())('without the callgrind and Cortex-M4 runs (the quick tier) says so per configuration and on the page', () => {
    for (const r of rows) {
      expect(r.hostInstructions).toBeNull();
      expect(r.m4Instructions).toBeNull();
      expect(r.details.notes).toEqual(expect.arrayContaining(['host instructions: not run (--no-host)', 'Cortex-M4: not run (--no-m4)']));
    }
    expect(readFileSync(join(out, 'sweep.html'), 'utf8')).toContain('No instruction counts (host: not run, --no-host; Cortex-M4: not run, --no-m4).');
  });

  it.skipIf(!HAVE_SHARED)('measures top-1 of the pretrained 0.25/128 on imagenet-samples, null for generated weights', () => {
    const [generated, real] = rows;
    expect(generated.top1).toBeNull();
    expect(real.details.model).toBe('mobilenet_v1_0.25_128_imagenet.onnx');
    expect(real.details.top1Images).toBe(16);
    for (const k of ['float', 'int8'] as const) expect(Number.isInteger(real.top1![k] * 16)).toBe(true);
  });

  it("writes sweep.md with the paper's columns beside ours, one row per configuration", () => {
    const md = readFileSync(join(out, 'sweep.md'), 'utf8');
    const table = md.split('\n').filter((l) => l.startsWith('| 0.25 |'));
    expect(table).toHaveLength(2);
    expect(md).toContain('| α | ρ | paper top-1 % | paper MACs (M) | paper params (M) | MACs (M) |');
    expect(table[0]).toContain(`| ${(rows[0].macs / 1e6).toFixed(1)} |`);
    expect(table[0]).toContain('| — | — | — |'); // 0.25/32 is in neither table
  });

  it('marks the folder as onnx2mcu output (a later sweep may replace it) and refuses a folder it did not write', async () => {
    expect(() => checkOutputDir(out, { option: '--out' })).not.toThrow();
    const foreign = join(work, 'foreign');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    await expect(runSweep({ widths: [0.25], resolutions: [32], jobs: 1, out: foreign, m4: false })).rejects.toThrow(/--out .*foreign: the folder exists and was not written by onnx2mcu/);
    expect(readdirSync(foreign)).toEqual(['notes.txt']);
  });

  it('bad input on the command line: one line naming the option, nothing written', async () => {
    const err: string[] = [];
    const target = join(work, 'never');
    const code = await runCli(['sweep', '--widths', '0.25,x', '--out', target], { out: () => {}, err: (t) => err.push(t) });
    expect(code).toBe(1);
    expect(err.join('')).toMatch(/^onnx2mcu: --widths 'x': expected a number in \(0, 4\]\n$/);
    expect(existsSync(target)).toBe(false);
    const jobs = await runCli(['sweep', '--jobs', '0', '--out', target], { out: () => {}, err: (t) => err.push(t) });
    expect(jobs).toBe(2);
    expect(existsSync(target)).toBe(false);
  });

  describe.skipIf(!HAVE_CHROMIUM)('sweep.html in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => { browser = await launchChromium(); });
    afterAll(async () => { await browser?.close(); });

    it('no console errors or outside requests, every chart drew its points, the table shows sweep.json', async () => {
      const { page, errors, badRequests } = await openFile(browser, join(out, 'sweep.html'));
      expect(errors).toEqual([]);
      expect(badRequests).toEqual([]);
      const charts = await chartChecks(page);
      const want = ['macs-ram', 'flash-width', ...(HAVE_VALGRIND || HAVE_ARM ? ['instructions-macs'] : []), ...(HAVE_SHARED && (HAVE_VALGRIND || HAVE_ARM) ? ['accuracy-instructions'] : [])];
      expect(charts.map((c) => c.id)).toEqual(want);
      for (const c of charts) {
        expect(c.width, c.id).toBeGreaterThan(100);
        expect(c.marks, c.id).toBeGreaterThan(0);
      }
      // One point per configuration in MACs vs RAM.
      expect(await page.$$eval('#chart-macs-ram circle.point', (p) => p.length)).toBe(rows.length);
      const fields = await shownFields(page);
      rows.forEach((r, i) => {
        expect(fields.get(`rows.${i}.macs`)).toBe((r.macs / 1e6).toFixed(1));
        expect(fields.get(`rows.${i}.flashBytes`)).toBe((r.flashBytes / 1024).toFixed(1));
        expect(fields.get(`rows.${i}.ramBytes`)).toBe((r.ramBytes / 1024).toFixed(1));
        expect(fields.get(`rows.${i}.hostInstructions`)).toBe(r.hostInstructions === null ? '—' : (r.hostInstructions / 1e6).toFixed(1));
      });
      await screenshot(page, join(PROJECT_ROOT, 'out', 'browser', 'sweep.png'));
      await page.context().close();
    });
  });
});

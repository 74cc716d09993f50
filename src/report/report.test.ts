/**
 * report.html without a browser: the quality figures against an independent computation
 * (src/quant/evaluate.ts --per-layer, and convert's own agreement), the embedded data round trip,
 * escaping, adding a measured target cost afterwards (manifest kept consistent), the chart axes.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline } from '../../pipeline/index.js';
import { checkArtifactHashes, readManifest } from '../artifacts/manifest.js';
import { calibrationAgreement } from '../cli/convert.js';
import { listImages } from '../images/list.js';
import { resolveModelSource } from '../model_source/model_source.js';
import { evaluate } from '../quant/evaluate.js';
import { readEmbeddedJson } from './page.js';
import type { ReportData } from './report_data.js';
import { reportHtml } from './report_html.js';
import { logTicks, niceTicks } from './svg.js';
import { addCortexM4Cost, m4FlashBytes } from './m4_cost.js';
import { addTargetCost, readReportData } from './target_cost.js';
import { convertSmallModel, type SmallConversion } from './testing.js';

describe('report.html', () => {
  let work: string;
  let conv: SmallConversion;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'onnx2mcu-report-'));
    conv = await convertSmallModel(work);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('per-layer SQNR equals eval --per-layer on the same images, agreement equals a separate float/int8 run', async () => {
    const q = conv.result.artifacts.quality!;
    const r = await runPipeline({ source: resolveModelSource(conv.model, 'x/127.5-1'), calibration: listImages(conv.calib), options: { engine: 'ts', threads: 1, progress: 'none' } }, 'quantize');
    const ev = await evaluate(r.passes, r.quantize, listImages(conv.calib).map((path) => ({ path })), { inputScaling: 'x/127.5-1', perLayer: true, engine: 'ts', progress: 'none' });
    expect(q.layers.map((l) => l.layer)).toEqual(ev.perLayer!.map((l) => l.layer));
    q.layers.forEach((l, i) => {
      const want = ev.perLayer![i].sqnr;
      if (!Number.isFinite(want)) expect(l.sqnrDb).toBeNull();
      else expect(l.sqnrDb!).toBeCloseTo(want, 2);
    });
    expect(q.logitsSqnrDb!).toBeCloseTo(ev.outputSqnr, 2);
    expect(q.agreement).toBe(calibrationAgreement(r));
    expect(q.images).toBe(6);
    // The worst layers really are the lowest SQNRs, worst first, and their histograms hold every value.
    const sorted = q.layers.filter((l) => l.sqnrDb !== null).map((l) => l.sqnrDb!).sort((a, b) => a - b);
    expect(q.worst.map((w) => q.layers.find((l) => l.layer === w.layer)!.sqnrDb)).toEqual(sorted.slice(0, 4));
    for (const w of q.worst) {
      const shape = r.quantize.layers.find((l) => l.name === w.layer)!.outputShape;
      expect(w.counts.reduce((a, b) => a + b, 0)).toBe(6 * shape.reduce((a, b) => a * b, 1));
      expect(w.lo).toBeLessThanOrEqual(Math.min(w.chosen.min, w.observed.min));
      expect(w.hi).toBeGreaterThanOrEqual(Math.max(w.chosen.max, w.observed.max));
    }
  });

  it('embeds its data; rendering it again gives the same bytes; without quality it says so', () => {
    const html = readFileSync(join(conv.out, 'report.html'), 'utf8');
    const data = readReportData(html, 'report.html');
    expect(reportHtml(data)).toBe(html);
    const { quality: _q, ...without } = data;
    expect(reportHtml(without as ReportData)).toContain('Quantization quality</h2><p class="muted">Not measured');
    // No external resource of any kind.
    expect(html).not.toMatch(/\b(src|href)="(?!#|data:)/);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it('escapes names: a layer called </script><b> stays text, and the embedded JSON still parses', () => {
    const data = readReportData(readFileSync(join(conv.out, 'report.html'), 'utf8'), 'report.html');
    const evil = '</script><b>x</b>&"';
    const html = reportHtml({ ...data, layers: data.layers.map((l, i) => (i === 0 ? { ...l, name: evil } : l)) });
    expect(html).not.toContain('<b>x</b>');
    expect(html).toContain('&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;&amp;&quot;');
    expect((readEmbeddedJson(html) as ReportData).layers[0].name).toBe(evil);
  });

  it('a target cost measured later is added to the page; manifest.json follows, so verify still accepts the folder', () => {
    const manifest = readManifest(conv.out);
    const layers = manifest.layers.map((l, i) => ({ name: l.name, value: 1000 + i }));
    const total = layers.reduce((s, l) => s + l.value, 0);
    addTargetCost(conv.out, { what: 'test target', unit: 'instructions', total, layers, codeBytes: 4321 });
    checkArtifactHashes(conv.out, readManifest(conv.out));
    const html = readFileSync(join(conv.out, 'report.html'), 'utf8');
    expect(html).toContain('id="chart-target-cost"');
    expect((html.match(/<rect class="bar"/g) ?? []).length).toBeGreaterThan(0);
    expect(readReportData(html, 'x').targetCost!.total).toBe(total);
    expect(html).toContain('kernel code');
    expect(html).toContain('4,321');
  });

  it("refuses at once, before any build, a model whose constants do not fit the Cortex-M4 board's flash", async () => {
    const big = join(work, 'too-big');
    mkdirSync(big);
    const m = JSON.parse(readFileSync(join(conv.out, 'manifest.json'), 'utf8'));
    writeFileSync(join(big, 'manifest.json'), JSON.stringify({ ...m, flash: { ...m.flash, total: m4FlashBytes() } }));
    const t0 = performance.now();
    await expect(addCortexM4Cost(big, { images: [] })).rejects.toThrow(/does not fit the mps2-an386 board: [\d,]+ B of constants in 4 MiB of flash/);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('axis ticks: ascending round values inside the range, at least two for any non-empty range', () => {
    fc.assert(fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.double({ min: 1e-6, max: 1e9, noNaN: true }), (lo, span) => {
      const hi = lo + span;
      if (!(hi > lo)) return;
      const t = niceTicks(lo, hi, 5);
      expect(t.length).toBeGreaterThanOrEqual(2);
      expect(t.length).toBeLessThanOrEqual(11);
      for (let i = 1; i < t.length; i++) expect(t[i]).toBeGreaterThan(t[i - 1]);
      const eps = span * 1e-9;
      expect(t[0]).toBeGreaterThanOrEqual(lo - eps);
      expect(t[t.length - 1]).toBeLessThanOrEqual(hi + eps);
    }));
  });
});

describe('log axis ticks', () => {
  it('inside the range, ascending, at least two for any range of positive values', () => {
    fc.assert(fc.property(fc.double({ min: 1e-3, max: 1e12, noNaN: true }), fc.double({ min: 1.01, max: 1e6, noNaN: true }), (lo, ratio) => {
      const hi = lo * ratio;
      const t = logTicks(lo, hi);
      expect(t.length).toBeGreaterThanOrEqual(2);
      expect(t.length).toBeLessThanOrEqual(10);
      for (let i = 1; i < t.length; i++) expect(t[i]).toBeGreaterThan(t[i - 1]);
      expect(t[0]).toBeGreaterThanOrEqual(lo * (1 - 1e-12));
      expect(t[t.length - 1]).toBeLessThanOrEqual(hi * (1 + 1e-12));
    }));
  });
});

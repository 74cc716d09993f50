/**
 * report.html in a real browser (headless Chromium through playwright-core): no console errors,
 * no failed or outside requests, every chart drew marks, the figures shown equal manifest.json's,
 * the per-layer table sorts, the tables read with JavaScript off; a screenshot goes to
 * out/browser/report.png.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Manifest } from '../artifacts/manifest.js';
import { PROJECT_ROOT } from '../util/shared.js';
import { chartChecks, chromiumSkipMessage, HAVE_CHROMIUM, launchChromium, openFile, screenshot, shownFields, shownNumber } from './browser_testing.js';
import { convertSmallModel, type SmallConversion } from './testing.js';

chromiumSkipMessage('report.html browser test');

/** The manifest value a data-field names ('layers.3.macs', 'flash.sections.bias_int32', …). */
function manifestValue(m: Manifest, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], m);
}

describe.skipIf(!HAVE_CHROMIUM)('report.html in Chromium', () => {
  let work: string;
  let conv: SmallConversion;
  let manifest: Manifest;
  let browser: Browser;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'onnx2mcu-report-browser-'));
    conv = await convertSmallModel(work);
    manifest = JSON.parse(readFileSync(join(conv.out, 'manifest.json'), 'utf8')) as Manifest;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    rmSync(work, { recursive: true, force: true });
  });

  it('loads with no console errors and no request but the page itself; every chart drew marks', async () => {
    const { page, errors, badRequests } = await openFile(browser, join(conv.out, 'report.html'));
    expect(errors).toEqual([]);
    expect(badRequests).toEqual([]);
    const charts = await chartChecks(page);
    const layers = manifest.layers.length;
    expect(charts.map((c) => c.id).sort()).toEqual(['arena', 'flash', 'macs', 'params', 'range-0', 'range-1', 'range-2', 'range-3', 'sqnr'].sort());
    for (const c of charts) {
      expect(c.width, c.id).toBeGreaterThan(100);
      expect(c.height, c.id).toBeGreaterThan(50);
      expect(c.marks, c.id).toBeGreaterThan(0);
    }
    const marks = new Map(charts.map((c) => [c.id, c.marks]));
    // One bar per layer (a zero-MAC or zero-param layer still gets a visible sliver), one rectangle per arena buffer.
    expect(marks.get('macs')).toBe(layers);
    expect(marks.get('params')).toBe(layers);
    expect(marks.get('flash')).toBe(Object.keys(manifest.flash.sections).length);
    expect(await page.$$eval('#chart-arena rect.buffer', (r) => r.length)).toBeGreaterThan(layers / 2);
    await screenshot(page, join(PROJECT_ROOT, 'out', 'browser', 'report.png'));
    await page.context().close();
  });

  it("shows the manifest's figures: every layer's MACs and params, totals, arena, flash, provenance", async () => {
    const { page } = await openFile(browser, join(conv.out, 'report.html'));
    const fields = await shownFields(page);
    const numeric = [...fields.keys()].filter((f) => !['generator', 'arena.peak_layer', 'model.source.model_sha256', 'model.source.calibration.method'].includes(f) && !f.startsWith('quality.') && !f.startsWith('totals.'));
    expect(numeric.filter((f) => f.startsWith('layers.'))).toHaveLength(2 * manifest.layers.length);
    for (const f of numeric) expect(shownNumber(fields.get(f)!), f).toBe(manifestValue(manifest, f));
    expect(shownNumber(fields.get('totals.macs')!)).toBe(manifest.layers.reduce((s, l) => s + l.macs, 0));
    expect(shownNumber(fields.get('totals.params')!)).toBe(manifest.layers.reduce((s, l) => s + l.params, 0));
    expect(fields.get('arena.peak_layer')).toBe(manifest.arena.peak_layer);
    expect(fields.get('generator')).toBe(manifest.generator);
    expect(fields.get('model.source.model_sha256')).toBe(manifest.model.source!.model_sha256);
    expect(fields.get('model.source.calibration.method')).toContain(manifest.model.source!.calibration.method);
    // The agreement the page shows is the one convert printed.
    const q = conv.result.artifacts.quality!;
    expect(fields.get('quality.agreement')).toContain(`(${q.agreeing}/${q.images})`);
    expect(q.agreement).toBe(conv.result.calibration.agreement);
    await page.context().close();
  });

  it('sorts the per-layer table on a header click, and reverses on a second', async () => {
    const { page, errors } = await openFile(browser, join(conv.out, 'report.html'));
    const macsColumn = () => page.$$eval('#layers tbody tr', (rows) => (rows as HTMLTableRowElement[]).map((r) => Number(r.cells[6].getAttribute('data-sort'))));
    const before = await macsColumn();
    expect(before).toEqual(manifest.layers.map((l) => l.macs));
    await page.click('#layers thead th:nth-child(7)');
    expect(await macsColumn()).toEqual([...before].sort((a, b) => a - b));
    expect(await page.getAttribute('#layers thead th:nth-child(7)', 'aria-sort')).toBe('ascending');
    await page.click('#layers thead th:nth-child(7)');
    expect(await macsColumn()).toEqual([...before].sort((a, b) => b - a));
    // Text columns sort as text.
    await page.click('#layers thead th:nth-child(2)');
    const names = await page.$$eval('#layers tbody tr', (rows) => (rows as HTMLTableRowElement[]).map((r) => r.cells[1].textContent ?? ''));
    expect(names).toEqual([...names].sort());
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('reads without JavaScript: the tables and charts are in the HTML itself', async () => {
    const { page } = await openFile(browser, join(conv.out, 'report.html'), { javaScript: false });
    expect(await page.$$eval('#layers tbody tr', (r) => r.length)).toBe(manifest.layers.length);
    const charts = await chartChecks(page);
    expect(charts.length).toBe(9);
    expect(charts.every((c) => c.marks > 0)).toBe(true);
    await page.context().close();
  });
});

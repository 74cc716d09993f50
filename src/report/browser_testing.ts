/**
 * Test helpers: open a page of ours in headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core) and collect what a person would notice — console errors, page errors, failed
 * or outside requests — and check that every chart drew something. Used by *.test.ts only.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.ONNX2MCU_CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

/** Says once per file why the browser tests are skipped. */
export function chromiumSkipMessage(what: string): void {
  if (!HAVE_CHROMIUM) console.warn(`[skip] ${what}: no Chromium at ${CHROMIUM} (apt-get install chromium; make test installs it; ONNX2MCU_CHROMIUM points elsewhere)`);
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}

export interface OpenedPage {
  readonly page: Page;
  /** Console messages of type error, uncaught page errors. */
  readonly errors: string[];
  /** Requests that failed, and any request for something other than the page itself. */
  readonly badRequests: string[];
}

/** Opens `file` (a local HTML file) in a new context; javaScript false checks the page without scripts. */
export async function openFile(browser: Browser, file: string, opts: { javaScript?: boolean } = {}): Promise<OpenedPage> {
  const context = await browser.newContext({ javaScriptEnabled: opts.javaScript ?? true, viewport: { width: 1300, height: 900 } });
  const page = await context.newPage();
  const url = pathToFileURL(resolve(file)).href;
  const errors: string[] = [];
  const badRequests: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => badRequests.push(`failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
  page.on('request', (r) => { if (r.url() !== url) badRequests.push(`outside request: ${r.url()}`); });
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors, badRequests };
}

export interface ChartCheck {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  /** Marks drawn with a non-zero area (bars, buffers, bins, points, lines). */
  readonly marks: number;
}

/** Every figure.chart on the page: its SVG's rendered size and how many marks it drew. */
export async function chartChecks(page: Page): Promise<ChartCheck[]> {
  return page.$$eval('figure.chart', (figs) => figs.map((f) => {
    const svg = f.querySelector('svg');
    const box = svg?.getBoundingClientRect();
    const marks = svg ? Array.from(svg.querySelectorAll('rect.bar, rect.buffer, rect.bin, circle.point, polyline.series-line')).filter((m) => {
      const b = (m as SVGGraphicsElement).getBBox();
      return b.width > 0 && b.height > 0;
    }).length : 0;
    return { id: f.getAttribute('data-chart') ?? '?', width: box?.width ?? 0, height: box?.height ?? 0, marks };
  }));
}

/** Text of every [data-field] element, by field. */
export async function shownFields(page: Page): Promise<Map<string, string>> {
  const pairs = await page.$$eval('[data-field]', (els) => els.map((e) => [e.getAttribute('data-field')!, (e.textContent ?? '').trim()] as [string, string]));
  return new Map(pairs);
}

/** "1,234,567 B" → 1234567; "87.5 %" → 87.5. */
export function shownNumber(text: string): number {
  return Number(text.replace(/[,\s]|B$|%$/g, ''));
}

/** A full-page screenshot under out/ (the folder is created). */
export async function screenshot(page: Page, path: string): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
}

/**
 * Adding a measured per-layer target cost (the benchmarks, the sweep) to a converted folder's
 * report.html after the conversion: the page carries its ReportData, so it is re-rendered from it
 * with the cost added, and manifest.json's entry for report.html follows (verify checks every
 * file against its sha256). Both files are written atomically, report.html first.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifestJson, readManifest, sha256, type Manifest } from '../artifacts/manifest.js';
import { writeFileAtomic } from '../util/atomic_write.js';
import { UserError } from '../util/errors.js';
import { readEmbeddedJson } from './page.js';
import type { ReportData, TargetCost } from './report_data.js';
import { reportHtml } from './report_html.js';

/** The ReportData a report.html carries. */
export function readReportData(html: string, where: string): ReportData {
  const data = readEmbeddedJson(html) as ReportData | undefined;
  if (!data || !Array.isArray(data.layers) || typeof data.arena !== 'object') throw new UserError(`${where}: no report data embedded (not written by onnx2mcu?)`);
  return data;
}

/** The report with `cost` in place of any earlier one (pure). */
export function withTargetCost(data: ReportData, cost: TargetCost): ReportData {
  return { ...data, targetCost: cost };
}

/** Re-renders `dir`/report.html with the cost, and updates manifest.json's record of it. */
export function addTargetCost(dir: string, cost: TargetCost): void {
  const path = join(dir, 'report.html');
  const manifest = readManifest(dir);
  const html = reportHtml(withTargetCost(readReportData(readFileSync(path, 'utf8'), path), cost));
  const bytes = Buffer.from(html, 'utf8');
  const files = { ...manifest.files, 'report.html': { bytes: bytes.length, sha256: sha256(bytes) } };
  writeFileAtomic(path, bytes);
  writeFileAtomic(join(dir, 'manifest.json'), manifestJson({ ...manifest, files } as Manifest));
}

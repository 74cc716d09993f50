/**
 * `onnx2mcu sweep`: MobileNet v1 over a width × resolution grid (default the paper's, Tables 6
 * and 7), every configuration converted and measured (measure_config.ts) in `jobs` worker
 * processes, written into one folder atomically: sweep.json, sweep.md, sweep.html, one converted
 * folder per configuration (with its report.html), and a manifest.json naming the folder as
 * onnx2mcu's (so a later sweep may replace it without --force).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { stableStringify } from '../artifacts/manifest.js';
import { generatorVersion } from '../emit/emit.js';
import { Progress, type ProgressMode } from '../progress/progress.js';
import { writeDirAtomic } from '../util/atomic_write.js';
import { checkOutputDir } from '../util/output_paths.js';
import { configName, fmtWidth, sweepConfigs } from './grid.js';
import type { SweepRow } from './measure_config.js';
import { measureInWorkers } from './pool.js';
import { sweepHtml, sweepMd, tableOrder, type SweepMeta } from './sweep_pages.js';

export interface SweepOptions {
  readonly widths: readonly number[];
  readonly resolutions: readonly number[];
  /** Worker processes (configurations measured at once). */
  readonly jobs: number;
  readonly out: string;
  /** Cortex-M4 runs when the tools are present (default true). */
  readonly m4?: boolean;
  /** Host instruction counts (callgrind) when valgrind is present (default true). */
  readonly host?: boolean;
  readonly top1Images?: number;
  readonly calibCount?: number;
  readonly force?: boolean;
  readonly progress?: ProgressMode;
  /** ImageNet models by "αxρ" (default: ../shared's); tests pass an empty map to keep to generated models. */
  readonly realModels?: ReadonlyMap<string, string>;
}

export interface SweepResult {
  readonly out: string;
  readonly rows: readonly SweepRow[];
  readonly seconds: number;
}

/** sweep.json: the rows (the fields, then `details`) and how they were made. */
export function sweepJson(rows: readonly SweepRow[], meta: SweepMeta): string {
  return JSON.stringify({ rows: tableOrder(rows), meta }, null, 2) + '\n';
}

export async function runSweep(o: SweepOptions): Promise<SweepResult> {
  checkOutputDir(o.out, { option: '--out', force: o.force });
  const start = performance.now();
  const configs = sweepConfigs(o.widths, o.resolutions, o.realModels ? new Map(o.realModels) : undefined);
  const progress = new Progress('sweep', configs.length, o.progress ?? 'none', { unit: 'configurations' });
  const work = mkdtempSync(join(tmpdir(), 'onnx2mcu-sweep-'));
  let rows: SweepRow[] = [];
  try {
    await writeDirAtomic(o.out, async (tmp) => {
      rows = await measureInWorkers(configs, o.jobs, (c) => ({
        out: join(tmp, configName(c)),
        work: join(work, configName(c)),
        m4: o.m4 ?? true,
        host: o.host ?? true,
        ...(o.top1Images !== undefined ? { top1Images: o.top1Images } : {}),
        ...(o.calibCount !== undefined ? { calibCount: o.calibCount } : {}),
      }), () => progress.tick());
      progress.done();
      const cpu = cpus();
      const meta: SweepMeta = {
        generator: generatorVersion(),
        widths: o.widths,
        resolutions: o.resolutions,
        jobs: o.jobs,
        seconds: Math.round((performance.now() - start) / 100) / 10,
        machine: `${cpu[0]?.model.trim() ?? 'unknown CPU'} × ${cpu.length}, node ${process.version}`,
        m4: o.m4 ?? true,
        host: o.host ?? true,
      };
      writeFileSync(join(tmp, 'sweep.json'), sweepJson(rows, meta));
      writeFileSync(join(tmp, 'sweep.md'), sweepMd(rows, meta));
      writeFileSync(join(tmp, 'sweep.html'), sweepHtml(rows, meta));
      writeFileSync(join(tmp, 'manifest.json'), stableStringify({
        generator: meta.generator,
        kind: 'sweep',
        files: ['sweep.json', 'sweep.md', 'sweep.html', ...tableOrder(rows).map((r) => `${configName(r)}/`)],
        note: `width × resolution sweep (${o.widths.map(fmtWidth).join(',')} × ${o.resolutions.join(',')}); each folder is a converted model`,
      }));
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { out: o.out, rows: tableOrder(rows), seconds: (performance.now() - start) / 1000 };
}

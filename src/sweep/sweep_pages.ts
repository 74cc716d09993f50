/**
 * sweep.md and sweep.html from the measured rows (pure): the paper's Table 6/7 columns beside
 * ours, and the trade-off plots — MACs vs RAM, flash vs α, instructions vs MACs, accuracy vs
 * instructions for the pretrained models.
 */
import { cell, htmlPage, htmlTable, type Cell, type Column } from '../report/page.js';
import { esc, fmtInt, scatterChart, type ScatterSeries } from '../report/svg.js';
import { fmtWidth } from './grid.js';
import type { SweepRow } from './measure_config.js';
import { paperRow } from './paper.js';

export interface SweepMeta {
  readonly generator: string;
  readonly widths: readonly number[];
  readonly resolutions: readonly number[];
  readonly jobs: number;
  readonly seconds: number;
  readonly machine: string;
  readonly m4: boolean;
  /** Host (callgrind) instruction counts asked for (false with --no-host). */
  readonly host: boolean;
}

const mega = (n: number | null | undefined, digits = 1) => (n === null || n === undefined ? '—' : (n / 1e6).toFixed(digits));
const kb = (n: number) => (n / 1024).toFixed(1);
const pct = (x: number) => (100 * x).toFixed(1);

/** Rows in table order: by width, then resolution. */
export function tableOrder(rows: readonly SweepRow[]): SweepRow[] {
  return [...rows].sort((a, b) => a.width - b.width || a.resolution - b.resolution);
}

interface TableColumn { readonly label: string; readonly numeric: boolean; readonly text: (r: SweepRow) => string; readonly sort?: (r: SweepRow) => number | string; readonly field?: string }

/** The one column list both pages print. */
function columns(): TableColumn[] {
  const paper = (r: SweepRow) => paperRow(r.width, r.resolution);
  return [
    { label: 'α', numeric: true, text: (r) => fmtWidth(r.width), sort: (r) => r.width },
    { label: 'ρ', numeric: true, text: (r) => String(r.resolution), sort: (r) => r.resolution },
    { label: 'paper top-1 %', numeric: true, text: (r) => paper(r)?.top1.toFixed(1) ?? '—', sort: (r) => paper(r)?.top1 ?? -1 },
    { label: 'paper MACs (M)', numeric: true, text: (r) => (paper(r) ? String(paper(r)!.macsM) : '—'), sort: (r) => paper(r)?.macsM ?? -1 },
    { label: 'paper params (M)', numeric: true, text: (r) => (paper(r) ? String(paper(r)!.paramsM) : '—'), sort: (r) => paper(r)?.paramsM ?? -1 },
    { label: 'MACs (M)', numeric: true, text: (r) => mega(r.macs), sort: (r) => r.macs, field: 'macs' },
    { label: 'params (M)', numeric: true, text: (r) => mega(r.params, 2), sort: (r) => r.params, field: 'params' },
    { label: 'flash (KiB)', numeric: true, text: (r) => kb(r.flashBytes), sort: (r) => r.flashBytes, field: 'flashBytes' },
    { label: 'RAM (KiB)', numeric: true, text: (r) => kb(r.ramBytes), sort: (r) => r.ramBytes, field: 'ramBytes' },
    { label: 'host instr. (M)', numeric: true, text: (r) => mega(r.hostInstructions), sort: (r) => r.hostInstructions ?? -1, field: 'hostInstructions' },
    { label: 'M4 instr. (M)', numeric: true, text: (r) => mega(r.m4Instructions), sort: (r) => r.m4Instructions ?? -1, field: 'm4Instructions' },
    { label: 'top-1 float %', numeric: true, text: (r) => (r.top1 ? pct(r.top1.float) : '—'), sort: (r) => r.top1?.float ?? -1 },
    { label: 'top-1 int8 %', numeric: true, text: (r) => (r.top1 ? pct(r.top1.int8) : '—'), sort: (r) => r.top1?.int8 ?? -1 },
    { label: 'model', numeric: false, text: (r) => r.details.model },
    { label: 'convert (s)', numeric: true, text: (r) => r.details.seconds.convert.toFixed(1), sort: (r) => r.details.seconds.convert },
  ];
}

export function sweepMd(rows: readonly SweepRow[], meta: SweepMeta): string {
  const cols = columns();
  const ordered = tableOrder(rows);
  // The same note on many configurations (e.g. --no-m4) is said once, with the configurations it concerns.
  const byNote = new Map<string, string[]>();
  for (const r of ordered) for (const n of r.details.notes) byNote.set(n, [...(byNote.get(n) ?? []), `${fmtWidth(r.width)}/${r.resolution}`]);
  const notes = [...byNote].map(([n, where]) => `${where.length === ordered.length && ordered.length > 1 ? 'every configuration' : where.join(', ')}: ${n}`);
  return [
    '# MobileNet v1 width × resolution sweep',
    '',
    `${meta.generator}; widths ${meta.widths.map(fmtWidth).join(', ')} × resolutions ${meta.resolutions.join(', ')}; ${meta.jobs} worker process(es); ${meta.seconds.toFixed(0)} s on ${meta.machine}.`,
    '',
    "The paper columns are MobileNet v1's Tables 6 and 7 (Howard et al. 2017; ImageNet top-1 on the full validation set, — where the paper has no entry). " +
      'Ours: MACs and params as `onnx2mcu inspect` counts them (1000 classes), flash = constant data (manifest.json, kernel code apart), RAM = the arena (the input inside it, kernel scratch included), ' +
      'instructions of one inference (host: callgrind, gcc -O2; M4: QEMU mps2-an386, arm-none-eabi-gcc -O2), top-1 on imagenet-samples for the pretrained models of ../shared only.',
    '',
    `| ${cols.map((c) => c.label).join(' | ')} |`,
    `|${cols.map((c) => (c.numeric ? '---:' : '---')).join('|')}|`,
    ...ordered.map((r) => `| ${cols.map((c) => c.text(r)).join(' | ')} |`),
    '',
    ...(notes.length ? ['Notes:', '', ...notes.map((n) => `- ${n}`), ''] : []),
  ].join('\n');
}

/** Series by width (points labelled with the resolution), for the plots over configurations. */
function byWidth(rows: readonly SweepRow[], x: (r: SweepRow) => number | null, y: (r: SweepRow) => number | null, line = true): ScatterSeries[] {
  const widths = [...new Set(rows.map((r) => r.width))].sort((a, b) => a - b);
  return widths.map((w) => ({
    name: `α ${fmtWidth(w)}`,
    line,
    points: rows.filter((r) => r.width === w && x(r) !== null && y(r) !== null).sort((a, b) => x(a)! - x(b)!)
      .map((r) => ({ x: x(r)!, y: y(r)!, label: `${fmtWidth(r.width)}/${r.resolution}`, showLabel: true })),
  })).filter((s) => s.points.length > 0);
}

export function sweepHtml(rows: readonly SweepRow[], meta: SweepMeta): string {
  const ordered = tableOrder(rows);
  const cols = columns();
  const tableColumns: Column[] = cols.map((c) => ({ label: c.label, numeric: c.numeric }));
  const tableRows = ordered.map((r, i): Cell[] => cols.map((c) => cell(c.text(r), c.sort?.(r), c.field ? `rows.${i}.${c.field}` : undefined)));
  const resolutions = [...new Set(rows.map((r) => r.resolution))].sort((a, b) => a - b);
  const charts: string[] = [
    scatterChart({ id: 'macs-ram', title: 'MACs vs RAM (arena + input)', xLabel: 'MACs per inference', yLabel: 'RAM bytes', logX: true, logY: true, series: byWidth(ordered, (r) => r.macs, (r) => r.ramBytes) }),
    scatterChart({
      id: 'flash-width', title: 'Flash (constants) vs width α', xLabel: 'width multiplier α', yLabel: 'flash bytes',
      formatX: (v) => String(Number(v.toPrecision(3))),
      series: resolutions.map((res) => ({ name: `ρ ${res}`, line: true, points: ordered.filter((r) => r.resolution === res).map((r) => ({ x: r.width, y: r.flashBytes, label: `${fmtWidth(r.width)}/${res}: ${fmtInt(r.flashBytes)} B` })) })),
      note: 'Flash hardly depends on ρ (the weights do not): the lines lie on each other.',
    }),
  ];
  const instructionSeries: ScatterSeries[] = [
    { name: 'host (x86-64)', points: ordered.filter((r) => r.hostInstructions !== null).map((r) => ({ x: r.macs, y: r.hostInstructions!, label: `${fmtWidth(r.width)}/${r.resolution}: ${mega(r.hostInstructions, 2)}M host instructions` })) },
    { name: 'Cortex-M4', points: ordered.filter((r) => r.m4Instructions !== null).map((r) => ({ x: r.macs, y: r.m4Instructions!, label: `${fmtWidth(r.width)}/${r.resolution}: ${mega(r.m4Instructions, 2)}M M4 instructions` })) },
  ].filter((s) => s.points.length > 0);
  if (instructionSeries.length) {
    charts.push(scatterChart({ id: 'instructions-macs', title: 'Instructions per inference vs MACs', xLabel: 'MACs per inference', yLabel: 'instructions', logX: true, logY: true, series: instructionSeries }));
  }
  const real = ordered.filter((r) => r.top1 !== null);
  const instr = (r: SweepRow) => r.m4Instructions ?? r.hostInstructions;
  if (real.some((r) => instr(r) !== null)) {
    const which = real.every((r) => r.m4Instructions !== null) ? 'Cortex-M4' : 'host';
    const x = (r: SweepRow) => (which === 'Cortex-M4' ? r.m4Instructions : r.hostInstructions);
    charts.push(scatterChart({
      id: 'accuracy-instructions', title: `Top-1 on imagenet-samples vs ${which} instructions (pretrained models)`, xLabel: `${which} instructions per inference`, yLabel: 'top-1 %', logX: true,
      series: (['float', 'int8'] as const).map((k) => ({ name: k, points: real.filter((r) => x(r) !== null).map((r) => ({ x: x(r)!, y: 100 * r.top1![k], label: `${fmtWidth(r.width)}/${r.resolution} ${k}: ${pct(r.top1![k])} %`, showLabel: k === 'int8' })) })),
    }));
  }
  const missing = [
    instructionSeries.length ? '' : `No instruction counts (host: ${meta.host ? 'valgrind absent' : 'not run, --no-host'}; Cortex-M4: ${meta.m4 ? 'the Arm tools or QEMU absent' : 'not run, --no-m4'}).`,
    real.length ? '' : 'No pretrained ImageNet model in this grid (../shared has 0.25/128 and 0.25/224): no accuracy plot.',
  ].filter(Boolean);
  const body = [
    '<h1>MobileNet v1: width × resolution on the target</h1>',
    `<p class="muted">${esc(meta.generator)}; widths ${esc(meta.widths.map(fmtWidth).join(', '))} × resolutions ${esc(meta.resolutions.join(', '))}; ${meta.jobs} worker process(es); <span data-field="seconds">${esc(meta.seconds.toFixed(0))}</span> s on ${esc(meta.machine)}.</p>`,
    `<div class="charts">${charts.join('')}</div>`,
    ...missing.map((m) => `<p class="muted">${esc(m)}</p>`),
    '<h2>Every configuration, beside the paper</h2>',
    "<p class=\"muted\">Paper: MobileNet v1's Tables 6 and 7 (ImageNet validation top-1; — where the paper has no entry). Ours: MACs and params as inspect counts them (1000 classes), flash = constants (kernel code apart), RAM = the arena (the input inside it, kernel scratch included), instructions of one inference, top-1 on imagenet-samples for pretrained models. Click a header to sort.</p>",
    `<div class="table-wrap">${htmlTable('sweep', tableColumns, tableRows, { sortable: true })}</div>`,
  ].join('\n');
  return htmlPage('onnx2mcu sweep', body, { meta, rows: ordered });
}

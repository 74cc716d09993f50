/**
 * report.html: the conversion on one page — where the MACs, parameters, RAM, flash and the
 * quantization error go. A pure function of ReportData (same data, same bytes). Tables are plain
 * HTML and the charts inline SVG (src/report/svg.ts), so everything reads with JavaScript off;
 * the one script sorts the per-layer table. Elements that show manifest figures carry a
 * data-field naming the figure (the browser test compares them with manifest.json).
 */
import type { ReportData, ReportLayer } from './report_data.js';
import { cell, htmlPage, htmlTable, type Cell, type Column } from './page.js';
import { barChart, esc, fmtInt, ganttChart, histogramChart, PALETTE } from './svg.js';

const sci = (x: number) => Number(x.toPrecision(4)).toString();
const shape = (s: readonly number[]) => s.join('×');
const db = (x: number | null) => (x === null ? 'exact' : `${x.toFixed(1)} dB`);
const pct = (x: number) => `${(100 * x).toFixed(x > 0 && x < 0.001 ? 3 : 1)} %`;

/** A figure in the summary strip. */
const figure = (label: string, value: string, field?: string) => `<li>${esc(label)}<b${field ? ` data-field="${esc(field)}"` : ''}>${esc(value)}</b></li>`;

function layerTable(d: ReportData): string {
  const q = new Map((d.quality?.layers ?? []).map((l) => [l.layer, l]));
  const cost = new Map((d.targetCost?.layers ?? []).map((l) => [l.name, l.value]));
  const columns: Column[] = [
    { label: '#', numeric: true }, { label: 'layer' }, { label: 'kernel' }, { label: 'source nodes' },
    { label: 'input' }, { label: 'output' }, { label: 'MACs', numeric: true }, { label: 'params', numeric: true },
    { label: 'arena in' }, { label: 'arena out' }, { label: 'in scale / zp' }, { label: 'out scale / zp' }, { label: 'clamp' },
    ...(d.quality ? [{ label: 'SQNR', numeric: true, title: 'int8 output vs float on the calibration images' }] : []),
    ...(d.targetCost ? [{ label: d.targetCost.unit, numeric: true, title: d.targetCost.what }] : []),
  ];
  const rows = d.layers.map((l: ReportLayer): Cell[] => {
    const s = q.get(l.name)?.sqnrDb;
    return [
      cell(l.index, l.index),
      cell(l.name),
      cell(`${l.kernel}${l.inPlace ? ' (in place)' : ''}`),
      cell(l.origin.join(', ')),
      cell(l.inputShapes.map(shape).join(' + ')),
      cell(shape(l.outputShape)),
      cell(fmtInt(l.macs), l.macs, `layers.${l.index}.macs`),
      cell(fmtInt(l.params), l.params, `layers.${l.index}.params`),
      cell(l.arenaIn.join(' + ')),
      cell(l.arenaOut),
      cell(l.inputQ.map((x) => `${sci(x.scale)} / ${x.zeroPoint}`).join(' + ')),
      cell(`${sci(l.outputQ.scale)} / ${l.outputQ.zeroPoint}`),
      cell(`[${l.clamp[0]}, ${l.clamp[1]}]`),
      ...(d.quality ? [cell(s === undefined ? '-' : db(s), s === null ? 1e9 : (s ?? -1e9))] : []),
      ...(d.targetCost ? [cell(cost.has(l.name) ? fmtInt(cost.get(l.name)!) : '-', cost.get(l.name) ?? -1)] : []),
    ];
  });
  return `<div class="table-wrap">${htmlTable('layers', columns, rows, { sortable: true, caption: 'Click a column header to sort; again to reverse.' })}</div>`;
}

function costSection(d: ReportData): string {
  const labels = d.layers.map((l) => l.name);
  const charts = [
    barChart({ id: 'macs', title: 'MACs per layer', rows: d.layers.map((l, i) => ({ label: labels[i], value: l.macs })) }),
    barChart({ id: 'params', title: 'Parameters per layer (weights + biases)', rows: d.layers.map((l, i) => ({ label: labels[i], value: l.params })), color: PALETTE[2] }),
  ];
  let note = '<p class="muted">Target cost per layer: not measured for this folder. <code>make bench</code> and <code>onnx2mcu sweep</code> add it (instructions per layer on the emulated Cortex-M4).</p>';
  if (d.targetCost) {
    const t = d.targetCost;
    const byName = new Map(t.layers.map((l) => [l.name, l.value]));
    charts.push(barChart({
      id: 'target-cost',
      title: `${t.unit} per layer — ${t.what}`,
      rows: d.layers.filter((l) => byName.has(l.name)).map((l) => ({ label: l.name, value: byName.get(l.name)! })),
      color: PALETTE[4],
      note: `total ${esc(fmtInt(t.total))} ${esc(t.unit)} per inference`,
    }));
    note = '';
  }
  return `<h2 id="cost">Where the work goes</h2>${note}<div class="charts">${charts.join('')}</div>`;
}

function arenaSection(d: ReportData): string {
  const a = d.arena;
  const gantt = ganttChart({
    id: 'arena',
    title: 'Arena over time: each rectangle is a buffer (bytes × the layers it lives through)',
    steps: a.steps,
    boxes: a.buffers.map((b) => ({ label: b.tensors.join(' = '), offset: b.offset, bytes: b.bytes, first: b.first, last: b.last })),
    marks: [
      { label: 'arena', bytes: a.bytes, color: '#b5475b' },
      { label: 'lower bound', bytes: a.lowerBound, color: '#3f9c5a' },
    ],
    highlightStep: a.peakStep,
    note: `The outlined column is the layer that sets the peak (${esc(a.peakLayer)}). Lower bound: the most bytes live at one step, which no placement can beat. ${a.stream
      ? `The first ${a.stream.layers} layers run row by row, up to ${a.stream.band} rows per kernel call: the input (${esc(fmtInt(a.inputBytes))} B) is read a row at a time and never stored, and their windows and scratch are the ${esc(a.steps[0])} buffer.`
      : `The input (${esc(fmtInt(a.inputBytes))} B) lives in the arena.`} The caller's output (${esc(fmtInt(a.outputBytes))} B) is outside it.`,
  });
  const rows = a.buffers.map((b) => [
    cell(fmtInt(b.offset), b.offset), cell(fmtInt(b.offset + b.bytes), b.offset + b.bytes), cell(fmtInt(b.bytes), b.bytes),
    cell(`${b.first}–${b.last} (${a.steps[b.first] ?? '?'} .. ${a.steps[b.last] ?? '?'})`, b.first), cell(b.tensors.join(' = ')),
  ]);
  const table = htmlTable('arena-buffers', [{ label: 'offset', numeric: true }, { label: 'end', numeric: true }, { label: 'bytes', numeric: true }, { label: 'steps' }, { label: 'tensors' }], rows, { sortable: true });
  return [
    '<h2 id="arena">RAM: the arena plan</h2>',
    `<ul class="figures">${figure('arena bytes', fmtInt(a.bytes), 'arena.bytes')}${figure('live-bytes lower bound', fmtInt(a.lowerBound), 'arena.live_bytes_lower_bound')}${figure('peak set by', a.peakLayer, 'arena.peak_layer')}${figure('alignment', `${a.alignment} B`)}</ul>`,
    gantt,
    `<details><summary>Every buffer (as plan.txt)</summary><div class="table-wrap">${table}</div></details>`,
  ].join('');
}

function flashSection(d: ReportData): string {
  const kinds = Object.keys(d.flash.sections).sort();
  const rows = kinds.map((k) => ({ label: k, value: d.flash.sections[k] }));
  const code = d.targetCost?.codeBytes;
  if (code !== undefined) rows.push({ label: 'kernel code', value: code });
  const chart = barChart({ id: 'flash', title: 'Flash by kind (bytes)', rows, color: PALETTE[5], note: code === undefined ? 'Kernel code is not counted here (about 4–5 KB on Cortex-M4, measured by make bench).' : `kernel code: ${esc(d.targetCost!.what)}` });
  const table = htmlTable('flash-table', [{ label: 'kind' }, { label: 'bytes', numeric: true }], [
    ...kinds.map((k) => [cell(k), cell(fmtInt(d.flash.sections[k]), d.flash.sections[k], `flash.sections.${k}`)]),
    [cell('total constants'), cell(fmtInt(d.flash.total), d.flash.total, 'flash.total')],
    ...(code !== undefined ? [[cell('kernel code'), cell(fmtInt(code), code)]] : []),
  ]);
  return `<h2 id="flash">Flash</h2><div class="charts">${chart}${table}</div>`;
}

function qualitySection(d: ReportData): string {
  const q = d.quality;
  if (!q) return '<h2 id="quality">Quantization quality</h2><p class="muted">Not measured for this folder.</p>';
  const sqnrRows = q.layers.filter((l) => l.sqnrDb !== null).map((l) => ({ label: l.layer, value: l.sqnrDb!, title: `${l.layer}: ${db(l.sqnrDb)}` }));
  const worst = new Set(q.worst.map((w) => w.layer));
  const sqnr = barChart({
    id: 'sqnr',
    title: 'SQNR of each int8 activation against float (dB, higher is better)',
    rows: sqnrRows.map((r) => ({ ...r, highlight: worst.has(r.label) })),
    format: (v) => `${v.toFixed(1)} dB`,
    color: PALETTE[6],
    note: `On the ${q.images} calibration images, int8 run from the same uint8 pixels as float. The worst ${q.worst.length} (highlighted) are plotted below.${q.layers.some((l) => l.sqnrDb === null) ? ' Layers whose int8 output equals float exactly are not drawn.' : ''}`,
  });
  const hists = q.worst.map((w, i) => histogramChart({
    id: `range-${i}`,
    title: `${w.layer}: float values vs the int8 range`,
    lo: w.lo, hi: w.hi, counts: w.counts,
    ranges: [
      { label: 'int8 range (calibrated)', min: w.chosen.min, max: w.chosen.max, color: '#3b6fb6' },
      { label: 'observed', min: w.observed.min, max: w.observed.max, color: '#d9822b' },
    ],
    note: `int8 [${sci(w.chosen.min)}, ${sci(w.chosen.max)}], observed [${sci(w.observed.min)}, ${sci(w.observed.max)}], SQNR ${db(q.layers.find((l) => l.layer === w.layer)?.sqnrDb ?? null)}`,
  }));
  const rangeTable = htmlTable('ranges', [
    { label: 'layer' }, { label: 'SQNR', numeric: true }, { label: 'observed min', numeric: true }, { label: 'observed max', numeric: true },
    { label: 'int8 min', numeric: true }, { label: 'int8 max', numeric: true }, { label: 'clipped', numeric: true, title: 'share of float values outside the int8 range' },
  ], q.layers.map((l) => [
    cell(l.layer), cell(db(l.sqnrDb), l.sqnrDb ?? 1e9), cell(sci(l.observed.min), l.observed.min), cell(sci(l.observed.max), l.observed.max),
    cell(sci(l.chosen.min), l.chosen.min), cell(sci(l.chosen.max), l.chosen.max), cell(pct(l.clipped), l.clipped),
  ]), { sortable: true });
  return [
    '<h2 id="quality">Quantization quality</h2>',
    `<ul class="figures">${figure('calibration images', String(q.images), 'quality.images')}${figure('float vs int8 top-1 agreement', `${pct(q.agreement)} (${q.agreeing}/${q.images})`, 'quality.agreement')}${figure('logits SQNR', db(q.logitsSqnrDb), 'quality.logits')}</ul>`,
    `<div class="charts">${sqnr}</div>`,
    '<h3>Calibration range against the histogram, worst layers</h3>',
    `<div class="charts">${hists.join('')}</div>`,
    `<details><summary>Every tensor's range</summary><div class="table-wrap">${rangeTable}</div></details>`,
  ].join('');
}

function provenanceSection(d: ReportData): string {
  const p = d.provenance;
  const rows: [string, string, string?][] = [['tool version', d.generator, 'generator']];
  if (p) {
    rows.push(
      ['model file', `${p.model} (${p.format})`],
      ['model sha256', p.model_sha256, 'model.source.model_sha256'],
      ['calibration set', p.calibration.from || '(not recorded)'],
      ['calibration images', String(p.calibration.images), 'model.source.calibration.images'],
      ['calibration method', `${p.calibration.method} observer, bias correction ${p.calibration.bias_correction ? 'on' : 'off'}`, 'model.source.calibration.method'],
      ['input scaling', `${p.input_scaling} (${p.input_scaling_source === 'assumed' ? 'ASSUMED: check it' : `from ${p.input_scaling_source}`})`],
    );
  }
  const table = `<table id="provenance"><tbody>${rows.map(([k, v, f]) => `<tr><th scope="row">${esc(k)}</th><td${f ? ` data-field="${esc(f)}"` : ''}>${esc(v)}</td></tr>`).join('')}</tbody></table>`;
  return `<h2 id="provenance">Provenance</h2>${p ? '' : '<p class="muted">The model source was not recorded.</p>'}${table}`;
}

export function reportHtml(d: ReportData): string {
  const q = d.quality;
  const summary = [
    figure('MACs', fmtInt(d.totals.macs), 'totals.macs'),
    figure('parameters', fmtInt(d.totals.params), 'totals.params'),
    figure('arena (RAM)', `${fmtInt(d.arena.bytes)} B`),
    figure('flash constants', `${fmtInt(d.flash.total)} B`),
    ...(q ? [figure('int8 = float top-1', pct(q.agreement))] : []),
    ...(d.targetCost ? [figure(d.targetCost.unit, fmtInt(d.targetCost.total))] : []),
  ].join('');
  const body = [
    `<h1>${esc(d.model.name)} — int8 C runner</h1>`,
    `<p class="muted">Generated by ${esc(d.generator)}. Input ${esc(shape(d.model.inputShape))} (${esc(d.model.inputLayout.toUpperCase())} in C), output ${esc(shape(d.model.outputShape))}. Same figures as report.md, plan.txt and manifest.json.</p>`,
    '<nav><a href="#layers-section">layers</a><a href="#cost">work</a><a href="#arena">RAM</a><a href="#flash">flash</a><a href="#quality">quantization</a><a href="#provenance">provenance</a></nav>',
    `<ul class="figures">${summary}</ul>`,
    '<h2 id="layers-section">Layers</h2>',
    layerTable(d),
    costSection(d),
    arenaSection(d),
    flashSection(d),
    qualitySection(d),
    provenanceSection(d),
  ].join('\n');
  return htmlPage(`${d.model.name} — onnx2mcu report`, body, d);
}

/**
 * The charts of report.html and sweep.html as plain inline SVG strings: horizontal bars, an arena
 * (Gantt) plot, a histogram with marked ranges, and a scatter/line plot. Pure functions from
 * numbers to markup — no script, no library, no network — so the pictures are there with
 * JavaScript off, print as they look, and the same inputs give the same bytes (golden baselines).
 * Every mark has a <title>, which browsers show as a tooltip.
 */

export const PALETTE = ['#3b6fb6', '#d9822b', '#3f9c5a', '#b5475b', '#7a5cb0', '#8a7440', '#2f9aa6', '#777777'];

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe inside HTML/SVG elements and attribute values. */
export function esc(text: string | number): string {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** Coordinates with at most 2 decimals (short, stable markup). */
const px = (x: number) => String(Math.round(x * 100) / 100);

/** Integers with thousands separators: 1,234,567. */
export const fmtInt = (n: number) => Math.round(n).toLocaleString('en-US');

/** Short form for axes: 1.2M, 350k, 12. */
export function fmtShort(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${Number((n / 1e9).toPrecision(3))}G`;
  if (a >= 1e6) return `${Number((n / 1e6).toPrecision(3))}M`;
  if (a >= 1e3) return `${Number((n / 1e3).toPrecision(3))}k`;
  return String(Number(n.toPrecision(3)));
}

/** About `count` round tick values covering [lo, hi] (1, 2, 5 × 10^k steps). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  // Multiples of the step (no running sum: it drifts), rounded to 15 digits (0.30000000000000004 → 0.3).
  for (let k = Math.ceil(lo / step); k * step <= hi + step * 1e-9; k++) {
    const t = Number((k * step).toPrecision(15));
    if (t >= lo - step * 1e-9 && t <= hi + step * 1e-9 && t > (ticks[ticks.length - 1] ?? -Infinity)) ticks.push(t);
  }
  // A span too small for the magnitude (1e5 ± 1e-12) has no two round values: its ends then.
  return ticks.length >= 2 ? ticks : [lo, hi];
}

/** Ticks of a log axis over [lo, hi]: powers of ten, and 2× and 5× them when the range spans few decades. */
export function logTicks(lo: number, hi: number): number[] {
  const decades: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) decades.push(e);
  const inside = (ts: number[]) => ts.filter((t) => t >= lo && t <= hi);
  const fine = inside(decades.flatMap((e) => [1, 2, 5].map((m) => Number((m * 10 ** e).toPrecision(12)))));
  if (fine.length > 9) return inside(decades.map((e) => Number((10 ** e).toPrecision(12))));
  // Less than a factor of 2 (one configuration): round linear values read better than none.
  return fine.length >= 2 ? fine : inside(niceTicks(lo, hi, 3));
}

function figure(id: string, title: string, width: number, height: number, body: string, note?: string): string {
  return [
    `<figure class="chart" id="chart-${esc(id)}" data-chart="${esc(id)}">`,
    `<figcaption>${esc(title)}</figcaption>`,
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${esc(title)}">`,
    body,
    '</svg>',
    note ? `<p class="note">${note}</p>` : '',
    '</figure>',
  ].join('');
}

export interface BarRow {
  readonly label: string;
  readonly value: number;
  /** Tooltip text (default: label and value). */
  readonly title?: string;
  /** Drawn in the accent colour (e.g. the layer that sets the peak). */
  readonly highlight?: boolean;
}

export interface BarChartOptions {
  readonly id: string;
  readonly title: string;
  readonly rows: readonly BarRow[];
  /** Value formatter for the labels at the bar ends (default fmtInt). */
  readonly format?: (v: number) => string;
  readonly color?: string;
  readonly width?: number;
  readonly note?: string;
}

/** One horizontal bar per row, labelled on the left, value at the bar's end. */
export function barChart(o: BarChartOptions): string {
  const width = o.width ?? 560;
  const rowH = 16;
  const labelW = Math.min(200, 12 + 6.2 * Math.max(4, ...o.rows.map((r) => r.label.length)));
  const valueW = 90;
  const top = 6;
  const height = top + rowH * o.rows.length + 22;
  const plotW = width - labelW - valueW;
  const max = Math.max(0, ...o.rows.map((r) => r.value));
  const lo = Math.min(0, ...o.rows.map((r) => r.value));
  const span = max - lo || 1;
  const x = (v: number) => labelW + ((v - lo) / span) * plotW;
  const format = o.format ?? fmtInt;
  const parts: string[] = [];
  for (const t of niceTicks(lo, max || 1, 4)) {
    parts.push(`<line class="grid" x1="${px(x(t))}" x2="${px(x(t))}" y1="${top}" y2="${top + rowH * o.rows.length}"/>`);
    parts.push(`<text class="tick" x="${px(x(t))}" y="${top + rowH * o.rows.length + 14}" text-anchor="middle">${esc(fmtShort(t))}</text>`);
  }
  o.rows.forEach((r, i) => {
    const y = top + i * rowH;
    const x0 = x(Math.min(0, r.value));
    const w = Math.abs(x(r.value) - x(0));
    const fill = r.highlight ? PALETTE[1] : (o.color ?? PALETTE[0]);
    parts.push(`<text class="label" x="${px(labelW - 6)}" y="${px(y + rowH * 0.72)}" text-anchor="end">${esc(r.label)}</text>`);
    parts.push(`<rect class="bar" x="${px(x0)}" y="${px(y + 2)}" width="${px(Math.max(w, 0.5))}" height="${rowH - 4}" fill="${fill}"><title>${esc(r.title ?? `${r.label}: ${format(r.value)}`)}</title></rect>`);
    parts.push(`<text class="value" x="${px(x(Math.max(r.value, 0)) + 4)}" y="${px(y + rowH * 0.72)}">${esc(format(r.value))}</text>`);
  });
  return figure(o.id, o.title, width, height, parts.join(''), o.note);
}

export interface GanttBox {
  readonly label: string;
  readonly offset: number;
  readonly bytes: number;
  readonly first: number;
  readonly last: number;
}

export interface GanttOptions {
  readonly id: string;
  readonly title: string;
  /** Names of the steps (x axis). */
  readonly steps: readonly string[];
  readonly boxes: readonly GanttBox[];
  /** Horizontal lines, e.g. the arena size and the live-bytes lower bound. */
  readonly marks: readonly { readonly label: string; readonly bytes: number; readonly color: string }[];
  /** A step to outline (the one that sets the peak). */
  readonly highlightStep?: number;
  readonly width?: number;
  readonly note?: string;
}

/** Arena over time: one rectangle per buffer, x = the steps it lives through, y = its bytes. */
export function ganttChart(o: GanttOptions): string {
  const width = o.width ?? 900;
  const left = 64, right = 150, top = 10, bottom = 90;
  const plotH = 300;
  const height = top + plotH + bottom;
  const n = Math.max(1, o.steps.length);
  const stepW = (width - left - right) / n;
  const maxBytes = Math.max(1, ...o.boxes.map((b) => b.offset + b.bytes), ...o.marks.map((m) => m.bytes));
  const y = (bytes: number) => top + plotH - (bytes / maxBytes) * plotH;
  const parts: string[] = [];
  for (const t of niceTicks(0, maxBytes, 5)) {
    parts.push(`<line class="grid" x1="${left}" x2="${px(left + n * stepW)}" y1="${px(y(t))}" y2="${px(y(t))}"/>`);
    parts.push(`<text class="tick" x="${left - 4}" y="${px(y(t) + 4)}" text-anchor="end">${esc(fmtShort(t))}</text>`);
  }
  const peak = o.highlightStep !== undefined
    ? `<rect class="peak-step" x="${px(left + o.highlightStep * stepW)}" y="${top}" width="${px(stepW)}" height="${plotH}"><title>${esc(`peak at step ${o.highlightStep}: ${o.steps[o.highlightStep] ?? ''}`)}</title></rect>`
    : '';
  o.boxes.forEach((b, i) => {
    const x0 = left + b.first * stepW;
    const w = (b.last - b.first + 1) * stepW;
    const y1 = y(b.offset + b.bytes);
    const h = Math.max(1, y(b.offset) - y1);
    parts.push(`<rect class="buffer" x="${px(x0 + 0.5)}" y="${px(y1)}" width="${px(Math.max(w - 1, 0.5))}" height="${px(h)}" fill="${PALETTE[i % PALETTE.length]}"><title>${esc(`${b.label}: bytes ${fmtInt(b.offset)}–${fmtInt(b.offset + b.bytes)} (${fmtInt(b.bytes)} B), steps ${b.first}–${b.last} (${o.steps[b.first] ?? ''} .. ${o.steps[b.last] ?? ''})`)}</title></rect>`);
  });
  // The peak column is outlined over the buffers (they fill it: that is what makes it the peak).
  parts.push(peak);
  let lastLabelY = -Infinity;
  for (const m of [...o.marks].sort((a, b) => b.bytes - a.bytes)) {
    parts.push(`<line class="mark" x1="${left}" x2="${px(left + n * stepW)}" y1="${px(y(m.bytes))}" y2="${px(y(m.bytes))}" stroke="${m.color}"/>`);
    // Equal or close marks (an arena at its lower bound): labels stacked, not printed over each other.
    const labelY = Math.max(y(m.bytes) + 4, lastLabelY + 13);
    lastLabelY = labelY;
    parts.push(`<text class="mark-label" x="${px(left + n * stepW + 4)}" y="${px(labelY)}" fill="${m.color}">${esc(`${m.label} ${fmtInt(m.bytes)} B`)}</text>`);
  }
  // Step names under the axis, rotated; every k-th when there are many.
  const every = Math.max(1, Math.ceil(n / 40));
  o.steps.forEach((s, i) => {
    if (i % every) return;
    const cx = left + (i + 0.5) * stepW;
    parts.push(`<text class="tick step" transform="translate(${px(cx)},${top + plotH + 6}) rotate(60)">${esc(s.length > 16 ? `${s.slice(0, 15)}…` : s)}</text>`);
  });
  parts.push(`<text class="axis" x="12" y="${px(top + plotH / 2)}" transform="rotate(-90 12 ${px(top + plotH / 2)})" text-anchor="middle">arena bytes</text>`);
  return figure(o.id, o.title, width, height, parts.join(''), o.note);
}

export interface HistogramOptions {
  readonly id: string;
  readonly title: string;
  readonly lo: number;
  readonly hi: number;
  readonly counts: readonly number[];
  /** Vertical markers (e.g. the chosen int8 range). */
  readonly ranges: readonly { readonly label: string; readonly min: number; readonly max: number; readonly color: string }[];
  readonly width?: number;
  readonly note?: string;
}

/** A histogram (log counts, so the tails show) with ranges marked as shaded bands. */
export function histogramChart(o: HistogramOptions): string {
  const width = o.width ?? 420;
  const left = 40, right = 10, top = 8, bottom = 40;
  const plotH = 120;
  const height = top + plotH + bottom;
  const plotW = width - left - right;
  const span = o.hi - o.lo || 1;
  const x = (v: number) => left + ((v - o.lo) / span) * plotW;
  const maxLog = Math.log10(1 + Math.max(1, ...o.counts));
  const h = (c: number) => (Math.log10(1 + c) / maxLog) * plotH;
  const parts: string[] = [];
  for (const r of o.ranges) {
    const x0 = x(Math.max(o.lo, r.min));
    const x1 = x(Math.min(o.hi, r.max));
    parts.push(`<rect class="range" x="${px(x0)}" y="${top}" width="${px(Math.max(0.5, x1 - x0))}" height="${plotH}" fill="${r.color}" fill-opacity="0.12" stroke="${r.color}"><title>${esc(`${r.label}: [${Number(r.min.toPrecision(4))}, ${Number(r.max.toPrecision(4))}]`)}</title></rect>`);
  }
  const bw = plotW / Math.max(1, o.counts.length);
  const step = span / Math.max(1, o.counts.length);
  o.counts.forEach((c, i) => {
    if (c <= 0) return;
    const bh = h(c);
    const from = o.lo + i * step;
    parts.push(`<rect class="bin" x="${px(left + i * bw)}" y="${px(top + plotH - bh)}" width="${px(Math.max(bw - 0.5, 0.5))}" height="${px(bh)}" fill="${PALETTE[0]}"><title>${esc(`[${Number(from.toPrecision(4))}, ${Number((from + step).toPrecision(4))}): ${fmtInt(c)} values`)}</title></rect>`);
  });
  parts.push(`<line class="axis-line" x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}"/>`);
  for (const t of niceTicks(o.lo, o.hi, 5)) {
    parts.push(`<text class="tick" x="${px(x(t))}" y="${top + plotH + 14}" text-anchor="middle">${esc(fmtShort(t))}</text>`);
  }
  const legend = o.ranges.map((r, i) => `<text class="legend" x="${left + i * 170}" y="${top + plotH + 32}" fill="${r.color}">${esc(`▮ ${r.label}`)}</text>`);
  parts.push(...legend);
  parts.push(`<text class="axis" x="10" y="${px(top + plotH / 2)}" transform="rotate(-90 10 ${px(top + plotH / 2)})" text-anchor="middle">log count</text>`);
  return figure(o.id, o.title, width, height, parts.join(''), o.note);
}

export interface ScatterPoint {
  readonly x: number;
  readonly y: number;
  /** Tooltip and (optional) label next to the point. */
  readonly label: string;
  readonly showLabel?: boolean;
}

export interface ScatterSeries {
  readonly name: string;
  readonly points: readonly ScatterPoint[];
  /** Join the points (in the given order) with a line. */
  readonly line?: boolean;
}

export interface ScatterOptions {
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ScatterSeries[];
  readonly logX?: boolean;
  readonly logY?: boolean;
  readonly width?: number;
  readonly note?: string;
  /** Axis tick formatters (default fmtShort). */
  readonly formatX?: (v: number) => string;
  readonly formatY?: (v: number) => string;
}

/** Points (and optional lines) per series, linear or log axes, with a legend. */
export function scatterChart(o: ScatterOptions): string {
  const width = o.width ?? 520;
  const left = 62, right = 120, top = 10, bottom = 46;
  const plotH = 260;
  const height = top + plotH + bottom;
  const plotW = width - left - right;
  const pts = o.series.flatMap((s) => s.points).filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && (!o.logX || p.x > 0) && (!o.logY || p.y > 0));
  const xs = pts.map((p) => p.x);
  const ys = pts.map((p) => p.y);
  const axis = (vals: number[], log: boolean | undefined) => {
    let lo = Math.min(...vals), hi = Math.max(...vals);
    if (!vals.length) { lo = 0; hi = 1; }
    if (log) {
      const l = Math.log10(lo), h = Math.log10(hi);
      const pad = (h - l) * 0.06 || 0.1;
      return { lo: 10 ** (l - pad), hi: 10 ** (h + pad) };
    }
    const pad = (hi - lo) * 0.06 || Math.abs(hi) * 0.1 || 1;
    return { lo: lo - pad, hi: hi + pad };
  };
  const ax = axis(xs, o.logX);
  const ay = axis(ys, o.logY);
  const sx = (v: number) => left + (o.logX ? (Math.log10(v) - Math.log10(ax.lo)) / (Math.log10(ax.hi) - Math.log10(ax.lo)) : (v - ax.lo) / (ax.hi - ax.lo)) * plotW;
  const sy = (v: number) => top + plotH - (o.logY ? (Math.log10(v) - Math.log10(ay.lo)) / (Math.log10(ay.hi) - Math.log10(ay.lo)) : (v - ay.lo) / (ay.hi - ay.lo)) * plotH;
  const fx = o.formatX ?? fmtShort;
  const fy = o.formatY ?? fmtShort;
  const parts: string[] = [];
  const xt = (o.logX ? logTicks(ax.lo, ax.hi) : niceTicks(ax.lo, ax.hi, 5)).filter((t) => t >= ax.lo && t <= ax.hi);
  const yt = (o.logY ? logTicks(ay.lo, ay.hi) : niceTicks(ay.lo, ay.hi, 5)).filter((t) => t >= ay.lo && t <= ay.hi);
  for (const t of xt) {
    parts.push(`<line class="grid" x1="${px(sx(t))}" x2="${px(sx(t))}" y1="${top}" y2="${top + plotH}"/>`);
    parts.push(`<text class="tick" x="${px(sx(t))}" y="${top + plotH + 14}" text-anchor="middle">${esc(fx(t))}</text>`);
  }
  for (const t of yt) {
    parts.push(`<line class="grid" x1="${left}" x2="${left + plotW}" y1="${px(sy(t))}" y2="${px(sy(t))}"/>`);
    parts.push(`<text class="tick" x="${left - 4}" y="${px(sy(t) + 4)}" text-anchor="end">${esc(fy(t))}</text>`);
  }
  parts.push(`<rect class="frame" x="${left}" y="${top}" width="${plotW}" height="${plotH}"/>`);
  o.series.forEach((s, si) => {
    const color = PALETTE[si % PALETTE.length];
    const ok = s.points.filter((p) => pts.includes(p));
    if (s.line && ok.length > 1) parts.push(`<polyline class="series-line" fill="none" stroke="${color}" points="${ok.map((p) => `${px(sx(p.x))},${px(sy(p.y))}`).join(' ')}"/>`);
    for (const p of ok) {
      parts.push(`<circle class="point" cx="${px(sx(p.x))}" cy="${px(sy(p.y))}" r="4" fill="${color}"><title>${esc(p.label)}</title></circle>`);
      // Labels of points near the right edge go to their left, clear of the legend.
      const leftward = sx(p.x) > left + plotW * 0.7;
      if (p.showLabel) parts.push(`<text class="point-label" x="${px(sx(p.x) + (leftward ? -6 : 6))}" y="${px(sy(p.y) - 5)}"${leftward ? ' text-anchor="end"' : ''}>${esc(p.label)}</text>`);
    }
    parts.push(`<text class="legend" x="${left + plotW + 10}" y="${top + 14 + 16 * si}" fill="${color}">${esc(`● ${s.name}`)}</text>`);
  });
  parts.push(`<text class="axis" x="${px(left + plotW / 2)}" y="${height - 8}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  parts.push(`<text class="axis" x="12" y="${px(top + plotH / 2)}" transform="rotate(-90 12 ${px(top + plotH / 2)})" text-anchor="middle">${esc(o.yLabel)}</text>`);
  return figure(o.id, o.title, width, height, parts.join(''), o.note);
}

/**
 * The frame of a self-contained HTML page (report.html, sweep.html): inline style, the tables as
 * plain HTML (readable with JavaScript off), one small inline script that makes tables with
 * class "sortable" sort on a click of their header, and the page's data embedded as JSON (what a
 * later step re-renders the page from). Nothing is fetched: no external script, style, font or
 * image.
 */
import { esc } from './svg.js';

export interface Column {
  readonly label: string;
  /** Right-aligned and sorted as a number (the cell's `sort` value). */
  readonly numeric?: boolean;
  /** Tooltip on the header. */
  readonly title?: string;
}

export interface Cell {
  /** The text shown (escaped). */
  readonly text: string;
  /** The value sorted by (default: the text). */
  readonly sort?: number | string;
  /** data-field attribute, for the tests that compare the page with the manifest. */
  readonly field?: string;
  /** Raw HTML instead of text (already escaped by the caller). */
  readonly html?: string;
}

export const cell = (text: string | number, sort?: number | string, field?: string): Cell => ({ text: String(text), ...(sort !== undefined ? { sort } : {}), ...(field ? { field } : {}) });

export function htmlTable(id: string, columns: readonly Column[], rows: readonly (readonly Cell[])[], opts: { sortable?: boolean; caption?: string } = {}): string {
  const head = columns.map((c, i) => `<th scope="col" data-col="${i}"${c.numeric ? ' class="num" data-type="number"' : ''}${c.title ? ` title="${esc(c.title)}"` : ''}>${esc(c.label)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((c, i) => {
    const attrs = [
      columns[i]?.numeric ? ' class="num"' : '',
      c.sort !== undefined ? ` data-sort="${esc(c.sort)}"` : '',
      c.field ? ` data-field="${esc(c.field)}"` : '',
    ].join('');
    return `<td${attrs}>${c.html ?? esc(c.text)}</td>`;
  }).join('')}</tr>`).join('\n');
  return [
    `<table id="${esc(id)}"${opts.sortable ? ' class="sortable"' : ''}>`,
    opts.caption ? `<caption>${esc(opts.caption)}</caption>` : '',
    `<thead><tr>${head}</tr></thead>`,
    `<tbody>\n${body}\n</tbody></table>`,
  ].join('');
}

const STYLE = `
:root { color-scheme: light; --fg: #1d2330; --muted: #5b6475; --line: #d5dae3; --bg: #ffffff; --head: #f2f4f8; --accent: #d9822b; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); margin: 0 auto; padding: 16px 24px 48px; max-width: 1280px; }
h1 { font-size: 22px; margin: 8px 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 15px; margin: 16px 0 6px; }
p, li { max-width: 90ch; } .muted, .note { color: var(--muted); } .note { font-size: 12px; margin: 4px 0 0; }
nav a { margin-right: 14px; }
.figures { display: flex; flex-wrap: wrap; gap: 12px 28px; padding: 0; margin: 8px 0; list-style: none; }
.figures li { background: var(--head); border: 1px solid var(--line); border-radius: 6px; padding: 6px 12px; }
.figures b { display: block; font-size: 17px; }
.charts { display: flex; flex-wrap: wrap; gap: 16px 32px; align-items: flex-start; }
figure.chart { margin: 8px 0; } figcaption { font-weight: 600; margin-bottom: 4px; }
svg { overflow: visible; font: 11px system-ui, "DejaVu Sans", sans-serif; }
svg .grid { stroke: #e6e9ef; } svg .frame { fill: none; stroke: var(--line); } svg .axis-line { stroke: #9aa3b2; }
svg .tick, svg .label { fill: var(--muted); } svg .value { fill: var(--fg); } svg .axis { fill: var(--fg); font-weight: 600; }
svg .mark { stroke-width: 2; stroke-dasharray: 6 3; } svg .mark-label { font-weight: 600; }
svg .peak-step { fill: none; stroke: var(--accent); stroke-width: 2.5; } svg .buffer { fill-opacity: 0.85; stroke: #fff; stroke-width: 0.5; }
svg .series-line { stroke-width: 1.5; } svg .point-label { fill: var(--fg); font-size: 10px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; margin: 8px 0; font-size: 13px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border: 1px solid var(--line); padding: 3px 7px; text-align: left; vertical-align: top; white-space: nowrap; }
th { background: var(--head); position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th[aria-sort="ascending"]::after { content: " \\25B2"; } table.sortable th[aria-sort="descending"]::after { content: " \\25BC"; }
tbody tr:nth-child(even) { background: #fafbfc; }
code { background: var(--head); padding: 0 3px; border-radius: 3px; }
@media print { nav { display: none; } th { position: static; } }
`;

/** Click a header of a table.sortable: sort its rows by that column (numbers as numbers), again to reverse. */
const SORT_SCRIPT = `
(function () {
  'use strict';
  function key(td, numeric) {
    var v = td.hasAttribute('data-sort') ? td.getAttribute('data-sort') : td.textContent;
    if (!numeric) return v;
    var n = parseFloat(v);
    return isNaN(n) ? -Infinity : n;
  }
  var tables = document.querySelectorAll('table.sortable');
  Array.prototype.forEach.call(tables, function (table) {
    var heads = table.querySelectorAll('thead th');
    Array.prototype.forEach.call(heads, function (th, col) {
      th.tabIndex = 0;
      function sort() {
        var numeric = th.getAttribute('data-type') === 'number';
        var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[col], numeric), y = key(b.cells[col], numeric);
          return (x < y ? -1 : x > y ? 1 : 0) * dir;
        });
        rows.forEach(function (r) { body.appendChild(r); });
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
      }
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); } });
    });
  });
})();
`;

/** JSON that cannot end the <script> element it sits in. */
export function embeddedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The JSON embedded in a page by htmlPage (id 'page-data'), or undefined. */
export function readEmbeddedJson(html: string): unknown {
  const m = /<script type="application\/json" id="page-data">([\s\S]*?)<\/script>/.exec(html);
  return m ? JSON.parse(m[1]) : undefined;
}

export function htmlPage(title: string, body: string, data: unknown): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No network: the page may only use what it carries (inline style and script, data: URIs).
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">`,
    `<title>${esc(title)}</title>`,
    // An empty icon, so the browser asks the network for no favicon.
    '<link rel="icon" href="data:,">',
    `<style>${STYLE}</style>`,
    '</head><body>',
    body,
    `<script type="application/json" id="page-data">${embeddedJson(data)}</script>`,
    `<script>${SORT_SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}

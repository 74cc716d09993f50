/**
 * report.html (the conversion on one page) and the pieces sweep.html reuses: the quality
 * measurement, the report data, the page frame and the SVG charts.
 */
export { measureQuantQuality, type QuantQuality, type LayerQuality, type RangeHistogram } from './quality.js';
export { buildReportData, type ReportData, type TargetCost } from './report_data.js';
export { reportHtml } from './report_html.js';
export { addTargetCost, readReportData, withTargetCost } from './target_cost.js';
export { htmlPage, htmlTable, cell, readEmbeddedJson, type Column, type Cell } from './page.js';
export { barChart, scatterChart, ganttChart, histogramChart, esc, fmtInt, fmtShort, niceTicks, PALETTE } from './svg.js';

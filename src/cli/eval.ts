/**
 * `eval`: float vs int8 on labelled images — top-1/top-5 of both, their top-1 agreement, the SQNR
 * of the int8 logits, and with --per-layer the SQNR of every int8 activation against float.
 * Labels come from a CSV (first column the image file, relative to the CSV): the column named
 * by --label-column, else 'index', else 'keras_index'.
 */
import { resolve } from 'node:path';
import { listImages, readImageCsv } from '../images/list.js';
import { UserError } from '../util/errors.js';
import type { EvalItem, EvalResult } from '../quant/index.js';

/**
 * The labelled items: every image of `images` with its class index from `labelsCsv` (when given),
 * each a class of the model (0 ≤ label < `classes`).
 */
export function evalItems(images: string, labelsCsv: string | undefined, labelColumn: string | undefined, limit: number | undefined, classes: number): EvalItem[] {
  const paths = listImages(images).slice(0, limit ?? Infinity);
  const csv = labelsCsv ?? (images.toLowerCase().endsWith('.csv') ? images : undefined);
  if (!csv) return paths.map((path) => ({ path }));
  const rows = readImageCsv(csv);
  const columns = Object.keys(rows[0]?.fields ?? {});
  const column = labelColumn ?? ['index', 'keras_index'].find((c) => columns.includes(c));
  if (!column || !columns.includes(column)) {
    throw new UserError(`${csv}: no label column ${labelColumn ? `'${labelColumn}'` : "'index' or 'keras_index'"} (columns: ${columns.join(', ')}); use --label-column`);
  }
  const labels = new Map<string, number>();
  rows.forEach((r, i) => {
    const v = Number(r.fields[column]);
    if (!Number.isInteger(v) || v < 0) throw new UserError(`${csv}:${i + 2}: label '${r.fields[column]}' in column '${column}' is not a class index`);
    if (v >= classes) throw new UserError(`${csv}:${i + 2}: label ${v} in column '${column}' is not a class of the model (it has ${classes}: 0 to ${classes - 1})`);
    labels.set(resolve(r.path), v);
  });
  return paths.map((path) => {
    const label = labels.get(resolve(path));
    return label === undefined ? { path } : { path, label };
  });
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

export function evalText(r: EvalResult, labelled: number): string {
  const lines = [
    `images: ${r.images} (${labelled} labelled)`,
    ...(labelled > 0
      ? [
          `float  top-1 ${pct(r.float.top1)}  top-5 ${pct(r.float.top5)}`,
          `int8   top-1 ${pct(r.int8.top1)}  top-5 ${pct(r.int8.top5)}  (top-1 ${((r.int8.top1 - r.float.top1) * 100 >= 0 ? '+' : '')}${((r.int8.top1 - r.float.top1) * 100).toFixed(1)} points)`,
        ]
      : []),
    `top-1 agreement int8 vs float: ${pct(r.agreement)}`,
    `SQNR of the int8 logits: ${r.outputSqnr.toFixed(1)} dB`,
  ];
  if (r.perLayer) {
    const w = Math.max(5, ...r.perLayer.map((l) => l.layer.length));
    lines.push('', `${'layer'.padEnd(w)}  SQNR (dB)`);
    for (const l of r.perLayer) lines.push(`${l.layer.padEnd(w)}  ${l.sqnr.toFixed(1).padStart(9)}`);
  }
  return lines.join('\n') + '\n';
}

/** {"images", "float": {"top1","top5"}, "int8": {"top1","top5"}, "agreement", "logitsSqnrDb"[, "perLayer"]} */
export function evalJson(r: EvalResult): string {
  return JSON.stringify({
    images: r.images,
    float: { top1: r.float.top1, top5: r.float.top5 },
    int8: { top1: r.int8.top1, top5: r.int8.top5 },
    agreement: r.agreement,
    logitsSqnrDb: Number.isFinite(r.outputSqnr) ? r.outputSqnr : null,
    ...(r.perLayer ? { perLayer: r.perLayer.map((l) => ({ layer: l.layer, sqnr: Number.isFinite(l.sqnr) ? l.sqnr : null })) } : {}),
  });
}

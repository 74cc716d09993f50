/**
 * Image sets: a folder (its JPEG/PNG files, sorted by name) or a CSV file whose first column names
 * image files relative to the CSV's folder (a header row is recognised and skipped), like the
 * labels.csv files of ../shared/images. Those files must lie inside the CSV's folder, as external
 * data must lie inside the model's: one policy for paths named inside a file (src/util/input_files.ts).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { UserError } from '../util/errors.js';
import { readInputText, resolveInside } from '../util/input_files.js';

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png']);

export function isImageFileName(name: string): boolean {
  return IMAGE_EXTENSIONS.has(extname(name).toLowerCase());
}

/** Splits one CSV line into fields (double-quoted fields with "" escapes are understood). */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; }
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { fields.push(cur); cur = ''; }
    else cur += ch;
  }
  fields.push(cur);
  return fields;
}

export interface CsvImageRow {
  /** Absolute path of the image. */
  readonly path: string;
  /** All fields of the row, keyed by the header's column names (or '0', '1', ... without a header). */
  readonly fields: Readonly<Record<string, string>>;
}

/** The rows of an image CSV, in file order; the first column is the image file. */
export function readImageCsv(csvPath: string): CsvImageRow[] {
  const text = readInputText(csvPath, 'csv');
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length === 0) throw new UserError(`${csvPath}: empty CSV`);
  const first = splitCsvLine(lines[0]);
  const hasHeader = !isImageFileName(first[0].trim());
  const names = hasHeader ? first.map((s) => s.trim()) : first.map((_, i) => String(i));
  const base = dirname(resolve(csvPath));
  return lines.slice(hasHeader ? 1 : 0).map((row, i) => {
    const line = i + (hasHeader ? 2 : 1);
    const cells = splitCsvLine(row).map((s) => s.trim());
    const file = cells[0];
    if (!file || !isImageFileName(file)) {
      throw new UserError(`${csvPath}:${line}: first column '${file}' is not a JPEG/PNG file name`);
    }
    const fields: Record<string, string> = {};
    cells.forEach((c, k) => { fields[names[k] ?? String(k)] = c; });
    // A path named inside a file stays inside that file's folder (the policy of src/util/input_files.ts).
    resolveInside(base, file, `${csvPath}:${line}: image`, "the CSV's folder", false);
    return { path: join(base, file), fields };
  });
}

/** Absolute paths of the images in a folder (sorted by name) or listed in a CSV (in CSV order). */
export function listImages(dirOrCsv: string): string[] {
  if (!existsSync(dirOrCsv)) throw new UserError(`${dirOrCsv}: no such file or folder`);
  let paths: string[];
  if (statSync(dirOrCsv).isDirectory()) {
    const dir = resolve(dirOrCsv);
    paths = readdirSync(dir)
      .filter((f) => isImageFileName(f) && statSync(join(dir, f)).isFile())
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .map((f) => join(dir, f));
  } else if (extname(dirOrCsv).toLowerCase() === '.csv') {
    paths = readImageCsv(dirOrCsv).map((r) => r.path);
  } else {
    throw new UserError(`${dirOrCsv}: expected a folder of images or a .csv list`);
  }
  if (paths.length === 0) throw new UserError(`${dirOrCsv}: no JPEG/PNG images found`);
  return paths;
}

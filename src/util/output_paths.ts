/**
 * The one place that decides whether a path may be written: every command's output file or
 * folder (convert --out, generate --out, pixels --out, --dump-dir, sweep --out) is checked here
 * before any work starts. We never replace what we did not write:
 *
 * - an output folder may be replaced only when it does not exist, is empty, or holds a
 *   manifest.json written by onnx2mcu (a previous conversion) — or with --force;
 * - an output file may be replaced only when it does not exist or is a regular file of the kind
 *   the command writes (its extension) — or with --force; never a folder;
 * - never, even with --force: a path that is, or contains, one of the command's inputs (the
 *   model, the calibration images), the working directory or the filesystem root, and nothing
 *   under /proc, /sys or /dev (pseudo-files there can block or never end).
 */
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { UserError } from './errors.js';

export interface OutputCheck {
  /** The option naming the path, for messages ('--out', '--dump-dir'). */
  readonly option: string;
  /** The command's inputs (model file or folder, calibration folder or CSV, images). */
  readonly inputs?: readonly string[];
  /** Replace what we did not write (never inputs, the working directory or the root). */
  readonly force?: boolean;
}

const PSEUDO_FILESYSTEMS = ['/proc', '/sys', '/dev'];

/** The path with symlinks resolved as far as it exists (the rest appended). */
function realish(path: string): string {
  let p = resolve(path);
  const rest: string[] = [];
  while (!existsSync(p)) {
    const parent = dirname(p);
    if (parent === p) break;
    rest.unshift(p.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
    p = parent;
  }
  try {
    p = realpathSync(p);
  } catch {
    // keep the resolved path
  }
  return resolve(p, ...rest);
}

/** True when `inner` is `outer` or lies inside it. */
function within(inner: string, outer: string): boolean {
  const r = relative(outer, inner);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

function checkCommon(path: string, c: OutputCheck): string {
  if (path.trim() === '') throw new UserError(`${c.option}: an empty path`);
  const real = realish(path);
  if (PSEUDO_FILESYSTEMS.some((p) => within(real, p))) throw new UserError(`${c.option} ${path}: refusing to write under ${PSEUDO_FILESYSTEMS.join(', ')}`);
  if (dirname(real) === real) throw new UserError(`${c.option} ${path}: refusing to replace the filesystem root`);
  if (within(realish(process.cwd()), real)) throw new UserError(`${c.option} ${path}: refusing to replace the working directory or a folder containing it`);
  for (const input of c.inputs ?? []) {
    if (within(realish(input), real)) throw new UserError(`${c.option} ${path}: refusing to replace ${input}, an input of this command`);
  }
  return real;
}

/** True when `dir` holds a manifest.json that onnx2mcu wrote. */
function isOurOutput(dir: string): boolean {
  try {
    const m = JSON.parse(readFileSync(resolve(dir, 'manifest.json'), 'utf8')) as { generator?: unknown };
    return typeof m.generator === 'string' && m.generator.startsWith('onnx2mcu ');
  } catch {
    return false;
  }
}

/** Checks an output folder that will be replaced as a whole (convert --out). */
export function checkOutputDir(path: string, c: OutputCheck): void {
  const real = checkCommon(path, c);
  if (!existsSync(real)) return;
  const st = lstatSync(real);
  if (!st.isDirectory()) throw new UserError(`${c.option} ${path}: exists and is not a folder (refusing to replace it)`);
  if (c.force || readdirSync(real).length === 0 || isOurOutput(real)) return;
  throw new UserError(`${c.option} ${path}: the folder exists and was not written by onnx2mcu (no onnx2mcu manifest.json); refusing to replace it (--force to replace it anyway)`);
}

/** Checks a folder that files will be written into (--dump-dir): it may exist, as a folder. */
export function checkOutputFolder(path: string, c: OutputCheck): void {
  const real = checkCommon(path, c);
  if (existsSync(real) && !lstatSync(real).isDirectory()) throw new UserError(`${c.option} ${path}: exists and is not a folder`);
}

/** Checks an output file (generate --out, pixels --out) that may be replaced when it has one of `extensions`. */
export function checkOutputFile(path: string, c: OutputCheck & { readonly extensions: readonly string[] }): void {
  const real = checkCommon(path, c);
  if (!existsSync(real)) return;
  const st = lstatSync(real);
  if (st.isDirectory()) throw new UserError(`${c.option} ${path}: is a folder, expected a file name`);
  if (!st.isFile()) throw new UserError(`${c.option} ${path}: exists and is not a regular file`);
  if (c.force || c.extensions.some((e) => real.toLowerCase().endsWith(e))) return;
  throw new UserError(`${c.option} ${path}: exists and is not a ${c.extensions.join(' / ')} file; refusing to replace it (--force to replace it anyway)`);
}

/**
 * Atomic output: write to a temporary file (or folder) next to the destination, then rename it
 * into place, so a crash or an error never leaves a half-written artifact behind. Whether a
 * destination may be replaced at all is decided before, in output_paths.ts.
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

function tempNameFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${Date.now().toString(36)}`);
}

/** Writes `data` to `path` via a temporary file and a rename; creates the parent folder. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempNameFor(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * Fills a temporary folder with `fill(tmpDir)`, then replaces `dir` with it: the old folder is
 * renamed aside, the new one renamed into place, and only then the old one removed. On any error
 * the temporary folder is removed and `dir` is left as it was.
 */
export async function writeDirAtomic(dir: string, fill: (tmpDir: string) => void | Promise<void>): Promise<void> {
  mkdirSync(dirname(dir), { recursive: true });
  const tmp = tempNameFor(dir);
  mkdirSync(tmp);
  try {
    await fill(tmp);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  const old = existsSync(dir) ? `${tmp}.old` : undefined;
  try {
    if (old) renameSync(dir, old);
    renameSync(tmp, dir);
  } catch (e) {
    if (old && !existsSync(dir)) renameSync(old, dir);
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  if (old) rmSync(old, { recursive: true, force: true });
}

/**
 * Reading the files of a TF.js model: model.json and the weight shards it names. A shard path
 * comes from the (untrusted) model.json, so it must stay inside the model's folder — the policy of
 * src/onnx/external_data.ts (absolute paths, '..' and symlinks leading out are refused); that file
 * does not export its check, so it is repeated here. Only regular files are read: a FIFO, socket
 * or device given as a shard is refused without blocking (opened O_NONBLOCK, then fstat'ed).
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { UserError } from '../util/errors.js';

/** `path` is strictly inside `dir` (both absolute). */
function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel);
}

function errnoOf(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? String(e);
}

/**
 * The real path of `relPath` (a path from model.json) inside `dir`, or a UserError starting with
 * `where` when it is absolute, leaves the folder (also through a symlink) or does not exist.
 */
export function resolveInside(dir: string, relPath: string, where: string): string {
  if (relPath === '') throw new UserError(`${where}: empty path`);
  if (isAbsolute(relPath) || /^[a-zA-Z]:[\\/]/.test(relPath) || relPath.startsWith('\\')) {
    throw new UserError(`${where}: path '${relPath}' is absolute; it must be relative to the model's folder`);
  }
  let realDir: string;
  try {
    realDir = realpathSync(resolve(dir));
  } catch (e) {
    throw new UserError(`${where}: cannot open the model's folder ${dir} (${errnoOf(e)})`);
  }
  const lexical = resolve(realDir, relPath);
  if (!isInside(realDir, lexical)) throw new UserError(`${where}: path '${relPath}' is outside the model's folder ${realDir}`);
  let real: string;
  try {
    real = realpathSync(lexical);
  } catch (e) {
    throw new UserError(`${where}: cannot open '${relPath}' (${errnoOf(e)})`);
  }
  // A symlink inside the folder may still lead out of it.
  if (!isInside(realDir, real)) throw new UserError(`${where}: path '${relPath}' leads outside the model's folder ${realDir}`);
  return real;
}

/**
 * The bytes of a regular file; anything else (FIFO, directory, device, socket) is a UserError
 * starting with `where`. The open cannot block: O_NONBLOCK makes opening a FIFO return at once.
 * `checkSize` sees the file's size before anything is read (and may throw).
 */
export function readRegularFile(path: string, where: string, checkSize?: (size: number) => void): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new UserError(`${where}: cannot open ${path} (${errnoOf(e)})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UserError(`${where}: ${path} is not a regular file (${fileKind(st)})`);
    checkSize?.(st.size);
    const out = new Uint8Array(st.size);
    let done = 0;
    while (done < out.length) {
      const n = readSync(fd, out, done, out.length - done, done);
      if (n <= 0) throw new UserError(`${where}: ${path} ended after ${done} of ${out.length} bytes while reading`);
      done += n;
    }
    return out;
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${where}: cannot read ${path} (${errnoOf(e)})`);
  } finally {
    closeSync(fd);
  }
}

function fileKind(st: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a file';
}

/**
 * The one place that reads the user's input files and bounds what they may make us do. Every input
 * (a model, its external data or weight shards, an image, a .npy tensor, a CSV, manifest.json,
 * weights.bin) is read through readInputFile, so that:
 *
 * - only regular files are read: a FIFO, socket, device or folder is refused without blocking
 *   (opened O_NONBLOCK, then fstat'ed), and nothing under /proc or /sys (their files report a
 *   size of 0 or 4096 whatever they hold, and some never end);
 * - each kind of file has a size limit, checked before a byte is allocated (INPUT_LIMITS);
 * - every failure is one UserError naming the path and what went wrong (never a raw errno).
 *
 * It also holds the one policy for paths that a file names (external data locations, TF.js weight
 * shards, the image column of a CSV): such a path is relative to the folder of the file naming it
 * and must stay inside that folder (resolveInside). Paths typed on the command line are the user's
 * own choice and are read wherever they are.
 */
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { UserError } from './errors.js';

const MiB = 1024 * 1024;

/**
 * The largest inputs accepted. MobileNet v1 1.0/224 is a 17 MB model whose largest tensor holds
 * 1.6M values; these leave room for far larger models while keeping memory within a few GB.
 */
export const INPUT_LIMITS = {
  /** An .onnx file, a model.json, one external-data file or weight shard. */
  modelFileBytes: 512 * MiB,
  /** Values in one tensor (weights or activations): 2^26, 256 MiB as float32. */
  tensorElements: 2 ** 26,
  /** A JPEG or PNG file. */
  imageFileBytes: 128 * MiB,
  /** Pixels of a decoded image (width × height), checked before decoding: 8192 × 8192. */
  imagePixels: 8192 * 8192,
  /** A .npy tensor (tensorElements float32 values and a header). */
  npyBytes: 4 * 2 ** 26 + MiB,
  /** An image-list or label CSV. */
  csvBytes: 64 * MiB,
  /** manifest.json of a converted folder. */
  manifestBytes: 64 * MiB,
  /** Any other file of a converted folder (weights.bin, the C sources: weights.c prints each weight in about 5 bytes). */
  artifactBytes: 1024 * MiB,
} as const;

export type InputKind = 'model' | 'image' | 'npy' | 'csv' | 'manifest' | 'artifact';

const LIMIT_OF: Record<InputKind, number> = {
  model: INPUT_LIMITS.modelFileBytes,
  image: INPUT_LIMITS.imageFileBytes,
  npy: INPUT_LIMITS.npyBytes,
  csv: INPUT_LIMITS.csvBytes,
  manifest: INPUT_LIMITS.manifestBytes,
  artifact: INPUT_LIMITS.artifactBytes,
};

/** Pseudo-filesystems: their files are not what their size says. */
const PSEUDO_FILESYSTEMS = ['/proc', '/sys'];

function errnoOf(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
}

/** 'a directory', 'a FIFO', ... for messages. */
export function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** `path` is `dir` or inside it (both absolute). */
function within(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel));
}

/** A readable description of `bytes` (e.g. '512 MiB'). */
export function byteText(bytes: number): string {
  return bytes >= MiB && bytes % MiB === 0 ? `${bytes / MiB} MiB` : `${bytes} bytes`;
}

/**
 * The bytes of the regular file at `path`, of at most the limit of its `kind`. `where` names the
 * file in messages, as their subject (default: the path), e.g. "initializer 'w': external data
 * 'w.bin'". A range (`offset`, `length`) reads only that part, after checking the file holds it;
 * `checkSize` sees the file's size before anything is read (and may throw).
 */
export function readInputFile(
  path: string,
  kind: InputKind,
  opts: { where?: string; offset?: number; length?: number; checkSize?: (size: number) => void } = {},
): Uint8Array {
  const subject = opts.where ?? path;
  let real: string;
  try {
    real = realpathSync(path);
  } catch (e) {
    throw new UserError(`${subject}: cannot read (${errnoOf(e)})`);
  }
  if (PSEUDO_FILESYSTEMS.some((p) => within(real, p))) throw new UserError(`${subject}: refusing to read ${real} (under ${PSEUDO_FILESYSTEMS.join(' or ')})`);
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new UserError(`${subject}: cannot read (${errnoOf(e)})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new UserError(`${subject} is not a regular file (${fileKind(st)})`);
    opts.checkSize?.(st.size);
    const offset = opts.offset ?? 0;
    const length = opts.length ?? st.size - offset;
    const limit = LIMIT_OF[kind];
    if (length > limit) throw new UserError(`${subject} is ${length} bytes, more than the ${byteText(limit)} a ${kind} file may have`);
    if (offset + length > st.size) throw new UserError(`${subject} has ${st.size} bytes, but offset ${offset} + ${length} bytes are needed`);
    const out = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const n = readSync(fd, out, done, length - done, offset + done);
      if (n <= 0) throw new UserError(`${subject} ended after ${done} of ${length} bytes while reading`);
      done += n;
    }
    return out;
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`${subject}: cannot read (${errnoOf(e)})`);
  } finally {
    closeSync(fd);
  }
}

/** readInputFile as UTF-8 text. */
export function readInputText(path: string, kind: InputKind, where?: string): string {
  return Buffer.from(readInputFile(path, kind, where ? { where } : {})).toString('utf8');
}

/**
 * The real path of `relPath`, a path named inside a file (external data, a weight shard, a CSV's
 * image column), resolved against `dir`, the folder of that file (`folder` names it in messages,
 * e.g. "the model's folder"). It must stay inside `dir`: an absolute path, '..' or a symlink
 * leading out is a UserError whose subject is `where`, so a file we are given cannot make us read
 * arbitrary files of the machine. With `mustExist` false a missing file is not an error here (its
 * reader reports it); the symlinks of the part of its path that exists are still followed.
 */
export function resolveInside(dir: string, relPath: string, where: string, folder = "the model's folder", mustExist = true): string {
  if (relPath === '') throw new UserError(`${where} is empty`);
  if (isAbsolute(relPath) || /^[a-zA-Z]:[\\/]/.test(relPath) || relPath.startsWith('\\')) {
    throw new UserError(`${where} '${relPath}' is absolute; it must be relative to ${folder}`);
  }
  let realDir: string;
  try {
    realDir = realpathSync(resolve(dir));
  } catch (e) {
    throw new UserError(`${where} '${relPath}': cannot read ${folder} ${dir} (${errnoOf(e)})`);
  }
  const lexical = resolve(realDir, relPath);
  if (!within(lexical, realDir) || lexical === realDir) throw new UserError(`${where} '${relPath}' is outside ${folder} ${realDir}`);
  let real: string;
  try {
    real = realpathSync(lexical);
  } catch (e) {
    if (mustExist || (e as NodeJS.ErrnoException).code !== 'ENOENT') throw new UserError(`${where} '${relPath}': cannot read (${errnoOf(e)})`);
    real = realpathAsFarAsExists(lexical);
  }
  // A symlink inside the folder may still lead out of it.
  if (!within(real, realDir) || real === realDir) throw new UserError(`${where} '${relPath}' leads outside ${folder} ${realDir}`);
  return real;
}

/** `path` with the symlinks of its longest existing prefix resolved, the rest appended. */
function realpathAsFarAsExists(path: string): string {
  const parent = dirname(path);
  if (parent === path) return path;
  try {
    return join(realpathSync(parent), basename(path));
  } catch {
    return join(realpathAsFarAsExists(parent), basename(path));
  }
}

/** Checks a tensor's element count against INPUT_LIMITS.tensorElements (`where` names it). */
export function checkTensorElements(count: number, where: string): void {
  if (!(count <= INPUT_LIMITS.tensorElements)) {
    throw new UserError(`${where}: ${count} values, more than the ${INPUT_LIMITS.tensorElements} (2^26) a tensor may hold`);
  }
}

/** Checks an image's pixel count (before it is decoded) against INPUT_LIMITS.imagePixels. */
export function checkImagePixels(width: number, height: number, where: string): void {
  if (!(width * height <= INPUT_LIMITS.imagePixels)) {
    throw new UserError(`${where}: ${width}×${height} pixels, more than the ${INPUT_LIMITS.imagePixels} (8192×8192) an image may have`);
  }
}

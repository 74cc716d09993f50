/**
 * ONNX external data: a tensor's bytes stored in a side file, named by `location` relative to the
 * model's folder, at `offset` for `length` bytes. A location that resolves outside that folder
 * (absolute, '..', or a symlink leading out) is refused: a model file must not make the tool read
 * arbitrary files.
 */
import { closeSync, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { UserError } from '../../util/errors.js';
import type { TensorProto } from './proto.js';

export interface ExternalDataRef {
  readonly location: string;
  readonly offset: number;
  /** undefined when the file does not state it (then the tensor's size is read). */
  readonly length: number | undefined;
}

/** The location/offset/length entries of an external tensor; `where` names it for messages. */
export function externalDataRef(t: TensorProto, where: string): ExternalDataRef {
  let location: string | undefined;
  let offset = 0;
  let length: number | undefined;
  for (const e of t.externalData ?? []) {
    const key = e.key ?? '';
    const value = e.value ?? '';
    if (key === 'location') location = value;
    else if (key === 'offset' || key === 'length') {
      if (!/^\d+$/.test(value)) throw new UserError(`${where}: external data ${key} '${value}' is not a non-negative integer`);
      const n = Number(value);
      if (!Number.isSafeInteger(n)) throw new UserError(`${where}: external data ${key} ${value} is too large`);
      if (key === 'offset') offset = n;
      else length = n;
    }
  }
  if (!location) throw new UserError(`${where}: external data has no 'location'`);
  return { location, offset, length };
}

function isInside(dir: string, path: string): boolean {
  const rel = relative(dir, path);
  return rel !== '' && !rel.startsWith('..' + sep) && rel !== '..' && !isAbsolute(rel);
}

/**
 * Reads `byteLength` bytes of an external tensor. Everything is checked before any buffer is
 * allocated: the location stays inside `baseDir`, the stated length equals the tensor's size,
 * and offset + length fits in the file.
 */
export function readExternalData(ref: ExternalDataRef, byteLength: number, baseDir: string | undefined, where: string): Uint8Array {
  if (baseDir === undefined) {
    throw new UserError(`${where}: external data '${ref.location}' but the model was given as bytes without a folder to read it from`);
  }
  if (isAbsolute(ref.location) || /^[a-zA-Z]:[\\/]/.test(ref.location)) {
    throw new UserError(`${where}: external data location '${ref.location}' is absolute; it must be relative to the model's folder`);
  }
  const dir = realpathOrSelf(resolve(baseDir));
  const path = resolve(dir, ref.location);
  if (!isInside(dir, path)) {
    throw new UserError(`${where}: external data location '${ref.location}' is outside the model's folder ${dir}`);
  }
  if (ref.length !== undefined && ref.length !== byteLength) {
    throw new UserError(`${where}: external data length ${ref.length} bytes, but the tensor's dims need ${byteLength} bytes`);
  }
  let fd: number;
  let real: string;
  try {
    real = realpathSync(path);
    fd = openSync(real, 'r');
  } catch (e) {
    throw new UserError(`${where}: cannot open external data file '${ref.location}' (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  try {
    // A symlink inside the folder may still lead out of it.
    if (!isInside(dir, real)) {
      throw new UserError(`${where}: external data location '${ref.location}' leads outside the model's folder ${dir}`);
    }
    const size = fstatSync(fd).size;
    if (ref.offset + byteLength > size) {
      throw new UserError(
        `${where}: external data '${ref.location}' has ${size} bytes, but offset ${ref.offset} + ${byteLength} bytes are needed`,
      );
    }
    const out = new Uint8Array(byteLength);
    let done = 0;
    while (done < byteLength) {
      const n = readSync(fd, out, done, byteLength - done, ref.offset + done);
      if (n <= 0) throw new UserError(`${where}: external data '${ref.location}' ended early`);
      done += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

function realpathOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** The external_data entries that point a tensor at `location`/`offset`/`length`. */
export function externalDataEntries(location: string, offset: number, length: number): { key: string; value: string }[] {
  return [
    { key: 'location', value: location },
    { key: 'offset', value: String(offset) },
    { key: 'length', value: String(length) },
  ];
}

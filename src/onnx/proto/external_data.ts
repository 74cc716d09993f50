/**
 * ONNX external data: a tensor's bytes stored in a side file, named by `location` relative to the
 * model's folder, at `offset` for `length` bytes. A location that resolves outside that folder
 * (absolute, '..', or a symlink leading out) is refused: a model file must not make the tool read
 * arbitrary files.
 */
import { UserError } from '../../util/errors.js';
import { readInputFile, resolveInside } from '../../util/input_files.js';
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

/**
 * Reads `byteLength` bytes of an external tensor. Everything is checked before any buffer is
 * allocated: the location stays inside `baseDir` (the policy for paths named inside a file,
 * src/util/input_files.ts), the stated length equals the tensor's size, the file is a regular
 * file within the size limit, and offset + length fits in it.
 */
export function readExternalData(ref: ExternalDataRef, byteLength: number, baseDir: string | undefined, where: string): Uint8Array {
  if (baseDir === undefined) {
    throw new UserError(`${where}: external data '${ref.location}' but the model was given as bytes without a folder to read it from`);
  }
  if (ref.length !== undefined && ref.length !== byteLength) {
    throw new UserError(`${where}: external data length ${ref.length} bytes, but the tensor's dims need ${byteLength} bytes`);
  }
  const path = resolveInside(baseDir, ref.location, `${where}: external data location`);
  return readInputFile(path, 'model', { where: `${where}: external data '${ref.location}'`, offset: ref.offset, length: byteLength });
}

/** The external_data entries that point a tensor at `location`/`offset`/`length`. */
export function externalDataEntries(location: string, offset: number, length: number): { key: string; value: string }[] {
  return [
    { key: 'location', value: location },
    { key: 'offset', value: String(offset) },
    { key: 'length', value: String(length) },
  ];
}

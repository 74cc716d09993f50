/**
 * NumPy .npy files (format versions 1.0, 2.0 and 3.0): readNpy accepts little-endian float32
 * ('<f4') in C order — exactly the tensor another tool fed its model — and writeNpy writes
 * version 1.0 float32 C-order files. Other dtypes are refused with a message naming the file,
 * rather than converted, so nothing is fed to a model that differs from what the tool wrote.
 */
import type { Tensor } from '../ir/tensor.js';
import { floatTensor, sizeOf } from '../ir/tensor.js';
import { UserError } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic_write.js';
import { checkTensorElements, readInputFile } from '../util/input_files.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** Parses a .npy file's bytes; `what` names the file in errors. */
export function parseNpy(bytes: Uint8Array, what: string): Tensor {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) throw new UserError(`${what}: not a .npy file (bad magic)`);
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let headerStart: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new UserError(`${what}: truncated .npy header`);
    headerLen = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new UserError(`${what}: unsupported .npy format version ${major}.${bytes[7]}`);
  }
  const dataStart = headerStart + headerLen;
  if (dataStart > bytes.length) throw new UserError(`${what}: truncated .npy header`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(headerStart, dataStart));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new UserError(`${what}: malformed .npy header ${JSON.stringify(header.trim())}`);
  }
  if (descr !== '<f4' && descr !== '|f4') throw new UserError(`${what}: dtype '${descr}' is not float32 ('<f4'); save with .astype(np.float32)`);
  if (fortran === 'True') throw new UserError(`${what}: Fortran-order array; save a C-order array (np.ascontiguousarray)`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new UserError(`${what}: bad shape (${shapeText}) in .npy header`);
  const n = sizeOf(shape);
  checkTensorElements(n, `${what}: shape [${shape}]`);
  const have = bytes.length - dataStart;
  if (have !== n * 4) throw new UserError(`${what}: shape [${shape}] needs ${n * 4} data bytes, file has ${have}`);
  // Copy into an aligned buffer (the data may start at any offset) and read little-endian.
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = view.getFloat32(dataStart + i * 4, true);
  return floatTensor(shape, data);
}

/** Reads a float32 C-order .npy file. */
export function readNpy(path: string): Tensor {
  return parseNpy(readInputFile(path, 'npy'), path);
}

/** A float32 tensor as .npy (version 1.0, '<f4', C order) bytes. */
export function encodeNpy(t: Tensor): Uint8Array {
  if (t.dtype !== 'float32') throw new Error(`encodeNpy: only float32 tensors, got ${t.dtype}`);
  const shape = t.shape.length === 1 ? `(${t.shape[0]},)` : `(${t.shape.join(', ')})`;
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': ${shape}, }`;
  // Pad with spaces so magic + 4 + header + '\n' is a multiple of 64 (numpy does the same).
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const data = t.data as Float32Array;
  const out = new Uint8Array(total + data.length * 4);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  for (let i = 0; i < data.length; i++) view.setFloat32(total + i * 4, data[i], true);
  return out;
}

/** Writes a float32 tensor as .npy, atomically. */
export function writeNpy(path: string, t: Tensor): void {
  writeFileAtomic(path, encodeNpy(t));
}

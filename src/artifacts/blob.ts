/**
 * weights.bin: the model's constant tensors as one blob (format in src/runtime/onnx2mcu_blob.h):
 * a 32-byte header (magic "O2MW", version, total size, header size, tensor count, alignment,
 * CRC32 of everything after the header), a table of 64-byte entries (name, dtype, offset, bytes)
 * and the data, each tensor aligned.
 */

export const BLOB_MAGIC = 'O2MW';
export const BLOB_VERSION = 1;
export const BLOB_HEADER_BYTES = 32;
export const BLOB_ENTRY_BYTES = 64;
export const BLOB_NAME_BYTES = 48;
export const DTYPE_INT8 = 1;
export const DTYPE_INT32 = 2;

export interface BlobTensor {
  readonly name: string;
  readonly data: Int8Array | Int32Array;
}

export interface BlobEntry {
  readonly name: string;
  readonly dtype: number;
  readonly offset: number;
  readonly bytes: number;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32 (IEEE 802.3, as zlib's crc32). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const alignUp = (x: number, a: number) => Math.ceil(x / a) * a;

export function writeBlob(tensors: readonly BlobTensor[], alignment = 16): Buffer {
  const names = new Set<string>();
  for (const t of tensors) {
    if (Buffer.byteLength(t.name) >= BLOB_NAME_BYTES) throw new Error(`blob: tensor name '${t.name}' longer than ${BLOB_NAME_BYTES - 1} bytes`);
    if (names.has(t.name)) throw new Error(`blob: duplicate tensor name '${t.name}'`);
    names.add(t.name);
  }
  let offset = alignUp(BLOB_HEADER_BYTES + tensors.length * BLOB_ENTRY_BYTES, alignment);
  const entries = tensors.map((t) => {
    const e = { name: t.name, dtype: t.data instanceof Int8Array ? DTYPE_INT8 : DTYPE_INT32, offset, bytes: t.data.byteLength };
    offset = alignUp(offset + t.data.byteLength, alignment);
    return e;
  });
  const total = Math.max(offset, BLOB_HEADER_BYTES + tensors.length * BLOB_ENTRY_BYTES);
  const buf = Buffer.alloc(total);
  buf.write(BLOB_MAGIC, 0, 'latin1');
  buf.writeUInt32LE(BLOB_VERSION, 4);
  buf.writeUInt32LE(total, 8);
  buf.writeUInt32LE(BLOB_HEADER_BYTES, 12);
  buf.writeUInt32LE(tensors.length, 16);
  buf.writeUInt32LE(alignment, 20);
  entries.forEach((e, i) => {
    const at = BLOB_HEADER_BYTES + i * BLOB_ENTRY_BYTES;
    buf.write(e.name, at, 'utf8');
    buf.writeUInt32LE(e.dtype, at + BLOB_NAME_BYTES);
    buf.writeUInt32LE(e.offset, at + BLOB_NAME_BYTES + 4);
    buf.writeUInt32LE(e.bytes, at + BLOB_NAME_BYTES + 8);
    const src = tensors[i].data;
    Buffer.from(src.buffer, src.byteOffset, src.byteLength).copy(buf, e.offset); // little-endian host
  });
  buf.writeUInt32LE(crc32(buf.subarray(BLOB_HEADER_BYTES)), 24);
  return buf;
}

/** Parses and validates a blob (the TypeScript twin of onnx2mcu_blob_open); throws on any defect. */
export function readBlob(buf: Uint8Array): Map<string, Int8Array | Int32Array> {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < BLOB_HEADER_BYTES) throw new Error('blob: truncated header');
  if (b.toString('latin1', 0, 4) !== BLOB_MAGIC) throw new Error('blob: bad magic');
  if (b.readUInt32LE(4) !== BLOB_VERSION) throw new Error(`blob: unsupported version ${b.readUInt32LE(4)}`);
  if (b.readUInt32LE(8) !== b.length) throw new Error('blob: size mismatch');
  if (crc32(b.subarray(BLOB_HEADER_BYTES)) !== b.readUInt32LE(24)) throw new Error('blob: CRC mismatch');
  const count = b.readUInt32LE(16);
  const out = new Map<string, Int8Array | Int32Array>();
  for (let i = 0; i < count; i++) {
    const at = BLOB_HEADER_BYTES + i * BLOB_ENTRY_BYTES;
    const name = b.toString('utf8', at, at + BLOB_NAME_BYTES).replace(/\0+$/, '');
    const dtype = b.readUInt32LE(at + BLOB_NAME_BYTES);
    const offset = b.readUInt32LE(at + BLOB_NAME_BYTES + 4);
    const bytes = b.readUInt32LE(at + BLOB_NAME_BYTES + 8);
    if (offset + bytes > b.length) throw new Error(`blob: entry '${name}' out of bounds`);
    const copy = Uint8Array.from(b.subarray(offset, offset + bytes));
    out.set(name, dtype === DTYPE_INT8 ? new Int8Array(copy.buffer) : new Int32Array(copy.buffer));
  }
  return out;
}

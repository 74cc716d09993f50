import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { floatTensor } from '../ir/tensor.js';
import { encodeNpy, parseNpy, readNpy, writeNpy } from './npy.js';

const tmp = mkdtempSync(join(tmpdir(), 'onnx2mcu-npy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));
}
function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

/** Bytes numpy 2.x writes for np.save(np.array([[0, 1.5, -2], [3.25, 1e-3, 7]], np.float32)). */
const NUMPY_V1 = concat(
  hex('934e554d50590100' + '7600'),
  ascii("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }".padEnd(117, ' ') + '\n'),
  hex('000000000000c03f000000c0000050406f12833a0000e040'),
);

describe('parseNpy', () => {
  it('reads the bytes numpy writes (version 1.0)', () => {
    const t = parseNpy(NUMPY_V1, 'a.npy');
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(t.data as Float32Array)).toEqual([0, 1.5, -2, 3.25, Math.fround(1e-3), 7]);
  });

  it('reads version 2.0 headers (4-byte header length)', () => {
    // numpy: np.lib.format.write_array(f, np.array([[1, 2]], np.float32), version=(2, 0))
    const header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }".padEnd(115, ' ') + '\n';
    const bytes = concat(hex('934e554d50590200' + '74000000'), ascii(header), hex('0000803f00000040'));
    const t = parseNpy(bytes, 'v2.npy');
    expect(t.shape).toEqual([1, 2]);
    expect(Array.from(t.data as Float32Array)).toEqual([1, 2]);
  });

  it('refuses what it cannot feed as is, naming the file', () => {
    expect(() => parseNpy(ascii('hello world, not npy'), 'x.npy')).toThrow(/^x\.npy: not a \.npy file/);
    const f8 = NUMPY_V1.slice();
    f8.set(ascii('<f8'), 21);
    expect(() => parseNpy(f8, 'd.npy')).toThrow(/^d\.npy: dtype '<f8' is not float32/);
    const fortran = concat(hex('934e554d50590100' + '7600'), ascii("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }".padEnd(117, ' ') + '\n'), new Uint8Array(24));
    expect(() => parseNpy(fortran, 'f.npy')).toThrow(/^f\.npy: Fortran-order/);
    expect(() => parseNpy(NUMPY_V1.subarray(0, NUMPY_V1.length - 4), 't.npy')).toThrow(/^t\.npy: shape \[2,3\] needs 24 data bytes, file has 20/);
    expect(() => parseNpy(NUMPY_V1.subarray(0, 50), 'h.npy')).toThrow(/^h\.npy: truncated \.npy header/);
  });
});

describe('encodeNpy / writeNpy / readNpy', () => {
  it('writes a version 1.0 header padded to 64 bytes that numpy would accept', () => {
    const bytes = encodeNpy(floatTensor([2, 3], Float32Array.from([0, 1.5, -2, 3.25, 1e-3, 7])));
    const headerLen = bytes[8] | (bytes[9] << 8);
    expect((10 + headerLen) % 64).toBe(0);
    expect(bytes[10 + headerLen - 1]).toBe(0x0a);
    const header = String.fromCharCode(...bytes.subarray(10, 10 + headerLen));
    expect(header).toMatch(/^\{'descr': '<f4', 'fortran_order': False, 'shape': \(2, 3\), \} *\n$/);
    expect(Array.from(bytes.subarray(10 + headerLen))).toEqual(Array.from(NUMPY_V1.subarray(128)));
  });

  it('round-trips through a file, including 1-D shapes', () => {
    const p = join(tmp, 'x.npy');
    const t = floatTensor([1, 3, 2, 2], Float32Array.from({ length: 12 }, (_, i) => i / 7 - 0.5));
    writeNpy(p, t);
    const back = readNpy(p);
    expect(back.shape).toEqual([1, 3, 2, 2]);
    expect(Array.from(back.data as Float32Array)).toEqual(Array.from(t.data as Float32Array));
    const one = join(tmp, 'one.npy');
    writeNpy(one, floatTensor([4], Float32Array.from([1, 2, 3, 4])));
    expect(String.fromCharCode(...readFileSync(one).subarray(10, 70))).toContain("'shape': (4,)");
    expect(readNpy(one).shape).toEqual([4]);
  });

  it('names a missing file', () => {
    expect(() => readNpy(join(tmp, 'nope.npy'))).toThrow(/nope\.npy: cannot read \(ENOENT\)/);
    writeFileSync(join(tmp, 'empty.npy'), '');
    expect(() => readNpy(join(tmp, 'empty.npy'))).toThrow(/empty\.npy: not a \.npy file/);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImage, decodeImageBytes, sniffImageFormat } from './decode.js';

const tmp = mkdtempSync(join(tmpdir(), 'onnx2mcu-decode-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function png(pixels: number[], width: number, height: number, channels: 1 | 2 | 3 | 4): Promise<Buffer> {
  return sharp(Buffer.from(pixels), { raw: { width, height, channels } }).png().toBuffer();
}

/** A 16-bit grayscale PNG written by hand (IHDR bit depth 16, colour type 0; big-endian samples). */
function grayPng16(rows: number[][]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const h = rows.length;
  const w = rows[0].length;
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([16, 0, 0, 0, 0], 8);
  const raw = Buffer.concat(rows.map((r) => {
    const line = Buffer.alloc(1 + 2 * w); // filter byte 0, then samples
    r.forEach((v, i) => line.writeUInt16BE(v, 1 + 2 * i));
    return line;
  }));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('decodeImageBytes', () => {
  it('keeps RGB PNG pixels exactly, row-major HWC', async () => {
    const px = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120];
    const img = await decodeImageBytes(await png(px, 2, 2, 3));
    expect(img.h).toBe(2);
    expect(img.w).toBe(2);
    expect(Array.from(img.data)).toEqual(px);
  });

  it('turns grayscale into RGB by repeating the gray value', async () => {
    const img = await decodeImageBytes(await png([0, 50, 100, 255, 7, 9], 3, 2, 1));
    expect([img.h, img.w]).toEqual([2, 3]);
    expect(Array.from(img.data)).toEqual([0, 0, 0, 50, 50, 50, 100, 100, 100, 255, 255, 255, 7, 7, 7, 9, 9, 9]);
  });

  it('drops alpha without blending (RGBA and gray+alpha)', async () => {
    const rgba = await decodeImageBytes(await png([1, 2, 3, 0, 5, 6, 7, 128], 2, 1, 4));
    expect(Array.from(rgba.data)).toEqual([1, 2, 3, 5, 6, 7]);
    const ga = await decodeImageBytes(await png([40, 0, 200, 255], 2, 1, 2));
    expect(Array.from(ga.data)).toEqual([40, 40, 40, 200, 200, 200]);
  });

  it('decodes a JPEG (a flat colour survives compression within 2 levels)', async () => {
    const flat = Buffer.alloc(16 * 16 * 3);
    for (let i = 0; i < 16 * 16; i++) flat.set([200, 100, 50], i * 3);
    const jpeg = await sharp(flat, { raw: { width: 16, height: 16, channels: 3 } }).jpeg({ quality: 100 }).toBuffer();
    expect(sniffImageFormat(jpeg)).toBe('jpeg');
    const img = await decodeImageBytes(jpeg);
    expect([img.h, img.w]).toEqual([16, 16]);
    for (let i = 0; i < 16 * 16; i++) {
      expect(Math.abs(img.data[i * 3] - 200)).toBeLessThanOrEqual(2);
      expect(Math.abs(img.data[i * 3 + 1] - 100)).toBeLessThanOrEqual(2);
      expect(Math.abs(img.data[i * 3 + 2] - 50)).toBeLessThanOrEqual(2);
    }
  });

  it('reduces 16-bit PNGs to 8 bits and expands grayscale JPEGs to RGB', async () => {
    const png16 = grayPng16([[0, 65535], [0x8080, 0x1234]]);
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    const img = await decodeImageBytes(png16);
    expect(Array.from(img.data.filter((_, i) => i % 3 === 0))).toEqual([0, 255, 128, 18]);
    expect(img.data[3]).toBe(img.data[4]);

    const grayJpeg = await sharp(Buffer.alloc(8 * 8, 90), { raw: { width: 8, height: 8, channels: 1 } }).toColourspace('b-w').jpeg({ quality: 100 }).toBuffer();
    expect((await sharp(grayJpeg).metadata()).channels).toBe(1);
    const g = await decodeImageBytes(grayJpeg);
    expect(g.data.length).toBe(8 * 8 * 3);
    for (let p = 0; p < 64; p++) {
      expect(Math.abs(g.data[p * 3] - 90)).toBeLessThanOrEqual(1);
      expect(g.data[p * 3 + 1]).toBe(g.data[p * 3]);
      expect(g.data[p * 3 + 2]).toBe(g.data[p * 3]);
    }
  });

  it('rejects files that are not JPEG or PNG, and broken ones, naming the file', async () => {
    await expect(decodeImageBytes(new Uint8Array([1, 2, 3, 4]), 'x.bin')).rejects.toThrow(/^x\.bin: not a JPEG or PNG file$/);
    const good = await png([1, 2, 3, 4, 5, 6], 2, 1, 3);
    await expect(decodeImageBytes(good.subarray(0, 20), 'cut.png')).rejects.toThrow(/^cut\.png: cannot decode image/);
  });
});

describe('decodeImage', () => {
  it('reads a file and names a missing one', async () => {
    const p = join(tmp, 'a.png');
    writeFileSync(p, await png([9, 8, 7], 1, 1, 3));
    expect(Array.from((await decodeImage(p)).data)).toEqual([9, 8, 7]);
    await expect(decodeImage(join(tmp, 'missing.png'))).rejects.toThrow(/missing\.png: cannot read \(ENOENT\)/);
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listImages, readImageCsv, splitCsvLine } from './list.js';

const tmp = mkdtempSync(join(tmpdir(), 'onnx2mcu-list-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('listImages', () => {
  it('lists the JPEG/PNG files of a folder sorted by name, nothing else', () => {
    const dir = join(tmp, 'set');
    mkdirSync(join(dir, 'sub.png'), { recursive: true }); // a folder with an image-like name
    for (const f of ['b.png', 'a.JPG', 'c.jpeg', 'notes.txt', 'labels.csv', 'B.PNG']) writeFileSync(join(dir, f), 'x');
    expect(listImages(dir)).toEqual(['B.PNG', 'a.JPG', 'b.png', 'c.jpeg'].map((f) => join(dir, f)));
  });

  it('lists the first column of a CSV relative to its folder, skipping a header', () => {
    const dir = join(tmp, 'csv');
    mkdirSync(dir);
    writeFileSync(join(dir, 'labels.csv'), 'file,index,name\nz.jpg,1,cat\nimgs/a.png,0,"dog, big"\n\n');
    expect(listImages(join(dir, 'labels.csv'))).toEqual([join(dir, 'z.jpg'), join(dir, 'imgs', 'a.png')]);
    const rows = readImageCsv(join(dir, 'labels.csv'));
    expect(rows[1].fields).toEqual({ file: 'imgs/a.png', index: '0', name: 'dog, big' });
    writeFileSync(join(dir, 'plain.csv'), 'q.png,3\r\nr.png,4\r\n');
    expect(listImages(join(dir, 'plain.csv'))).toEqual([join(dir, 'q.png'), join(dir, 'r.png')]);
  });

  it('gives one-line errors for missing, empty and malformed sets', () => {
    expect(() => listImages(join(tmp, 'nothing'))).toThrow(/nothing: no such file or folder/);
    mkdirSync(join(tmp, 'empty'));
    expect(() => listImages(join(tmp, 'empty'))).toThrow(/empty: no JPEG\/PNG images found/);
    writeFileSync(join(tmp, 'bad.csv'), 'file,label\nx.gif,1\n');
    expect(() => listImages(join(tmp, 'bad.csv'))).toThrow(/bad\.csv:2: first column 'x\.gif' is not a JPEG\/PNG file name/);
  });
});

describe('splitCsvLine', () => {
  it('understands quotes and doubled quotes', () => {
    expect(splitCsvLine('a,"b,c","d ""e""",')).toEqual(['a', 'b,c', 'd "e"', '']);
  });
});
